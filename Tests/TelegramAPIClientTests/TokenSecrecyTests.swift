import Foundation
import Logging
import Synchronization
import Testing

@testable import TelegramAPIClient

/// The bot token is a password in every URL: no error, description, log line or dump may contain it.
@Suite struct TokenSecrecyTests {
    static let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    static let secret = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

    static func leaks(_ text: String) -> Bool {
        text.contains(token) || text.contains(secret) || text.contains("123456789%3A")
    }

    @Test func redactsEveryForm() {
        let token = BotToken(Self.token + "\n")
        #expect(token.value == Self.token)
        let text =
            "GET https://api.telegram.org/bot\(Self.token)/getMe; secret \(Self.secret); 123456789%3A\(Self.secret)"
        let redacted = token.redact(text)
        #expect(!Self.leaks(redacted))
        #expect(redacted.contains("bot<redacted>/getMe"))
        let data = token.redact(Data(text.utf8))
        #expect(!Self.leaks(String(decoding: data, as: UTF8.self)))
        #expect(token.redact(Data("no secrets here".utf8)) == Data("no secrets here".utf8))
    }

    @Test func tokenNeverPrints() {
        let token = BotToken(Self.token)
        var dumped = ""
        dump(token, to: &dumped)
        for text in [String(describing: token), String(reflecting: token), "\(token)", dumped] {
            #expect(!Self.leaks(text))
        }
    }

    @Test func transportNeverPrintsTheToken() async throws {
        let transport = AsyncHTTPBotTransport(baseURL: URL(string: "http://127.0.0.1:1/")!, token: Self.token)
        var dumped = ""
        dump(transport, to: &dumped)
        for text in [String(describing: transport), String(reflecting: transport), dumped] {
            #expect(!Self.leaks(text))
        }
        #expect(String(describing: transport) == "AsyncHTTPBotTransport(http://127.0.0.1:1/bot<redacted>)")
        try await transport.shutdown()
    }

    @Test func errorAnswersEchoingTheTokenAreScrubbedBeforeTheyBecomeDescriptions() throws {
        let token = BotToken(Self.token)
        let body = #"{"ok":false,"error_code":400,"description":"Bad Request: unknown bot \#(Self.token)"}"#
        #expect(throws: TelegramError.badRequest("Bad Request: unknown bot <redacted>")) {
            _ = try BotAPIResponse.result(Bool.self, status: 400, body: token.redact(Data(body.utf8)))
        }
    }

    /// A refused connection on loopback (port 1): a real transport error, produced without any network.
    @Test func aConnectFailureNamesNoTokenInErrorsOrLogs() async throws {
        let transport = AsyncHTTPBotTransport(baseURL: URL(string: "http://127.0.0.1:1")!, token: Self.token)
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in lines }
        let client = TelegramClient(
            transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 2),
            requestTimeout: .seconds(5),
            logger: logger,
            sleep: { _ in },
            jitter: { 0 }
        )
        var thrown: TelegramError?
        do {
            _ = try await client.sendMessage(chatID: 1, text: "Hello")
        } catch {
            thrown = error
        }
        try await transport.shutdown()
        let error = try #require(thrown)
        guard case .transport(.connectFailed(let detail)) = error else {
            Issue.record("expected a connect failure, got \(error)")
            return
        }
        #expect(!Self.leaks(detail))
        #expect(!Self.leaks(String(describing: error)))
        #expect(!Self.leaks(String(reflecting: error)))
        #expect(lines.all.count == 1)
        for line in lines.all { #expect(!Self.leaks(line)) }
    }
}

/// A log handler that keeps every line, metadata included, as text.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    var all: [String] { lines.withLock { $0 } }

    func log(event: LogEvent) {
        let text = "\(event.level) \(event.message) \(event.metadata ?? [:])"
        lines.withLock { $0.append(text) }
    }
}
