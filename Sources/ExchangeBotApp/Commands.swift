import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import Logging
import PostgresStorage
import ServiceMetrics

/// What each command of `exchange-bot` does, apart from parsing its arguments: the executable only parses and
/// prints. Every command returns the lines to print; none of them contains a secret except `generate-key`'s and
/// `token`'s last line, which are what was asked for.
public enum Commands {
    /// Opens the configured database (an SQLite file, created with its folder, or a PostgreSQL server) and brings
    /// its schema up to date. Close it when done (PostgreSQL's pool runs until then).
    static func openStorage(
        _ environment: Environment,
        ring: MultiFernet? = nil,
        concurrentReads: Bool = false,
        logger: Logger = Logger(label: "exchange-bot.database")
    ) async throws -> Storage {
        // Commands that never read a secret (migrate, token) open with a throw-away key.
        let ring = try ring ?? MultiFernet(keys: [FernetKey.generate()])
        return try await Storage.open(
            try environment.database(),
            ring: ring,
            logger: logger,
            concurrentReads: concurrentReads
        )
    }

    /// Runs `body` on the opened database, then closes it, whether `body` succeeds or not.
    static func withStorage<Result>(
        _ environment: Environment,
        ring: MultiFernet? = nil,
        logger: Logger = Logger(label: "exchange-bot.database"),
        _ body: (Storage) async throws -> Result
    ) async throws -> Result {
        let storage = try await openStorage(environment, ring: ring, logger: logger)
        do {
            let result = try await body(storage)
            await storage.close()
            return result
        } catch {
            await storage.close()
            throw error
        }
    }

    /// `migrate`: creates or upgrades the schema.
    public static func migrate(_ environment: Environment) async throws -> [String] {
        try await withStorage(environment) { storage in
            ["database \(storage.target.description) is at schema \(try await storage.schemaVersion() ?? "none")"]
        }
    }

    /// `generate-key`: a new Fernet key, on the last line.
    public static func generateKey() -> [String] {
        [
            "New Fernet key for BRAIN_CAPITAL_MASTER_KEY (to rotate, put it first: NEW,OLD, then run rotate-key):",
            FernetKey.generate().base64,
        ]
    }

    /// `rotate-key`: re-encrypts every stored secret under the first key of `BRAIN_CAPITAL_MASTER_KEY`.
    public static func rotateKey(_ environment: Environment, now: Date = Date()) async throws -> [String] {
        let ring = try environment.masterKeys()
        return try await withStorage(environment, ring: ring) { storage in
            // Only "does any stored token open?" matters here: rotation opens every token itself and refuses,
            // changing nothing, if any does not.
            let check = try await storage.checkMasterKey(true)
            if check.wrongKey { throw wrongKeyError(check) }
            let report: MasterKeyRotation.Report
            do {
                report = try await storage.rotate(now)
                ServiceMetrics.rotateKeyRun(outcome: "rotated")
            } catch {
                ServiceMetrics.rotateKeyRun(outcome: "failed")
                throw error
            }
            return [
                "rotated \(report.secrets) secret(s) and \(report.passphrases) passphrase(s) in \(report.rows) key row(s) "
                    + "to master key \(report.primaryFingerprint) (\(report.alreadyUnderPrimary) were already under it)",
                ring.fernets.count > 1
                    ? "every stored secret now opens with the first key; the other keys can be removed from "
                        + "BRAIN_CAPITAL_MASTER_KEY once every running instance uses the new list"
                    : "only one key is configured: rotation re-sealed every token with it",
            ]
        }
    }

    /// `token USER_ID`: a REST bearer token, on the last line.
    public static func token(_ environment: Environment, userID: Int64, now: Date = Date()) async throws -> [String] {
        let secretKey = try environment.secretKey()
        let maxAge = try environment.tokenMaxAge()
        var lines = [String]()
        // A database that cannot be opened is no reason to withhold the token: the warnings are a courtesy.
        let lookup: Result<User?, any Error>
        do {
            lookup = .success(try await withStorage(environment) { try await $0.exchangeStore.user(id: userID) })
        } catch {
            lookup = .failure(error)
        }
        switch lookup {
        case .success(nil): lines.append("warning: no user with id \(userID) exists; the API will refuse this token")
        case .success(let user?) where !user.isActive:
            lines.append("warning: user \(userID) is deactivated; the API will refuse this token")
        default: break
        }
        let authority = BearerTokenAuthority(secretKey: secretKey.exposedValue, maxAge: maxAge)
        lines.append("token for user \(userID), valid for \(maxAge) s:")
        lines.append(authority.mint(userID: userID, at: now))
        return lines
    }

    /// The checks `run` makes before it starts anything: a usable master key that opens the stored secrets.
    /// On SQLite it migrates over a single connection, so a refusal leaves an up-to-date database untouched.
    static func preflight(_ environment: Environment, logger: Logger) async throws -> (
        MultiFernet, MasterKeyCheck.Report
    ) {
        let ring = try environment.masterKeys()
        let check = try await withStorage(environment, ring: ring, logger: logger) { storage in
            try await storage.checkMasterKey(false)
        }
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

    /// An error's text for people. Errors of this product describe themselves without secrets; others are
    /// reduced to their type, since a foreign error's text may quote anything.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ConfigurationError: error.description
        case let error as LinkCodeRefusal: error.description
        case let error as ApprovalError: error.message
        case let error as FernetError: error.description
        case let error as UnreadableSecrets: error.description
        case let error as PostgresSchemaError: error.description
        default:
            AppDatabase.summary(of: error) ?? PostgresPool.summary(of: error)
                ?? PostgresLeaderLease.summary(of: error) ?? String(describing: type(of: error))
        }
    }
}
