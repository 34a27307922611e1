import ExchangeBotStorage
import PostgresStorage

/// The database engine and place `DATABASE_URL` names. SQLite is the embedded default (nothing to install);
/// PostgreSQL is for joining the platform's own database, and for running more than one instance.
///
/// It prints as ``description`` however it is printed, so interpolating one shows no password.
public enum DatabaseTarget: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    case sqlite(DatabaseLocation)
    case postgres(PostgresURL)

    /// Where the database is, for people: a path, or the URL with its password hidden.
    public var description: String {
        switch self {
        case .sqlite(.inMemory): "SQLite in memory"
        case .sqlite(.file(let path)): "SQLite \(path)"
        case .postgres(let url): "PostgreSQL \(url.redacted)"
        }
    }

    public var debugDescription: String { description }
}
