import Foundation
import Logging
import TelegramAPIClient
import Testing

/// `setWebhook` and `getWebhookInfo`: their bodies, the lenient reading of the info, and a secret that never shows
/// in an error or a log line.
@Suite struct WebhookMethodTests {
    static let secret = "Hook_secret-never-logged-77"

    @Test func setWebhookSendsTheURLTheSecretTheKindsAndTheConnections() async throws {
        let transport = ScriptedBotTransport()
        transport.on("setWebhook", .ok("true"))
        try await TelegramClient.scripted(transport).setWebhook(
            url: "https://bot.example.com/telegram/webhook",
            secretToken: Self.secret,
            allowedUpdates: ["message", "callback_query"],
            maxConnections: 40
        )
        let call = try #require(transport.calls.last)
        #expect(call.method == "setWebhook")
        #expect(
            call.body
                == #"{"allowed_updates":["message","callback_query"],"max_connections":40,"#
                + #""secret_token":"\#(Self.secret)","url":"https://bot.example.com/telegram/webhook"}"#
        )
    }

    @Test func getWebhookInfoReadsTheURLAndToleratesWhatItDoesNotKnow() async throws {
        let transport = ScriptedBotTransport()
        transport.on(
            "getWebhookInfo",
            .ok(
                #"{"url":"https://old.example.net/hook","has_custom_certificate":false,"pending_update_count":3,"#
                    + #""ip_address":"203.0.113.9","allowed_updates":["message"],"future_field":{"x":1}}"#
            ),
            .ok(#"{"url":"","has_custom_certificate":false,"pending_update_count":0}"#)
        )
        let client = TelegramClient.scripted(transport)
        let set = try await client.getWebhookInfo()
        #expect(set.isSet && set.url == "https://old.example.net/hook" && set.pendingUpdateCount == 3)
        let polling = try await client.getWebhookInfo()
        #expect(!polling.isSet)
        #expect(try #require(transport.calls.last).body == "{}")
    }

    @Test func aRefusedWebhookNamesNoSecretInTheErrorOrTheLog() async throws {
        let transport = ScriptedBotTransport()
        transport.on(
            "setWebhook",
            .error(500, "Internal Server Error: restart"),
            .error(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        )
        let lines = LogCapture()
        let client = TelegramClient(
            transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 3),
            logger: Logger(label: "test") { _ in lines },
            sleep: { _ in },
            jitter: { 0 }
        )
        var thrown: TelegramError?
        do {
            try await client.setWebhook(
                url: "http://bot.example.com/hook",
                secretToken: Self.secret,
                allowedUpdates: [],
                maxConnections: 40
            )
        } catch {
            thrown = error
        }
        let error = try #require(thrown)
        #expect(!String(describing: error).contains(Self.secret) && !String(reflecting: error).contains(Self.secret))
        #expect(!lines.all.isEmpty, "the 500 was retried, with a log line")
        #expect(lines.all.allSatisfy { !$0.contains(Self.secret) })
    }
}
