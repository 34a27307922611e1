import NIOCore
import NIOSSL

/// Why a mail was not sent, and whether trying again later may help.
///
/// ``Kind/transient``: a 4xx reply, a timeout, a refused, reset or closed connection (also one closed under TLS),
/// a host that did not resolve.
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
        let text = clean(String(describing: error), scrubbing: [])
        if isConnectionCutUnderTLS(error) {
            return SMTPError(.transient, "the server closed the connection under TLS: \(text)")
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return SMTPError(.permanent, "TLS failed: \(text)")
        }
        return SMTPError(.transient, "connection failed: \(text)")
    }

    /// A TLS session the server ended by dropping the connection (no `close_notify`, end of stream or a failed read
    /// in the handshake): what a relay that restarts or sheds connections over its limit does. NIOSSL reports these
    /// as TLS errors, but they are faults of the connection and may pass; a certificate that does not verify stays
    /// permanent.
    private static func isConnectionCutUnderTLS(_ error: any Error) -> Bool {
        if error is NIOSSLCloseTimedOutError { return true }
        switch error as? NIOSSLError {
        case .uncleanShutdown?, .handshakeFailed(.syscallError)?: return true
        case .handshakeFailed(.sslError(let stack))?: return stack.contains(.eofDuringHandshake)
        default: return false
        }
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
