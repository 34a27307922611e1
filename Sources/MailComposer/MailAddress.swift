import Foundation

/// An email address, optionally with a display name, checked so that it can go into a header or an SMTP command
/// as it is.
///
/// Only plain ASCII `local@domain` addresses (a dot-atom local part, a host name of letters, digits, hyphens and
/// dots) are accepted: no quoted local parts, no comments, no address literals, no internationalised addresses
/// (those need SMTPUTF8). That covers every address a platform account realistically has, and it makes CR, LF, angle
/// brackets and other characters that could end a command or a header impossible in an address.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public let address: String
    /// The name shown before the address, if any; never contains a control character.
    public let displayName: String?

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let problem: String
        public var description: String { "not a usable email address: \(problem)" }
    }

    /// Checks `address` (a bare `local@domain`).
    public init(address: String, displayName: String? = nil) throws(Invalid) {
        try Self.check(address)
        if let displayName, displayName.unicodeScalars.contains(where: HeaderText.isControl) {
            throw Invalid(problem: "the display name has a control character")
        }
        self.address = address
        let name = displayName?.trimmingWhitespace()
        self.displayName = name?.isEmpty == false ? name : nil
    }

    /// Reads `Name <local@domain>`, `"Name" <local@domain>` or `local@domain` (the forms of `MAIL_DEFAULT_SENDER`).
    public init(parsing text: String) throws(Invalid) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            try self.init(address: trimmed)
            return
        }
        let inner = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingWhitespace()
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        try self.init(address: inner, displayName: name)
    }

    /// The domain part, for the `Message-ID`.
    public var domain: Substring { address[address.index(after: address.lastIndex(of: "@")!)...] }

    public var description: String { displayName.map { "\($0) <\(address)>" } ?? address }

    /// The address as logs may show it: the first character of the local part and the domain (`a…@example.com`),
    /// enough to tell an operator which domain refuses mail without putting a person's address in the log.
    public static func masked(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@"), at != address.startIndex else { return "…" }
        return String(address[address.startIndex]) + "…" + address[at...]
    }

    private static let localCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.".unicodeScalars
    )
    private static let domainCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.".unicodeScalars
    )

    private static func check(_ address: String) throws(Invalid) {
        guard address.utf8.count <= 254 else { throw Invalid(problem: "longer than 254 characters") }
        guard let at = address.lastIndex(of: "@") else { throw Invalid(problem: "no @") }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64 else {
            throw Invalid(problem: "the part before @ is empty or too long")
        }
        guard local.unicodeScalars.allSatisfy(localCharacters.contains) else {
            throw Invalid(
                problem:
                    "the part before @ has a character outside plain ASCII letters, digits and !#$%&'*+-/=?^_`{|}~."
            )
        }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw Invalid(problem: "the part before @ has a misplaced dot")
        }
        guard !domain.isEmpty, domain.unicodeScalars.allSatisfy(domainCharacters.contains) else {
            throw Invalid(problem: "the domain must be letters, digits, hyphens and dots")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            throw Invalid(problem: "the domain has an empty or malformed label")
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(self).trimmingCharacters(in: .whitespaces)
    }
}
