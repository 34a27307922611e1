import Foundation
import TelegramAPIClient

/// The product's texts (the bot's messages and the emails), one table per language from `locales/<code>.json`,
/// with `{name}` placeholders.
///
/// A text about a number is a plural group (`name.one`, `name.few`, `name.many`, `name.other`; see
/// ``PluralCategory``): asked for `name` with a `{count}` argument, the localizer takes the form the language's rules
/// give for that count, or `name.other`.
///
/// Templates are trusted HTML in Telegram's subset (they may use `<b>`), which an email's HTML part shows as well; every value put into a placeholder is HTML-escaped here, so
/// a label such as `<b>&` reaches the user as typed. A key missing in a language falls back to English, then to
/// the key itself (the locale test keeps both files complete).
public struct Localizer: Sendable {
    public static let fallbackLanguage = "en"
    private let tables: [String: [String: String]]

    public init(tables: [String: [String: String]]) {
        self.tables = tables
    }

    /// The languages that have a table.
    public var languages: Set<String> { Set(tables.keys) }

    /// Reads every `*.json` in `directory`.
    public static func load(from directory: URL) throws -> Localizer {
        var tables = [String: [String: String]]()
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "json" {
            let table = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
            tables[file.deletingPathExtension().lastPathComponent] = table
        }
        guard tables[fallbackLanguage] != nil else { throw MissingLocales(searched: [directory.path]) }
        return Localizer(tables: tables)
    }

    /// Finds `locales/` wherever this build keeps it: next to the executable or above it (a checkout's
    /// `.build/<config>/exchange-bot`), in `../share/exchange-bot/locales` (an installed binary), or in the working
    /// directory.
    public static func locate(executable: URL, workingDirectory: URL) throws -> URL {
        var candidates = [URL]()
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(folder.appendingPathComponent("../share/exchange-bot/locales").standardizedFileURL)
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("locales"))
            folder.deleteLastPathComponent()
        }
        candidates.append(workingDirectory.appendingPathComponent("locales"))
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("en.json").path) {
            return candidate
        }
        throw MissingLocales(searched: candidates.map(\.path))
    }

    public struct MissingLocales: Error, CustomStringConvertible {
        public let searched: [String]
        public var description: String {
            "the bot's texts (locales/en.json) were not found; looked in: " + searched.joined(separator: ", ")
        }
    }

    /// The table to use for a Telegram `language_code` such as `ru` or `pt-BR`.
    public func language(for code: String?) -> String {
        guard let code = code?.lowercased() else { return Self.fallbackLanguage }
        let base = String(code.prefix { $0 != "-" && $0 != "_" })
        return tables[base] != nil ? base : Self.fallbackLanguage
    }

    /// The template for `key` with each `{name}` replaced by its escaped value.
    public func text(_ key: String, _ arguments: [String: String] = [:], language: String) -> String {
        text(key, arguments, html: [:], language: language)
    }

    /// ``text(_:_:language:)`` with the `html` values put in as they are: markup the caller built from escaped
    /// parts, such as a link that mentions a user.
    public func text(_ key: String, _ arguments: [String: String], html: [String: String], language: String)
        -> String
    {
        let values = arguments.mapValues(HTML.escape).merging(html) { _, markup in markup }
        return fill(template(key, language, count: arguments["count"]), values, language: language, plain: false)
    }

    /// The same text without markup, for places that show plain text (a button's alert): tags dropped, values as
    /// they are.
    public func plainText(_ key: String, _ arguments: [String: String] = [:], language: String) -> String {
        fill(template(key, language, count: arguments["count"]), arguments, language: language, plain: true)
    }

    /// The template for `key`; with a count, the form of its plural group the language's rules choose (or `other`).
    private func template(_ key: String, _ language: String, count: String?) -> String {
        if let count {
            for table in [language, Self.fallbackLanguage] {
                guard let forms = tables[table] else { continue }
                let category = PluralCategory(count: count, language: table)
                if let form = forms["\(key).\(category.rawValue)"] ?? forms["\(key).other"] { return form }
            }
        }
        return tables[language]?[key] ?? tables[Self.fallbackLanguage]?[key] ?? key
    }

    /// Puts the (already escaped) values into `template`. `{name:group}` is the plural group `group` rendered
    /// with `name`'s value as its count: a text with two counts ("2 moved, 1 dropped") names a group for each.
    private func fill(_ template: String, _ values: [String: String], language: String, plain: Bool) -> String {
        let template = plain ? Self.withoutTags(template) : template
        guard !values.isEmpty else { return template }
        var result = ""
        result.reserveCapacity(template.utf8.count)
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = rest[rest.index(after: open)..<close]
            let parts = name.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let count = values[String(parts[0])] {
                var counted = values
                counted["count"] = count
                let form = self.template(String(parts[1]), language, count: count)
                result += fill(form.replacing("{" + name + "}", with: ""), counted, language: language, plain: plain)
            } else if let value = values[String(name)] {
                result += value
            } else {
                result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }

    /// `template` without its tags (`<b>`, `</b>`: `<`, an optional `/`, lower-case letters, `>`). A byte scan
    /// rather than a `Regex`, which cost more than the rest of the text's rendering.
    static func withoutTags(_ template: String) -> String {
        let bytes = Array(template.utf8)
        guard bytes.contains(UInt8(ascii: "<")) else { return template }
        var kept = [UInt8]()
        kept.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                var end = index + 1
                if end < bytes.count, bytes[end] == UInt8(ascii: "/") { end += 1 }
                let name = end
                while end < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[end]) { end += 1 }
                if end > name, end < bytes.count, bytes[end] == UInt8(ascii: ">") {
                    index = end + 1
                    continue
                }
            }
            kept.append(bytes[index])
            index += 1
        }
        return String(decoding: kept, as: UTF8.self)
    }
}
