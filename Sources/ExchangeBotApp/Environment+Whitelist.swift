import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `WHITELIST_IPS`: the server's outgoing addresses, which users bind their exchange keys to.
extension Environment {
    /// `WHITELIST_IPS`, comma-separated IPv4 or IPv6 addresses (empty or unset: none are shown). Each is checked
    /// with the system's parser, so what the bot shows a user to copy is an address an exchange accepts.
    public func whitelistIPs() throws(ConfigurationError) -> [String] {
        var addresses = [String]()
        for part in (self["WHITELIST_IPS"] ?? "").split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard Self.isIPAddress(text) else {
                throw ConfigurationError(
                    "WHITELIST_IPS",
                    "must be a comma-separated list of IPv4 or IPv6 addresses (such as 203.0.113.7, 2001:db8::7)"
                )
            }
            if !addresses.contains(text) { addresses.append(text) }
        }
        return addresses
    }

    static func isIPAddress(_ text: String) -> Bool {
        guard text.utf8.count <= 45 else { return false }
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
