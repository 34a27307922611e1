import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RESTServer
import Synchronization
import Testing

/// `/healthz`, `/readyz` and `/metrics`: there in every mode, each part's state in the JSON, 503 until ready.
struct OpsRoutesTests {
    /// What the service reports, changeable while the router runs.
    final class Parts: Sendable {
        let database = Mutex(true)
        let bot = Mutex("polling")

        var ops: OpsDependencies {
            OpsDependencies(
                databaseIsReachable: { self.database.withLock { $0 } },
                botState: { self.bot.withLock { $0 } },
                role: { "leader" },
                metrics: { Array("# TYPE up gauge\nup 1\n".utf8) }
            )
        }
    }

    func withOpsOnly(_ parts: Parts, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let logger = Logger(label: "ops-test")
        try await Application(router: APIServer.router(nil, ops: parts.ops, logger: logger), logger: logger)
            .test(.router, body)
    }

    @Test func healthAndReadinessNameEachPartAndTheRole() async throws {
        let parts = Parts()
        try await withOpsOnly(parts) { client in
            let health = try await client.call(.get, "/healthz")
            #expect(health.status == .ok)
            let healthBody = try object(health.body)
            #expect(healthBody["status"] as? String == "ok")
            #expect(healthBody["database"] as? String == "ok")
            #expect(healthBody["bot"] as? String == "polling")
            #expect(healthBody["role"] as? String == "leader")

            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == .ok)
            let readyBody = try object(ready.body)
            #expect(readyBody["status"] as? String == "ready")
            #expect(readyBody["master_key"] as? String == "ok")
            #expect(readyBody["role"] as? String == "leader")
        }
    }

    @Test func anUnreachableDatabaseIsNotReadyButTheProcessIsAlive() async throws {
        let parts = Parts()
        parts.database.withLock { $0 = false }
        try await withOpsOnly(parts) { client in
            let health = try await client.call(.get, "/healthz")
            #expect(health.status == .ok, "liveness: the process serves")
            #expect(try object(health.body)["status"] as? String == "degraded")
            #expect(try object(health.body)["database"] as? String == "unreachable")
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == .serviceUnavailable)
            #expect(try object(ready.body)["status"] as? String == "not ready")
            #expect(try object(ready.body)["database"] as? String == "unreachable")
        }
    }

    @Test(arguments: ["starting", "conflict", "token refused", "stopping"])
    func aBotThatIsNotPollingIsNotReady(state: String) async throws {
        let parts = Parts()
        parts.bot.withLock { $0 = state }
        try await withOpsOnly(parts) { client in
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == .serviceUnavailable)
            #expect(try object(ready.body)["bot"] as? String == state)
            parts.bot.withLock { $0 = "polling" }
            #expect(try await client.call(.get, "/readyz").status == .ok)
        }
    }

    @Test(arguments: ["disabled", "webhook", "standby"]) func noBotAWebhookOrAFollowerIsReady(state: String)
        async throws
    {
        let parts = Parts()
        parts.bot.withLock { $0 = state }
        try await withOpsOnly(parts) { client in
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == .ok)
        }
    }

    @Test func metricsAreServedInTheTextFormat() async throws {
        try await withOpsOnly(Parts()) { client in
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.body == "# TYPE up gauge\nup 1\n")
        }
    }

    /// Without `SECRET_KEY` only the operations routes answer: the API and its documents are not there.
    @Test func withoutTheAPIOnlyTheOperationsRoutesAnswer() async throws {
        try await withOpsOnly(Parts()) { client in
            for path in ["/user/exchanges/", "/admin/exchanges/pending", "/openapi.json", "/docs"] {
                let answer = try await client.call(.get, path)
                #expect(answer.status == .notFound, "\(path)")
            }
        }
    }
}
