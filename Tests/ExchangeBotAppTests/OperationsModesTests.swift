import ExchangeBotApp
import Fernet
import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// The HTTP listener in the modes the bot's own tests do not cover: the REST API alone, and a bot that has not
/// reached Telegram yet (not ready). Both run the very `run` wiring in-process.
@Suite(.serialized) struct OperationsModesTests {
    let folder = TemporaryFolder()

    func environment(_ extra: [String: String]) -> Environment {
        Environment(
            [
                "BRAIN_CAPITAL_MASTER_KEY": FernetKey.generate().base64,
                "DATABASE_URL": "sqlite:///" + folder.path("ops.sqlite"), "HEALTH_CHECK_INTERVAL": "0",
                "API_PORT": "0",
            ].merging(extra) { $1 },
            workingDirectory: folder.url.path
        )
    }

    /// Runs the wiring, hands `body` the listener's port, then shuts down gracefully.
    func whileRunning(_ extra: [String: String], _ body: (Int) async throws -> Void) async throws {
        var logger = Logger(label: "ops-modes")
        logger.logLevel = .error
        let runtime = try await Runtime.make(environment(extra), logger: logger, signals: [])
        let task = Task { try await runtime.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while runtime.listenerPort.current == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let port = try #require(runtime.listenerPort.current, "the listener never listened")
        do {
            try await body(port)
        } catch {
            await runtime.group.triggerGracefulShutdown()
            throw error
        }
        await runtime.group.triggerGracefulShutdown()
        try await task.value
    }

    func get(_ port: Int, _ path: String) async throws -> (status: Int, json: [String: Any]?, text: String) {
        let answer = try await LoopbackHTTPClient.send(to: URL(string: "http://127.0.0.1:\(port)")!, "GET", path)
        let json = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        return (answer.status, json, String(decoding: answer.body, as: UTF8.self))
    }

    @Test func theRESTAPIAloneIsReadyWithNoBot() async throws {
        try await whileRunning(["SECRET_KEY": "ops-modes-secret"]) { port in
            let health = try await get(port, "/healthz")
            #expect(health.status == 200)
            #expect(health.json?["bot"] as? String == "disabled")
            #expect(health.json?["role"] as? String != nil)
            let ready = try await get(port, "/readyz")
            #expect(ready.status == 200, "\(ready.text)")
            #expect(ready.json?["database"] as? String == "ok" && ready.json?["master_key"] as? String == "ok")
            #expect(try await get(port, "/user/exchanges/").status == 401)
            // A method outside HTTP's own set (WebDAV's, which the HTTP parser knows; methods it does not know are
            // refused before routing) is counted, but not as a series of its own.
            let invented = "PROPFIND"
            _ = try await LoopbackHTTPClient.send(to: URL(string: "http://127.0.0.1:\(port)")!, invented, "/healthz")
            let metrics = try await get(port, "/metrics")
            #expect(!metrics.text.contains(invented))
            #expect(metrics.status == 200)
            if PrometheusParser.available {
                let samples = try await PrometheusParser.samples(metrics.text)
                #expect(samples.value("http_requests_total", ["http_route": "/healthz"]) >= 1, "\(metrics.text)")
                #expect(samples.value("http_requests_total", ["http_request_method": "_OTHER"]) >= 1)
            } else {
                print("skipped parsing /metrics: \(PrometheusParser.skipReason)")
            }
        }
    }

    /// A bot that cannot reach Telegram yet keeps retrying `getMe`: alive, but not ready.
    @Test func aBotBeforeItsFirstPollIsNotReady() async throws {
        let unreachable = "http://127.0.0.1:1"
        try await whileRunning([
            "TELEGRAM_BOT_TOKEN": "7000004:NOT-polling_yet", "TELEGRAM_API_URL": unreachable,
            "ADMIN_CHAT_ID": "-1001000000004",
        ]) { port in
            let health = try await get(port, "/healthz")
            #expect(health.status == 200, "liveness: the process serves")
            let ready = try await get(port, "/readyz")
            #expect(ready.status == 503, "\(ready.text)")
            #expect(ready.json?["status"] as? String == "not ready")
            // `not started` for the instant before the poller runs, then `starting` while `getMe` is retried.
            #expect(["not started", "starting"].contains(ready.json?["bot"] as? String ?? ""), "\(ready.text)")
            #expect(ready.json?["database"] as? String == "ok")
            #expect(try await get(port, "/user/exchanges/").status == 404, "no API without SECRET_KEY")
        }
    }
}
