import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed without ever trapping on malformed text.
///
/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, what a dual-stack listener reports for IPv4 peers) are read as
/// the IPv4 address they carry, so one CIDR list covers both ways a peer can appear.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses the textual forms `inet_pton` accepts (dotted quad, RFC 4291 IPv6); `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        // An address is never longer than 45 characters (an IPv6 address with an embedded IPv4 tail); refusing
        // longer input up front also keeps the C call away from arbitrary lengths.
        guard !text.isEmpty, text.utf8.count <= 45, !text.contains("%") else { return nil }
        let string = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        bytes = Array(raw.prefix(12)) == mappedPrefix ? Array(raw.suffix(4)) : raw
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The canonical text (`inet_ntop`: IPv6 compressed, lower case).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A CIDR block such as `10.0.0.0/8` or `fd00::/8` (a bare address is its own /32 or /128).
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    /// Parses `address[/prefix]`; `nil` when the address or prefix is malformed or the prefix is out of range.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            // A mapped IPv6 CIDR (`::ffff:10.0.0.0/104`) is written with the IPv6 length: take the IPv4 part.
            let written = parts[1]
            guard (1...3).contains(written.count), written.allSatisfy(\.isASCII), let value = Int(written) else {
                return nil
            }
            let mappedV6 = address.bytes.count == 4 && parts[0].contains(":")
            length = mappedV6 ? value - 96 : value
            guard (0...maximum).contains(length) else { return nil }
        }
        network = address
        prefixLength = length
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(network.bytes, address.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if mine & mask != theirs & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }

    /// Parses a comma-separated list (`TRUSTED_PROXIES`); returns the first malformed entry on failure.
    public static func list(_ text: String) -> Result<[IPAddressRange], InvalidEntry> {
        var ranges: [IPAddressRange] = []
        for part in text.split(separator: ",") {
            let entry = part.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            guard let range = IPAddressRange(entry) else {
                return .failure(InvalidEntry(text: String(entry.prefix(60))))
            }
            ranges.append(range)
        }
        return .success(ranges)
    }

    /// A list entry that is not a CIDR block (shortened, for the error message).
    public struct InvalidEntry: Error, Sendable {
        public let text: String

        public init(text: String) {
            self.text = text
        }
    }
}
