/// Where and how ``SMTPClient`` reaches the mail server (Flask-Mail's `MAIL_*` settings, already checked).
public struct SMTPSettings: Sendable {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// Plain text (`MAIL_USE_TLS` and `MAIL_USE_SSL` both false). AUTH is still refused unless the server is on
        /// loopback.
        case none
        /// STARTTLS after the greeting (`MAIL_USE_TLS`). Required: a server that does not offer it gets nothing.
        case startTLS
        /// TLS from the first byte (`MAIL_USE_SSL`, port 465 usually).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// `nil`: no AUTH.
    public var credentials: SMTPCredentials?
    /// PEM files of certificates trusted in addition to the system's roots (a private CA, or a test's throw-away
    /// certificate). Verification itself is never turned off.
    public var additionalTrustRoots: [String]
    /// The name given in EHLO; `nil` gives the connection's local address as an address literal (`[192.0.2.1]`),
    /// which RFC 5321 allows and which never leaks a host name.
    public var heloName: String?
    public var connectTimeout: Duration
    /// How long each reply may take, the greeting and the final reply to DATA included.
    public var replyTimeout: Duration

    public init(
        host: String,
        port: Int = 25,
        security: Security = .none,
        credentials: SMTPCredentials? = nil,
        additionalTrustRoots: [String] = [],
        heloName: String? = nil,
        connectTimeout: Duration = .seconds(15),
        replyTimeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
        self.additionalTrustRoots = additionalTrustRoots
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }
}

/// A user name and password for SMTP AUTH. The password never prints itself: interpolation, logs and dumps show
/// `<redacted>`.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let username: String
    let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "\(username):<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username]) }
}
