/// `API_ROOT_PATH`: a path prefix (such as `/api/exchanges`) under which every route also answers, so a reverse
/// proxy that forwards `/api/exchanges/…` unchanged (nginx's `proxy_pass` without a URI part) reaches the same
/// routes as a client that calls `/…` directly.
///
/// Only a plain path is accepted: it starts with `/`, has no trailing slash and no empty, `.` or `..` segment, and
/// holds only RFC 3986's unreserved characters (letters, digits, `-`, `.`, `_`, `~`) between the slashes. That
/// keeps the prefix safe to compare with a raw request target and to print into the OpenAPI document as is.
public struct APIRootPath: Sendable, Equatable, CustomStringConvertible {
    /// The prefix, such as `/api/exchanges`; empty when there is none.
    public let value: String

    /// No prefix: the routes answer at `/` only.
    public static let none = APIRootPath(unchecked: "")

    /// Longest prefix accepted (a path prefix longer than this is a mistake, not a deployment).
    static let maximumLength = 256

    /// Checks `text`; `nil` when it is not a plain path prefix. Empty text is ``none``.
    public init?(_ text: String) {
        guard !text.isEmpty else {
            self = .none
            return
        }
        guard text.utf8.count <= Self.maximumLength, text.hasPrefix("/"), !text.hasSuffix("/") else { return nil }
        let segments = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != "..",
                segment.utf8.allSatisfy(Self.isUnreserved)
            else { return nil }
        }
        self.init(unchecked: text)
    }

    private init(unchecked value: String) {
        self.value = value
    }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { value.isEmpty ? "(none)" : value }

    /// The request target (path and query) with the prefix taken off, or `nil` when it does not start with the
    /// prefix followed by `/`, `?` or its end. `/api/exchanges` and `/api/exchanges?x` become `/` and `/?x`;
    /// `/api/exchangesfoo` is not under the prefix.
    func strip(_ target: String) -> String? {
        guard !value.isEmpty, target.hasPrefix(value) else { return nil }
        let rest = target.dropFirst(value.count)
        guard let first = rest.first else { return "/" }
        switch first {
        case "/": return String(rest)
        case "?": return "/" + rest
        default: return nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
