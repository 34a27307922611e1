import ExchangeBotCore
import ExchangeSigning
import Foundation

/// One exchange's part of validating a key: which authenticated call proves it, how to read the answer, how to
/// read the exchange's clock. Pure: no I/O, no clock; ``ExchangeValidator`` signs, sends and retries.
protocol ExchangeAdapter: Sendable {
    var exchange: ExchangeID { get }

    /// The first request, unsigned. `nonce` is a strictly increasing number for exchanges that need one.
    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest

    /// What an answer means: a report, a refusal, or another request to make (a fallback endpoint).
    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation

    /// The exchange's public server-time endpoint and how to read it.
    var serverTimeRequest: ExchangeRequest { get }
    func serverTime(from response: ExchangeHTTPResponse) -> Date?
}

enum Interpretation: Sendable {
    case report(ValidationReport)
    case refused(CredentialError)
    case follow(ExchangeRequest)
}

/// Readings shared by the adapters: JSON access and the answers every exchange gives the same way.
enum Answer {
    /// Errors that do not depend on the exchange's own codes: rate limits, outages, region blocks, garbage.
    static func generic(_ response: ExchangeHTTPResponse) -> CredentialError {
        switch response.status {
        case 429, 418: return .rateLimited
        case 451: return .exchangeUnavailable("blocked in this region (HTTP 451)")
        case 500...599: return .exchangeUnavailable("HTTP \(response.status)")
        case 403 where response.json == nil: return .exchangeUnavailable("HTTP 403 from a firewall or region block")
        default: break
        }
        if response.json == nil {
            let kind = looksLikeHTML(response.body) ? "an HTML page" : "a body that is not JSON"
            return .unexpectedResponse("HTTP \(response.status) with \(kind)")
        }
        return .unexpectedResponse("HTTP \(response.status)")
    }

    static func looksLikeHTML(_ body: Data) -> Bool {
        let prefix = String(decoding: body.prefix(64), as: UTF8.self).lowercased()
        return prefix.contains("<html") || prefix.contains("<!doctype")
    }

    static func object(_ response: ExchangeHTTPResponse) -> [String: Any]? { response.json as? [String: Any] }

    /// A whole number that an exchange may send as a JSON number or a string. `NSNumber.intValue` turns `1e300`
    /// into `Int.min` and `1.5` into 1, so only numbers whose value is exactly an `Int` count.
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber: Double(number.intValue) == number.doubleValue ? number.intValue : nil
        case let text as String: Int(text)
        default: nil
        }
    }

    /// A number that an exchange may send as a JSON number or a string. It may be `nan` or infinite (`Double`
    /// parses "nan" and "inf"): callers check the range of what they use.
    static func double(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: number.doubleValue
        case let text as String: Double(text)
        default: nil
        }
    }

    static func bool(_ value: Any?) -> Bool? {
        switch value {
        case let number as NSNumber: number.boolValue
        case let text as String:
            ["true", "1"].contains(text.lowercased())
                ? true : (["false", "0"].contains(text.lowercased()) ? false : nil)
        default: nil
        }
    }

    static func milliseconds(_ value: Any?) -> Date? {
        double(value).map { Date(timeIntervalSince1970: $0 / 1000) }
    }

    static func seconds(_ value: Any?) -> Date? {
        double(value).map { Date(timeIntervalSince1970: $0) }
    }

    /// A report's structure is not what the exchange documents.
    static func malformed(_ what: String) -> Interpretation {
        .refused(.unexpectedResponse("the \(what) answer lacks the documented fields"))
    }
}
