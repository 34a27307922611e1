import BearerTokens
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The HTTP listener as `run` wires it beside the bot: `/healthz`, `/readyz` and `/metrics` with or without the
/// REST API, and metrics that move with real updates, sends, key checks, decisions and requests.
@Suite(.serialized) struct OperationsEndToEndTests {
    let alice = FakeUser(id: 5_000_777, firstName: "Alice", username: "alice_ops")

    func get(_ port: Int, _ path: String, token: String? = nil) async throws -> LoopbackHTTPClient.Response {
        try await LoopbackHTTPClient.send(
            to: URL(string: "http://127.0.0.1:\(port)")!,
            "GET",
            path,
            headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []
        )
    }

    func json(_ response: LoopbackHTTPClient.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func theBotAloneServesHealthReadinessAndMetricsButNoAPI() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let port = try #require(await bot.listenerPort(), "the listener runs without SECRET_KEY")

        let health = try await get(port, "/healthz")
        #expect(health.status == 200)
        let healthBody = try json(health)
        #expect(healthBody["status"] as? String == "ok" && healthBody["database"] as? String == "ok")
        #expect(healthBody["bot"] as? String == "polling")
        #expect(!((healthBody["role"] as? String) ?? "").isEmpty)

        let ready = try await get(port, "/readyz")
        #expect(ready.status == 200, "\(String(decoding: ready.body, as: UTF8.self))")
        #expect(try json(ready)["status"] as? String == "ready")

        let metrics = try await get(port, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")

        for path in ["/user/exchanges/", "/admin/exchanges/pending", "/openapi.json"] {
            #expect(try await get(port, path).status == 404, "no API without SECRET_KEY: \(path)")
        }
        try await bot.stopBot()
    }

    @Test func withSecretKeyTheAPIJoinsTheSameListener() async throws {
        let bot = try await BotHarness.start(exchanges: [], extraEnvironment: ["SECRET_KEY": "ops-secret"])
        defer { Task { await bot.stop() } }
        let port = try #require(await bot.listenerPort())
        #expect(try await get(port, "/healthz").status == 200)
        #expect(try await get(port, "/readyz").status == 200)
        #expect(try await get(port, "/user/exchanges/").status == 401)
        #expect(try await get(port, "/openapi.json").status == 200)
        try await bot.stopBot()
    }

    @Test(.enabled(if: PrometheusParser.available, "\(PrometheusParser.skipReason)"))
    func a429IsCountedWithTheWaitItAskedFor() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let port = try #require(await bot.listenerPort())
        let scrape = { @Sendable in
            try await PrometheusParser.samples(
                String(decoding: try await self.get(port, "/metrics").body, as: UTF8.self)
            )
        }
        let before = try await scrape()
        bot.telegram.injectErrors([.tooManyRequests(retryAfter: 1)], for: "sendMessage")
        bot.say(alice, "/help")
        _ = try await bot.waitForBotMessage(in: alice.id) { !$0.text.isEmpty }
        #expect(bot.telegram.tooManyRequestsCount == 1)
        let after = try await scrape()
        func moved(_ name: String, _ labels: [String: String] = [:]) -> Double {
            after.value(name, labels) - before.value(name, labels)
        }
        // Other suites run beside this one and may draw 429s too: at least this test's.
        #expect(moved("exchange_bot_telegram_rate_limited_total", ["method": "sendMessage"]) >= 1)
        #expect(moved("exchange_bot_telegram_paused_seconds_total") >= 1)
        #expect(
            moved("exchange_bot_telegram_api_calls_total", ["method": "sendMessage", "outcome": "too_many_requests"])
                >= 1
        )
        #expect(moved("exchange_bot_telegram_api_calls_total", ["method": "sendMessage", "outcome": "ok"]) >= 1)
        try await bot.stopBot()
    }

    @Test(.enabled(if: PrometheusParser.available, "\(PrometheusParser.skipReason)"), arguments: StoreEngine.allCases)
    func metricsMoveWithRealWorkAndHoldNoUserData(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.okx],
            extraEnvironment: ["SECRET_KEY": "ops-secret"]
        )
        defer { Task { await bot.stop() } }
        let port = try #require(await bot.listenerPort())
        let scrape = { @Sendable in
            try await PrometheusParser.samples(
                String(decoding: try await self.get(port, "/metrics").body, as: UTF8.self)
            )
        }
        // Counters are process-wide (one registry per process) and other suites run beside this one: compare before
        // and after, and expect at least this test's share.
        let before = try await scrape()

        let account = FakeAccount.random(for: .okx)
        bot.exchanges[.okx]!.register(account)
        let label = "Ops label \(UUID().uuidString.prefix(8))"
        _ = try await bot.addKey(
            alice,
            exchange: .okx,
            label: label,
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "approved")
        let keyID = try #require(try await bot.keys(ofTelegramUser: alice.id).first?.id)
        let user = try #require(try await bot.userID(ofTelegramUser: alice.id))
        let token = BearerTokenAuthority(secretKey: "ops-secret", maxAge: 3600).mint(userID: user)
        #expect(try await get(port, "/user/exchanges/", token: token).status == 200)
        #expect(try await get(port, "/user/exchanges/\(keyID)/toggle").status == 405)
        #expect(try await get(port, "/nowhere/\(user)").status == 404)

        let after = try await scrape()
        func moved(_ name: String, _ labels: [String: String] = [:]) -> Double {
            after.value(name, labels) - before.value(name, labels)
        }
        // `/add`, the button, label, key, secret, passphrase, and the admin's press.
        #expect(moved("exchange_bot_telegram_updates_received_total") >= 7)
        #expect(moved("exchange_bot_telegram_updates_handled_total") >= 7)
        #expect(moved("exchange_bot_telegram_api_calls_total", ["method": "sendMessage", "outcome": "ok"]) >= 2)
        #expect(moved("exchange_bot_telegram_api_calls_total", ["method": "getUpdates", "outcome": "ok"]) >= 1)
        #expect(moved("exchange_bot_key_checks_total", ["exchange": "okx", "outcome": "valid"]) >= 1)
        #expect(moved("exchange_bot_key_check_duration_seconds_count", ["exchange": "okx"]) >= 1)
        #expect(moved("exchange_bot_decisions_total", ["decision": "approve", "channel": "telegram"]) >= 1)
        // HTTP requests by route pattern and status, never the raw path.
        #expect(
            moved("http_requests_total", ["http_route": "/user/exchanges", "http_response_status_code": "200"]) >= 1
        )
        #expect(moved("http_server_request_duration_seconds_count", ["http_route": "/user/exchanges"]) >= 1)
        #expect(moved("http_requests_total", ["http_route": "/metrics"]) >= 1)

        // Queue depths, sampled at the scrape: every queue is there, and nothing is left waiting once answered.
        for (queue, channel) in [
            ("inbox", "telegram"), ("outgoing", "telegram"), ("outbox", "events"), ("outbox", "mail"),
        ] {
            let depth = after.first {
                $0.name == "exchange_bot_queue_depth" && $0.labels == ["queue": queue, "channel": channel]
            }
            #expect(depth != nil && depth!.value >= 0, "\(queue) \(channel)")
        }
        #expect(after.value("exchange_bot_queue_depth", ["channel": "mail"]) == 0, "no mail is configured")

        let labelValues = after.flatMap { $0.labels.values }
        let forbidden = [
            String(alice.id), String(bot.adminGroup.id), label, account.apiKey, "alice_ops",
            "/user/exchanges/\(keyID)", "/nowhere/\(user)",
        ]
        for forbidden in forbidden {
            #expect(!labelValues.contains { $0.contains(forbidden) }, "a label value holds \(forbidden)")
        }
        try await bot.stopBot()
    }
}
