import Foundation

/// Whether a URL's host is this machine: the only place plain `http://` may go without `ALLOW_INSECURE_URLS`,
/// since the Telegram bot token travels in the URL and exchange keys in the headers.
///
/// Addresses are parsed with `inet_pton`, so only exact literals count: `127.0.0.1.example.com`, `127.1` or
/// `localhost.example.com` are not loopback.
enum LoopbackHost {
    /// `localhost`, an IPv4 address in 127.0.0.0/8, `::1`, or an IPv4-mapped IPv6 address in 127.0.0.0/8; an
    /// IPv6 literal may keep its URL brackets.
    static func contains(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        var ipv4 = in_addr()
        if inet_pton(AF_INET, name, &ipv4) == 1 {
            return withUnsafeBytes(of: &ipv4) { $0[0] == 127 }
        }
        var ipv6 = in6_addr()
        guard inet_pton(AF_INET6, name, &ipv6) == 1 else { return false }
        return withUnsafeBytes(of: &ipv6) { bytes in
            let loopback = bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
            let mapped = bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            return loopback || (mapped && bytes[12] == 127)
        }
    }
}
