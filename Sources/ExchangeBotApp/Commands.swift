import AccessTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation

/// What each command of `exchange-bot` does, apart from parsing its arguments: the executable only parses and
/// prints. Every command returns the lines to print; none of them contains a secret except `generate-key`'s and
/// `token`'s last line, which are what was asked for.
public enum Commands {
    /// Opens the configured database (creating its folder and file) and brings its schema up to date.
    public static func openDatabase(_ environment: Environment, concurrentReads: Bool = false) throws -> AppDatabase {
        let location = try environment.databaseLocation()
        do {
            return try AppDatabase.open(location, concurrentReads: concurrentReads)
        } catch {
            throw ConfigurationError("DATABASE_URL", "cannot open the database (\(Self.describe(error)))")
        }
    }

    /// `migrate`: creates or upgrades the schema.
    public static func migrate(_ environment: Environment) throws -> [String] {
        let database = try openDatabase(environment)
        let applied = try database.appliedMigrations()
        return ["database \(describe(try environment.databaseLocation())) is at schema \(applied.last ?? "none")"]
    }

    /// `generate-key`: a new Fernet key, on the last line.
    public static func generateKey() -> [String] {
        [
            "New Fernet key for BRAIN_CAPITAL_MASTER_KEY (to rotate, put it first: NEW,OLD, then run rotate-key):",
            FernetKey.generate().base64,
        ]
    }

    /// `rotate-key`: re-encrypts every stored secret under the first key of `BRAIN_CAPITAL_MASTER_KEY`.
    public static func rotateKey(_ environment: Environment, now: Date = Date()) throws -> [String] {
        let ring = try environment.masterKeys()
        let database = try openDatabase(environment)
        // Only "does any stored token open?" matters here: rotation opens every token itself and refuses, changing
        // nothing, if any does not.
        let check = try MasterKeyCheck.run(database, ring: ring, stoppingAtFirstReadable: true)
        if check.wrongKey { throw wrongKeyError(check) }
        let report = try MasterKeyRotation.rotate(database, ring: ring, at: now)
        return [
            "rotated \(report.secrets) secret(s) and \(report.passphrases) passphrase(s) in \(report.rows) key row(s) "
                + "to master key \(report.primaryFingerprint) (\(report.alreadyUnderPrimary) were already under it)",
            ring.fernets.count > 1
                ? "every stored secret now opens with the first key; the other keys can be removed from "
                    + "BRAIN_CAPITAL_MASTER_KEY once every running instance uses the new list"
                : "only one key is configured: rotation re-sealed every token with it",
        ]
    }

    /// `token USER_ID`: a REST bearer token, on the last line.
    public static func token(_ environment: Environment, userID: Int64, now: Date = Date()) async throws -> [String] {
        let secretKey = try environment.secretKey()
        let maxAge = try environment.tokenMaxAge()
        var lines = [String]()
        if let database = try? openDatabase(environment) {
            let store = SQLiteExchangeStore(database: database, ring: try MultiFernet(keys: [FernetKey.generate()]))
            switch try await store.user(id: userID) {
            case nil: lines.append("warning: no user with id \(userID) exists; the API will refuse this token")
            case .some(let user) where !user.isActive:
                lines.append("warning: user \(userID) is deactivated; the API will refuse this token")
            default: break
            }
        }
        let authority = BearerTokenAuthority(secretKey: secretKey.exposedValue, maxAge: maxAge)
        lines.append("token for user \(userID), valid for \(maxAge) s:")
        lines.append(authority.mint(userID: userID, at: now))
        return lines
    }

    /// The checks `run` makes before it starts anything: a usable master key that opens the stored secrets.
    /// It migrates over a single connection, so a refusal leaves an up-to-date database untouched.
    public static func preflight(_ environment: Environment) throws -> (MultiFernet, MasterKeyCheck.Report) {
        let ring = try environment.masterKeys()
        let database = try openDatabase(environment)
        let check = try MasterKeyCheck.run(database, ring: ring)
        if check.wrongKey { throw wrongKeyError(check) }
        return (ring, check)
    }

    static func wrongKeyError(_ check: MasterKeyCheck.Report) -> ConfigurationError {
        ConfigurationError(
            Environment.masterKeyVariable,
            "opens none of the \(check.tokens) stored secret(s): it is not the key they were encrypted with. "
                + "Configure the key in use (a comma-separated list may hold old and new keys)"
        )
    }

    static func describe(_ location: DatabaseLocation) -> String {
        switch location {
        case .inMemory: "in memory"
        case .file(let path): path
        }
    }

    /// An error's text for people. Errors of this product describe themselves without secrets; others are
    /// reduced to their type, since a foreign error's text may quote anything.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ConfigurationError: error.description
        case let error as ApprovalError: error.message
        case let error as FernetError: error.description
        case let error as MasterKeyRotation.UnreadableSecrets: error.description
        default: AppDatabase.summary(of: error) ?? String(describing: type(of: error))
        }
    }
}
