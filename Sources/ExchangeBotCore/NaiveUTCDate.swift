import Foundation

/// Dates as the Python seed writes them: naive UTC with microseconds, `2024-01-02 03:04:05.123456` in SQLite and
/// `2024-01-02T03:04:05.123456` in its JSON. Shared by the store and the REST API so both sides agree to the digit.
public enum NaiveUTCDate {
    public static func format(_ date: Date, separator: String) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = Int(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02d%@%02d:%02d:%02d.%06d",
            Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1,
            Int(parts.tm_mday),
            separator,
            Int(parts.tm_hour),
            Int(parts.tm_min),
            Int(parts.tm_sec),
            micros
        )
    }
}
