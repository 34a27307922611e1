import Crypto
import ExchangeBotCore
import Foundation

/// Byte-to-text encodings the exchanges put in headers.
enum Encoding {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex: MEXC accepts only lowercase, and the other hex exchanges document lowercase too.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Standard base64 with padding (RFC 4648 §4).
    static func base64(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// base64url without padding (RFC 4648 §5), as JWS requires (RFC 7515 §2).
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        var text = base64(bytes)
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}

/// HMAC and digest helpers over UTF-8 text, the way every exchange feeds its string-to-sign.
enum MAC {
    static func sha256(_ message: some DataProtocol, key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    static func sha512(_ message: some DataProtocol, key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
    }

    static func sha256(_ message: String, key: SymmetricKey) -> [UInt8] { sha256(Data(message.utf8), key: key) }

    static func sha512(_ message: String, key: SymmetricKey) -> [UInt8] { sha512(Data(message.utf8), key: key) }
}

/// Turns a secret into an HMAC key. These and the passphrase/PEM handling in the signers are the only places that
/// read ``SecretString/exposedValue``.
enum SigningKey {
    /// The secret's UTF-8 bytes as the key (Binance, Bybit, OKX, Gate, MEXC, KuCoin): these exchanges hand out
    /// secrets that look like hex or base64 but sign with the text itself.
    static func utf8(_ secret: SecretString) -> SymmetricKey {
        SymmetricKey(data: Data(secret.exposedValue.utf8))
    }

    /// The base64-decoded secret as the key (Kraken, Coinbase Exchange).
    static func base64(_ secret: SecretString, exchange: ExchangeID) throws(SigningError) -> SymmetricKey {
        guard let bytes = Data(base64Encoded: secret.exposedValue), !bytes.isEmpty else {
            throw .secretNotBase64(exchange)
        }
        return SymmetricKey(data: bytes)
    }
}

/// Checks shared by every signer before it touches the secret.
enum CredentialCheck {
    static func validate(_ credentials: Credentials, for exchange: ExchangeID) throws(SigningError) {
        guard credentials.exchange == exchange else {
            throw .wrongExchange(expected: exchange, got: credentials.exchange)
        }
        guard !credentials.apiKey.isEmpty, !credentials.apiSecret.isEmpty else {
            throw .missingKeyOrSecret(exchange)
        }
    }

    /// The passphrase of an exchange that requires one, after ``validate(_:for:)``.
    static func passphrase(_ credentials: Credentials, for exchange: ExchangeID) throws(SigningError) -> SecretString {
        try validate(credentials, for: exchange)
        guard let passphrase = credentials.passphrase, !passphrase.isEmpty else {
            throw .missingPassphrase(exchange)
        }
        return passphrase
    }

    /// Binance, MEXC and Bybit reject windows above 60 s; zero or negative would make every request stale.
    static func receiveWindow(_ milliseconds: Int) throws(SigningError) {
        guard (1...60_000).contains(milliseconds) else { throw .receiveWindowOutOfRange(milliseconds) }
    }
}

/// Timestamps in the units the exchanges use, all derived from whole milliseconds so that a time given in
/// milliseconds round-trips exactly despite `Date`'s floating-point storage.
enum SigningTime {
    /// The times a signer accepts: years 1 to 9999. The time to sign for is our clock plus the offset learnt from
    /// an exchange's answer, so it is outside data; a plain `Int64(_:)` of a non-finite or huge value would trap.
    static let range: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    static func milliseconds(_ time: Date) throws(SigningError) -> Int64 {
        guard let milliseconds = Int64(exactly: (time.timeIntervalSince1970 * 1000).rounded()),
            range.contains(milliseconds)
        else { throw .timeOutOfRange }
        return milliseconds
    }

    /// Whole seconds, rounded down like Python's `int(time.time())`.
    static func seconds(_ time: Date) throws(SigningError) -> Int64 {
        let milliseconds = try milliseconds(time)
        return milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
    }

    /// `2020-12-08T09:08:57.715Z`: UTC, exactly three fractional digits, `Z` (OKX).
    ///
    /// Computed by hand rather than with a date formatter, which depends on calendars and is not guaranteed
    /// to give milliseconds in the same form on every platform.
    static func iso8601Milliseconds(_ time: Date) throws(SigningError) -> String {
        let millisecondsPerDay: Int64 = 86_400_000
        let total = try milliseconds(time)
        var days = total / millisecondsPerDay
        var remainder = total % millisecondsPerDay
        if remainder < 0 {
            remainder += millisecondsPerDay
            days -= 1
        }
        // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date
        // algorithms", civil_from_days).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        let hour = remainder / 3_600_000
        let minute = remainder / 60_000 % 60
        let second = remainder / 1000 % 60
        let millisecond = remainder % 1000
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T"
            + "\(padded(hour, 2)):\(padded(minute, 2)):\(padded(second, 2)).\(padded(millisecond, 3))Z"
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Form-style `k=v&k=v` text (a query string or a form body).
enum FormText {
    /// `text&pair`, or just `pair` when `text` is empty.
    static func appending(_ pair: String, to text: String) -> String {
        text.isEmpty ? pair : "\(text)&\(pair)"
    }
}
