import ExchangeBotApp
import Foundation
import Logging
import Synchronization
import Testing

/// `LOG_FORMAT`: its values, and the JSON lines `json` writes.
struct JSONLogHandlerTests {
    /// Collects the lines a handler writes.
    final class Lines: Sendable {
        private let bytes = Mutex<[UInt8]>([])

        func write(_ line: [UInt8]) { bytes.withLock { $0 += line } }

        var all: [String] {
            bytes.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n").map(String.init)
        }
    }

    func logger(_ lines: Lines, level: Logger.Level = .trace) -> Logger {
        Logger(label: "exchange-bot.test") { label in
            var handler = JSONLogHandler(label: label, write: { lines.write($0) })
            handler.logLevel = level
            return handler
        }
    }

    @Test func aLineHoldsTimestampLevelLoggerMessageAndMetadata() throws {
        let lines = Lines()
        var log = logger(lines)
        log[metadataKey: "instance"] = "a"
        log.info("request", metadata: ["http.status": "201", "nested": ["k": "v", "list": ["1", "2"]]])
        let line = try #require(lines.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "exchange-bot.test")
        #expect(object["message"] as? String == "request")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["http.status"] as? String == "201")
        #expect(metadata["instance"] as? String == "a")
        #expect((metadata["nested"] as? [String: Any])?["list"] as? [String] == ["1", "2"])
        // ISO 8601 in UTC with microseconds, readable by a parser that insists on the fraction.
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil, "\(timestamp)")
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(parser.date(from: timestamp))
        #expect(abs(date.timeIntervalSinceNow) < 60)
    }

    @Test func aKnownInstantIsFormattedExactly() {
        // 2024-02-29T23:59:59.5Z: a leap day, half a second.
        let line = JSONLogHandler.line(
            date: Date(timeIntervalSince1970: 1_709_251_199.5),
            level: .warning,
            label: "l",
            message: "m",
            metadata: [:]
        )
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"timestamp":"2024-02-29T23:59:59.500000Z","level":"warning","logger":"l","message":"m"}"# + "\n"
        )
    }

    /// Quotes, backslashes, every control character and non-ASCII text survive a round trip, one line each.
    @Test func everyCharacterIsEscapedSoTheLineParsesBack() throws {
        let lines = Lines()
        let log = logger(lines)
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7F}"
        let text = "quote \" backslash \\ slash / " + controls + " Привет 🚀 \u{2028}"
        log.error("\(text)", metadata: ["\(text)": "\(text)"])
        #expect(lines.all.count == 1, "a message with line breaks is still one line")
        let line = try #require(lines.all.first)
        #expect(line.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F }, "no raw control character in the line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == text)
        #expect((object["metadata"] as? [String: Any])?[text] as? String == text)
        #expect(line.contains("Привет 🚀"), "non-ASCII as UTF-8, not escaped")
    }

    @Test func theLevelFiltersAndEmptyMetadataIsLeftOut() throws {
        let lines = Lines()
        let log = logger(lines, level: .notice)
        log.info("dropped")
        log.notice("kept")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "kept" && object["metadata"] == nil)
    }

    @Test func logFormatIsTextByDefaultJsonOnRequestAndNothingElse() throws {
        #expect(try Environment([:]).logFormat() == .text)
        #expect(try Environment(["LOG_FORMAT": "json"]).logFormat() == .json)
        #expect(try Environment(["LOG_FORMAT": " JSON "]).logFormat() == .json)
        for value in ["yaml", "logfmt", "jsonl"] {
            #expect(throws: ConfigurationError("LOG_FORMAT", "must be text or json")) {
                try Environment(["LOG_FORMAT": value]).logFormat()
            }
        }
    }
}
