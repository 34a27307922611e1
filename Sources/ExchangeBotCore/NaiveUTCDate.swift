import Foundation

/// Dates as the Python seed writes them: naive UTC with microseconds, `2024-01-02 03:04:05.123456` in SQLite and
/// `2024-01-02T03:04:05.123456` in its JSON. Shared by the store and the REST API so both sides agree to the digit.
///
/// Digits are written by hand: `String(format:)` was a fifth of the CPU time of listing keys over REST.
public enum NaiveUTCDate {
    /// Seconds since 1970 of the dates Python's `datetime` can hold, 0001-01-01 00:00:00 to 9999-12-31 23:59:59
    /// (the fraction of that last second is left out, so rounding to microseconds cannot reach the year 10000).
    /// Dates come from the database, which the Python side and anyone with file access write: they are outside
    /// data, and converting a non-finite or huge one to `Int` would trap.
    public static let range: ClosedRange<TimeInterval> = -62_135_596_800...253_402_300_799

    /// Whether `date` is finite and within ``range``, so ``format(_:separator:)`` can write it.
    public static func isRepresentable(_ date: Date) -> Bool {
        range.contains(date.timeIntervalSince1970)
    }

    /// The date as naive UTC text, or `nil` for a date outside ``range`` (or not finite), which no seed reader
    /// could parse back.
    public static func format(_ date: Date, separator: Character) -> String? {
        isRepresentable(date) ? format(clamping: date, separator: separator) : nil
    }

    /// The date as naive UTC text, moved into ``range`` first (a date that is not a number counts as the range's
    /// start). For dates we write ourselves, from our clock: a broken clock must neither trap nor write text the
    /// seed cannot read.
    public static func format(clamping date: Date, separator: Character) -> String {
        let raw = date.timeIntervalSince1970
        let interval = raw.isNaN ? range.lowerBound : min(max(raw, range.lowerBound), range.upperBound)
        var seconds = Int(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let separatorByte = separator.asciiValue ?? UInt8(ascii: " ")
        return String(unsafeUninitializedCapacity: 26) { buffer in
            var index = 0
            func put(_ value: Int, digits: Int) {
                var divisor = 1
                for _ in 1..<digits { divisor *= 10 }
                var remaining = value
                while divisor > 0 {
                    buffer[index] = UInt8(ascii: "0") + UInt8(remaining / divisor % 10)
                    remaining %= divisor
                    divisor /= 10
                    index += 1
                }
            }
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            put(Int(parts.tm_year) + 1900, digits: 4)
            put(UInt8(ascii: "-"))
            put(Int(parts.tm_mon) + 1, digits: 2)
            put(UInt8(ascii: "-"))
            put(Int(parts.tm_mday), digits: 2)
            put(separatorByte)
            put(Int(parts.tm_hour), digits: 2)
            put(UInt8(ascii: ":"))
            put(Int(parts.tm_min), digits: 2)
            put(UInt8(ascii: ":"))
            put(Int(parts.tm_sec), digits: 2)
            put(UInt8(ascii: "."))
            put(micros, digits: 6)
            return index
        }
    }
}
