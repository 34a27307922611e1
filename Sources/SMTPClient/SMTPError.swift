import NIOCore
import NIOSSL

/// Why a mail was not sent, and whether trying again later may help.
///
/// ``Kind/transient``: a 4xx reply, a timeout, a refused, reset or closed connection, a host that did not resolve.
/// ``Kind/permanent``: a 5xx reply, a TLS failure (a certificate that does not verify, STARTTLS not offered when
/// required), an address this client cannot send to, AUTH refused before the password would travel in clear.
/// The description holds the server's reply text, cut short and with control characters and the credentials
/// removed, never the password.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case transient
        case permanent
    }

    public let kind: Kind
    /// The server's reply code, when the server refused.
    public let code: Int?
    public let description: String

    public init(_ kind: Kind, _ description: String, code: Int? = nil) {
        self.kind = kind
        self.code = code
        self.description = description
    }

    public var isTransient: Bool { kind == .transient }

    /// The longest server text an error repeats.
    static let textLimit = 200

    /// A reply that was not the one expected: 4xx transient, anything else permanent.
    static func refused(_ reply: SMTPReply, to command: String, scrubbing secrets: [String]) -> SMTPError {
        let kind: Kind = (400..<500).contains(reply.code) ? .transient : .permanent
        let text = clean(reply.text, scrubbing: secrets)
        return SMTPError(kind, "the server answered \(command) with \(reply.code) \(text)", code: reply.code)
    }

    /// An error from the network or TLS layer, classified.
    static func from(_ error: any Error) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return SMTPError(.permanent, "TLS failed: \(clean(String(describing: error), scrubbing: []))")
        }
        return SMTPError(.transient, "connection failed: \(clean(String(describing: error), scrubbing: []))")
    }

    /// `text` without control characters or any of `secrets`, at most ``textLimit`` characters.
    static func clean(_ text: String, scrubbing secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 3 {
            result = result.replacing(secret, with: "<redacted>")
        }
        result = String(
            String.UnicodeScalarView(result.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 })
        )
        return result.count > textLimit ? String(result.prefix(textLimit)) + "…" : result
    }
}
