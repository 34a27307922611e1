import ExchangeBotCore
import Foundation

/// Dates as SQLAlchemy stores `DATETIME` in SQLite: naive UTC text, `YYYY-MM-DD HH:MM:SS.ffffff`.
///
/// Written by hand so both sides read each other's rows: GRDB's own date format has three fraction digits and
/// SQLAlchemy's six. Reading is lenient (a `T` separator, no fraction, a `Z` or an offset, Unix seconds), but a
/// value that is not a date Python's `datetime` can hold (`nan`, `inf`, `1e20`, the year 0) reads as no date:
/// rows are outside data, and such a value would trap the code that formats it.
enum DatabaseDate {
    /// Dates we write come from our clock; see ``NaiveUTCDate/format(clamping:separator:)``.
    static func format(_ date: Date) -> String {
        NaiveUTCDate.format(clamping: date, separator: " ")
    }

    static func parse(_ text: String) -> Date? {
        if let seconds = Double(text) { return date(unixSeconds: seconds) }
        return parseText(text).flatMap { NaiveUTCDate.isRepresentable($0) ? $0 : nil }
    }

    /// A date stored as Unix seconds (an SQLite integer or real), or `nil` when it is out of range or not finite.
    static func date(unixSeconds seconds: Double) -> Date? {
        let date = Date(timeIntervalSince1970: seconds)
        return NaiveUTCDate.isRepresentable(date) ? date : nil
    }

    private static func parseText(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        var fraction = 0.0
        var offsetSeconds = 0
        if scalars.count >= 19, let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) {
            parts.tm_hour = Int32(hour)
            parts.tm_min = Int32(minute)
            parts.tm_sec = Int32(second)
            var index = 19
            if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
                index += 1
                var scale = 0.1
                while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                    fraction += Double(scalars[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < scalars.count, scalars[index] == UInt8(ascii: "+") || scalars[index] == UInt8(ascii: "-") {
                let sign = scalars[index] == UInt8(ascii: "-") ? -1 : 1
                if let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6) {
                    offsetSeconds = sign * (hours * 3600 + minutes * 60)
                }
            }
        }
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds - offsetSeconds) + fraction)
    }
}
