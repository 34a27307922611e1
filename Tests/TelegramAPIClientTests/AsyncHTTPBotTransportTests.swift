import Foundation
import TelegramAPIClient
import Testing

/// The production transport against bare loopback sockets: what it puts on the wire, and how it tells a request
/// that never left from one whose answer was lost.
@Suite struct AsyncHTTPBotTransportTests {
    static let token = TokenSecrecyTests.token

    @Test func postsJSONToTheMethodURLWithTheProductUserAgent() async throws {
        let listener = try LoopbackListener()
        let transport = AsyncHTTPBotTransport(baseURL: listener.url, token: Self.token)
        async let request = listener.answerOnce(status: "200 OK", body: #"{"ok":true,"result":true}"#)
        let answer = try await transport.post(method: "deleteWebhook", body: Data("{}".utf8), timeout: .seconds(5))
        let seen = await request
        try await transport.shutdown()
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"ok":true,"result":true}"#)
        let lines = seen.split(separator: "\r\n", omittingEmptySubsequences: false).map { $0.lowercased() }
        #expect(lines.first == "post /bot\(Self.token.lowercased())/deletewebhook http/1.1")
        #expect(lines.contains("content-type: application/json"))
        #expect(lines.contains { $0.hasPrefix("user-agent: exchange-bot/") })
        #expect(lines.contains("content-length: 2"))
        #expect(seen.hasSuffix("\r\n\r\n{}"))
    }

    /// An error envelope comes back without the token: with an error status, and with a success status (never
    /// Telegram's own, possible from a server at a custom `TELEGRAM_API_URL`), whose description becomes an error too.
    @Test(arguments: [
        (status: "400 Bad Request", code: 400, prefix: #"{"ok":false,"#),
        (status: "200 OK", code: 200, prefix: #" { "ok" : false, "#),
    ])
    func errorEnvelopesComeBackWithoutTheToken(status: String, code: Int, prefix: String) async throws {
        let listener = try LoopbackListener()
        let transport = AsyncHTTPBotTransport(baseURL: listener.url, token: Self.token)
        let body = prefix + #""error_code":400,"description":"Bad Request: not for \#(Self.token)"}"#
        async let request = listener.answerOnce(status: status, body: body)
        let answer = try await transport.post(method: "getMe", body: Data("{}".utf8), timeout: .seconds(5))
        _ = await request
        try await transport.shutdown()
        #expect(answer.status == code)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(!TokenSecrecyTests.leaks(text))
        #expect(text.contains("Bad Request: not for <redacted>"))
    }

    @Test func aRequestSentButNeverAnsweredHasAnUnknownOutcome() async throws {
        let listener = try LoopbackListener()
        let transport = AsyncHTTPBotTransport(baseURL: listener.url, token: Self.token)
        var thrown: BotAPITransportError?
        do {
            _ = try await transport.post(method: "sendMessage", body: Data("{}".utf8), timeout: .milliseconds(300))
        } catch {
            thrown = error
        }
        try await transport.shutdown()
        guard case .outcomeUnknown(let detail) = try #require(thrown) else {
            Issue.record("expected an unknown outcome, got \(String(describing: thrown))")
            return
        }
        #expect(!TokenSecrecyTests.leaks(detail))
    }

    @Test func aRefusedConnectionWasNeverSent() async throws {
        let port = try LoopbackListener().port
        let transport = AsyncHTTPBotTransport(baseURL: URL(string: "http://127.0.0.1:\(port)")!, token: Self.token)
        var thrown: BotAPITransportError?
        do {
            _ = try await transport.post(method: "sendMessage", body: Data("{}".utf8), timeout: .seconds(5))
        } catch {
            thrown = error
        }
        try await transport.shutdown()
        guard case .connectFailed(let detail) = try #require(thrown) else {
            Issue.record("expected a connect failure, got \(String(describing: thrown))")
            return
        }
        #expect(!TokenSecrecyTests.leaks(detail))
    }
}
