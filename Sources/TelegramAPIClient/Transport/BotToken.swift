import Foundation

/// The bot token, kept out of every string the program can produce.
///
/// The token is the bot's password and it is part of every request URL, so any error text that quotes a URL would
/// leak it into logs. This wrapper prints and mirrors as `<redacted>` and scrubs the token from text that might
/// contain it.
struct BotToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    static let placeholder = "<redacted>"

    let value: String

    init(_ value: String) {
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var description: String { Self.placeholder }
    var debugDescription: String { Self.placeholder }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The forms in which the token could appear: whole, percent-encoded, and the secret after the bot id alone.
    private var forms: [String] {
        var forms = [value]
        if let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != value {
            forms.append(encoded)
        }
        if let colon = value.firstIndex(of: ":") {
            let secret = String(value[value.index(after: colon)...])
            if secret.count >= 8 { forms.append(secret) }
        }
        return forms.filter { !$0.isEmpty }
    }

    /// `text` with every occurrence of the token replaced by the placeholder.
    func redact(_ text: String) -> String {
        forms.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.placeholder) }
    }

    /// `data` with every occurrence of the token replaced by the placeholder, for answers that could echo it.
    func redact(_ data: Data) -> Data {
        var data = data
        for form in forms {
            let needle = Data(form.utf8)
            let replacement = Data(Self.placeholder.utf8)
            var searchFrom = data.startIndex
            while let found = data.range(of: needle, in: searchFrom..<data.endIndex) {
                data.replaceSubrange(found, with: replacement)
                searchFrom = found.lowerBound + replacement.count
            }
        }
        return data
    }
}
