import Foundation
import PostgresNIO

/// A PostgreSQL `DATABASE_URL` in SQLAlchemy's forms, parsed into what `PostgresClient` needs.
///
/// Accepts `postgresql://`, `postgres://` and the driver-qualified `postgresql+psycopg2://`, `postgresql+psycopg://`,
/// `postgresql+asyncpg://`; `user:password@host:port/dbname` with URL escapes; `?sslmode=` (`disable`, `allow`,
/// `prefer`, `require`, `verify-ca`, `verify-full`), `?options=-csearch_path%3Dschema` (or `-c search_path=…`) and
/// `?host=/socket/dir` for a Unix socket, as libpq reads them. Written by hand because postgres-kit's parser knows
/// neither the `+driver` forms nor `options`, and pulling in SQLKit for one parser is not worth it.
public struct PostgresURL: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// A Unix socket path, when the URL names a socket folder (`?host=/run/postgresql`).
    public var socketPath: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// The schema to use first (`search_path`), from `options`.
    public var searchPath: String?

    public struct InvalidURL: Error, CustomStringConvertible {
        public let description: String
    }

    static let schemes = ["postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+asyncpg"]

    /// Whether `url` names PostgreSQL at all (so a caller can choose the engine before parsing).
    public static func isPostgres(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return false }
        return schemes.contains(url[..<colon].lowercased())
    }

    public init(_ text: String) throws(InvalidURL) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let schemeEnd = trimmed.range(of: "://"),
            Self.schemes.contains(trimmed[..<schemeEnd.lowerBound].lowercased())
        else {
            throw InvalidURL(
                description: "DATABASE_URL must start with postgresql:// (or postgres://, postgresql+psycopg2://)"
            )
        }
        // Re-read as a generic URL: URLComponents splits user, password, host, port, path and query for us.
        guard let components = URLComponents(string: "postgresql://" + trimmed[schemeEnd.upperBound...]) else {
            throw InvalidURL(description: "DATABASE_URL is not a valid URL")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") },
            uniquingKeysWith: { _, last in last }
        )
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.percentEncodedPath.drop { $0 == "/" }
        database = String(path).removingPercentEncoding ?? String(path)
        if database.isEmpty { database = username }
        host = components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        socketPath = nil
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            socketPath = socketFolder
        } else if let named = query["host"], !named.isEmpty {
            host = named
        }
        if host.isEmpty && socketPath == nil { host = "localhost" }
        port = components.port ?? query["port"].flatMap { Int($0) } ?? 5432
        guard (1...65535).contains(port) else { throw InvalidURL(description: "DATABASE_URL has an invalid port") }
        if let socketFolder = socketPath, !socketFolder.hasSuffix(".s.PGSQL.\(port)") {
            socketPath = socketFolder + "/.s.PGSQL.\(port)"
        }
        let mode = query["sslmode"] ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw InvalidURL(
                description: "DATABASE_URL has sslmode=\(mode); use disable, prefer, require or verify-full"
            )
        }
        tlsMode = tls
        searchPath = try query["options"].flatMap { options throws(InvalidURL) in try Self.searchPath(in: options) }
    }

    /// The `search_path` a libpq `options` value sets (`-csearch_path=x` or `-c search_path=x`); other options are
    /// refused rather than ignored, since the service would not honour them.
    static func searchPath(in options: String) throws(InvalidURL) -> String? {
        let words = options.split(separator: " ").map(String.init)
        var index = 0
        var found: String?
        while index < words.count {
            var setting = words[index]
            if setting == "-c", index + 1 < words.count {
                index += 1
                setting = words[index]
            } else if setting.hasPrefix("-c") {
                setting = String(setting.dropFirst(2))
            } else {
                throw InvalidURL(description: "DATABASE_URL options may only set search_path (-csearch_path=schema)")
            }
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "search_path", !parts[1].isEmpty else {
                throw InvalidURL(description: "DATABASE_URL options may only set search_path (-csearch_path=schema)")
            }
            found = parts[1]
            index += 1
        }
        return found
    }

    /// The URL as it may be shown: the password replaced by `***`.
    public var redacted: String {
        let credentials = password == nil ? username : "\(username):***"
        let place = socketPath.map { "[\($0)]" } ?? "\(host):\(port)"
        return "postgresql://\(credentials)@\(place)/\(database)"
    }

    /// The client's configuration. Every session runs in UTC, so `timestamp without time zone` values (what
    /// SQLAlchemy's `DateTime` creates) hold naive UTC, as the Python side writes them. Every session also runs at
    /// `synchronous_commit=on`, whatever the server's or the database's default: the exactly-once promises (an update
    /// acknowledged to Telegram, a message marked sent) rest on a commit being on disk when it returns.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(
                unixSocketPath: socketPath,
                username: username,
                password: password,
                database: database
            )
        } else {
            configuration = .init(
                host: host,
                port: port,
                username: username,
                password: password,
                database: database,
                tls: try tls()
            )
        }
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The same settings for one plain connection (``PostgresPool/probe(_:logger:)``).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = .init(
                unixSocketPath: socketPath,
                username: username,
                password: password,
                database: database
            )
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .allow, .prefer: tls = .prefer(try NIOSSLContext(configuration: try tlsConfiguration()))
            case .require, .verifyCA, .verifyFull:
                tls = .require(try NIOSSLContext(configuration: try tlsConfiguration()))
            }
            configuration = .init(
                host: host,
                port: port,
                username: username,
                password: password,
                database: database,
                tls: tls
            )
        }
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    private var startupParameters: [(String, String)] {
        [("TimeZone", "UTC"), ("synchronous_commit", "on")]
            + (searchPath.map { [("options", "-csearch_path=\($0)")] } ?? [])
    }

    /// What libpq's `sslmode` asks of the certificate: `verify-full` checks it and the host name, `verify-ca` only
    /// the chain; `prefer` and `require` encrypt without checking (libpq's meaning without a root certificate).
    private func tlsConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .verifyFull: break
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        default: configuration.certificateVerification = .none
        }
        return configuration
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        switch tlsMode {
        case .disable: .disable
        case .allow, .prefer: .prefer(try tlsConfiguration())
        case .require, .verifyCA, .verifyFull: .require(try tlsConfiguration())
        }
    }
}

/// Every way Swift prints a value (`"\(url)"`, `String(reflecting:)`, `dump`) shows the URL with its password
/// hidden: a log line or an error message that interpolates one can never carry the database password.
extension PostgresURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { redacted }
    public var debugDescription: String { redacted }
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host as Any, "port": port, "socketPath": socketPath as Any, "username": username,
                "password": (password == nil ? nil : "***") as Any, "database": database, "tlsMode": tlsMode,
                "searchPath": searchPath as Any,
            ]
        )
    }
}
