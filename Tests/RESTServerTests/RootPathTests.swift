import ExchangeBotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RESTServer
import TestSupport
import Testing

/// `API_ROOT_PATH`: which prefixes are accepted, and every route answering under the prefix as well as at `/`.
@Suite struct RootPathTests {
    @Test(arguments: ["", "/api/exchanges", "/api", "/a-b_c.d~e/v1", "/API/Exchanges2"])
    func plainPathsAreAccepted(_ text: String) {
        #expect(APIRootPath(text)?.value == text)
    }

    @Test(arguments: [
        "api/exchanges", "/api/exchanges/", "/", "//api", "/api//exchanges", "/api/../admin", "/./api", "/api/.",
        "/api exchanges", "/api%2Fexchanges", "/api?x=1", "/api#x", "/api;x", "/ключи", "/api\\x", "/api\n",
        "/" + String(repeating: "a", count: 300),
    ])
    func anythingElseIsRefused(_ text: String) {
        #expect(APIRootPath(text) == nil)
    }

    func served(under rootPath: String, _ harness: APIHarness) -> some ApplicationProtocol {
        APIServer.application(
            harness.dependencies,
            ops: harness.ops,
            host: "127.0.0.1",
            port: 0,
            rootPath: APIRootPath(rootPath)!,
            logger: harness.logger
        )
    }

    @Test func everyRouteAnswersUnderThePrefixAndAtTheRoot() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        try await served(under: "/api/exchanges", harness).test(.router) { client in
            let created = try await client.call(
                .post,
                "/api/exchanges/user/exchanges/",
                token: harness.token(alice),
                json: okxBody
            )
            #expect(created.status == .created, "\(created.body)")
            for path in ["/api/exchanges/user/exchanges/", "/api/exchanges/user/exchanges", "/user/exchanges/"] {
                let listed = try await client.call(.get, path, token: harness.token(alice))
                #expect(listed.status == .ok, "\(path)")
                #expect(try array(listed.body).count == 1, "\(path)")
            }
            for path in [
                "/api/exchanges/healthz", "/healthz", "/api/exchanges/readyz", "/api/exchanges/metrics",
                "/api/exchanges/docs", "/api/exchanges/redoc", "/api/exchanges/docs/", "/api/exchanges/openapi.json",
                "/api/exchanges/user/exchanges/?page=1",
            ] {
                let answer = try await client.call(.get, path, token: harness.token(alice))
                #expect(answer.status == .ok, "\(path): \(answer.status) \(answer.body.prefix(200))")
            }
            // The prefix alone is the root, which serves nothing; a longer first segment is not the prefix.
            for path in ["/api/exchanges", "/api/exchanges/", "/api/exchangesx/healthz", "/api/healthz"] {
                let answer = try await client.call(.get, path)
                #expect(answer.status == .notFound, "\(path)")
                #expect(try object(answer.body)["code"] as? String == "404", "the service's own error body")
            }
            // The router's other answers hold under the prefix too: 405 with Allow, 401 without a token.
            let wrongMethod = try await client.call(.delete, "/api/exchanges/admin/exchanges/pending")
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "GET, HEAD")
            #expect(try await client.call(.get, "/api/exchanges/user/exchanges/").status == .unauthorized)
        }
    }

    @Test func theDocumentNamesThePrefixAsItsServer() async throws {
        let harness = try APIHarness()
        try await served(under: "/api/exchanges", harness).test(.router) { client in
            for path in ["/api/exchanges/openapi.json", "/openapi.json"] {
                let document = try object(try await client.call(.get, path).body)
                #expect(document["servers"] as? [[String: String]] == [["url": "/api/exchanges"]], "\(path)")
            }
        }
        try await served(under: "", harness).test(.router) { client in
            let document = try object(try await client.call(.get, "/openapi.json").body)
            #expect(document["servers"] as? [[String: String]] == [["url": "/"]])
            #expect(try await client.call(.get, "/api/exchanges/healthz").status == .notFound)
        }
    }

    /// Requests under the prefix and at the root are one client to the rate limit: the prefix buys no budget.
    @Test func thePrefixSharesTheRateLimit() async throws {
        let harness = try APIHarness(rateLimit: (2, 60))
        try await served(under: "/api/exchanges", harness).test(.router) { client in
            var statuses = [HTTPResponse.Status]()
            for path in ["/user/exchanges/", "/api/exchanges/user/exchanges/", "/user/exchanges/"] {
                statuses.append(try await client.call(.get, path, token: "garbage").status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])
        }
    }
}
