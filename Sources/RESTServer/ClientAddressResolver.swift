import HTTPTypes
import Hummingbird
import NIOCore

/// Who is calling: the peer's address, or, when the peer is a trusted proxy (`TRUSTED_PROXIES`), the client it
/// forwards for.
///
/// `X-Forwarded-For` is read right to left and the first address that is not itself a trusted proxy is the
/// client: each proxy appends the address it saw, so everything left of the last untrusted hop may have been
/// written by the client and proves nothing. `X-Real-IP` is used when there is no `X-Forwarded-For`. Headers from
/// an untrusted peer are ignored, and any malformed chain falls back to the peer address: a forged or garbled
/// header can never choose someone else's rate-limit bucket, nor trap the process.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [IPAddressRange]
    /// Hops read from the right before giving up on a chain (longer ones are garbage or an attack).
    static let maximumHops = 32
    /// Header bytes read at most (beyond it the chain is treated as malformed).
    static let maximumHeaderBytes = 4096

    public init(trustedProxies: [IPAddressRange] = []) {
        self.trustedProxies = trustedProxies
    }

    /// The client address for a request from `peer`; `nil` only when the peer has no IP address (a Unix socket).
    public func resolve(peer: SocketAddress?, headers: HTTPFields) -> IPAddress? {
        guard let peerText = peer?.ipAddress, let peerAddress = IPAddress(peerText) else { return nil }
        guard isTrusted(peerAddress) else { return peerAddress }
        switch forwardedFor(headers) {
        case .client(let address): return address
        case .malformed: return peerAddress
        case .absent:
            let realIP = headers[values: Self.xRealIP]
            guard realIP.count == 1, let address = Self.address(in: realIP[0]) else { return peerAddress }
            return address
        }
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    private enum Chain {
        case absent, malformed
        case client(IPAddress)
    }

    private func forwardedFor(_ headers: HTTPFields) -> Chain {
        let values = headers[values: Self.xForwardedFor]
        guard !values.isEmpty else { return .absent }
        guard values.reduce(0, { $0 + $1.utf8.count }) <= Self.maximumHeaderBytes else { return .malformed }
        // Repeated headers are one list, in order (RFC 9110 §5.3).
        let hops = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        var leftmost: IPAddress?
        for hop in hops.reversed().prefix(Self.maximumHops) {
            guard let address = Self.address(in: hop) else { return .malformed }
            if !isTrusted(address) { return .client(address) }
            leftmost = address
        }
        // Every hop is a trusted proxy: the request started inside; the left-most hop is the nearest to it.
        guard hops.count <= Self.maximumHops, let leftmost else { return .malformed }
        return .client(leftmost)
    }

    /// One hop: an address, optionally `[ipv6]`, `[ipv6]:port` or `ipv4:port` (some proxies add the port).
    static func address(in hop: some StringProtocol) -> IPAddress? {
        var text = Substring(hop).trimmingASCIISpaces()
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            guard isPort(text[text.index(after: colon)...]) else { return nil }
            text = text[..<colon]
        }
        return IPAddress(text)
    }

    private static func isPort(_ text: Substring) -> Bool {
        (1...5).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xRealIP = HTTPField.Name("X-Real-IP")!
}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

extension IPAddress {
    /// The rate-limit bucket of this address: IPv6 clients are grouped by /64, the block one subscriber gets, so
    /// rotating through one's own addresses gains nothing.
    var bucketKey: String {
        guard bytes.count == 16 else { return "address:" + description }
        return "address:" + IPAddress(prefixOf: self, bytes: 8).description + "/64"
    }

    private init(prefixOf address: IPAddress, bytes count: Int) {
        self.init(
            unchecked: Array(address.bytes.prefix(count)) + Array(repeating: 0, count: address.bytes.count - count)
        )
    }
}
