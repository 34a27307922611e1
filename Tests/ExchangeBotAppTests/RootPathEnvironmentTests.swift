import ExchangeBotApp
import Logging
import RESTServer
import Testing

/// `API_ROOT_PATH` (issue 15, item 4): a plain path prefix, or a configuration error naming the variable.
@Suite struct RootPathEnvironmentTests {
    @Test func theRootPathDefaultsToNoneAndTakesAPlainPath() throws {
        #expect(try Environment([:]).apiRootPath() == .none)
        #expect(try Environment(["API_ROOT_PATH": ""]).apiRootPath() == .none)
        #expect(try Environment(["API_ROOT_PATH": " /api/exchanges "]).apiRootPath().value == "/api/exchanges")
    }

    @Test(arguments: ["api/exchanges", "/api/exchanges/", "/", "/api//x", "/api/../x", "/api exchanges", "/api?x"])
    func anythingElseIsAConfigurationError(value: String) {
        do {
            _ = try Environment(["API_ROOT_PATH": value]).apiRootPath()
            Issue.record("accepted \(value)")
        } catch {
            #expect(error.variable == "API_ROOT_PATH")
            #expect(error.description.contains("/api/exchanges"))
        }
    }

    /// A runtime refuses to start with a bad prefix, before it opens anything.
    @Test func theRuntimeRefusesABadRootPath() async {
        let environment = Environment(["SECRET_KEY": "k", "API_ROOT_PATH": "/api/"])
        do {
            _ = try await Runtime.make(environment, logger: .init(label: "test"))
            Issue.record("started with API_ROOT_PATH=/api/")
        } catch let error as ConfigurationError {
            #expect(error.variable == "API_ROOT_PATH")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
