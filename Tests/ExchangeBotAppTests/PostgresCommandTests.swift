import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The commands against PostgreSQL: `migrate`, `rotate-key`, `token` and `run`'s refusal, with a `DATABASE_URL`
/// whose password is full of URL escapes and never shown.
@Suite(.enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"))
struct PostgresCommandTests {
    @Test func theCommandsWorkOnPostgreSQLAndNeverShowThePassword() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let folder = TemporaryFolder()
        let old = FernetKey.generate()
        let new = FernetKey.generate()
        let place = try await EngineDatabase.make(.postgres, folder: folder, key: old)
        defer { Task { await place.close() } }
        let user = try await place.createUser("carol")
        let submission = StoredKeySubmission(
            userID: user.id,
            label: "Main",
            credentials: Credentials(
                exchange: .okx,
                apiKey: "okx-key-0123456789",
                apiSecret: SecretString("okx-secret-for-rotation"),
                passphrase: SecretString("okx-passphrase")
            ),
            report: ValidationReport(canTrade: true),
            at: Date()
        )
        _ = try await place.store.insertKey(
            submission,
            audit: AuditEntry(at: Date(), caller: .system, action: .addKey, outcome: .succeeded)
        )

        var environment = ["DATABASE_URL": place.url, "BRAIN_CAPITAL_MASTER_KEY": new.base64]
        let migrate = try await ExchangeBotBinary.run(["migrate"], environment: environment, in: folder)
        #expect(migrate.status == 0, "\(migrate.errors)")
        #expect(migrate.output.contains("PostgreSQL postgresql://postgres:***@127.0.0.1"), "\(migrate.output)")

        let refused = try await ExchangeBotBinary.run(["rotate-key"], environment: environment, in: folder)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("BRAIN_CAPITAL_MASTER_KEY"), "\(refused.errors)")

        environment["BRAIN_CAPITAL_MASTER_KEY"] = new.base64 + "," + old.base64
        let rotated = try await ExchangeBotBinary.run(["rotate-key"], environment: environment, in: folder)
        #expect(rotated.status == 0, "\(rotated.errors)")
        #expect(rotated.output.contains("rotated 1 secret(s) and 1 passphrase(s)"), "\(rotated.output)")

        environment["SECRET_KEY"] = "command-secret"
        let token = try await ExchangeBotBinary.run(["token", "\(user.id)"], environment: environment, in: folder)
        #expect(token.status == 0 && !token.output.contains("warning"), "\(token.output)")
        let unknown = try await ExchangeBotBinary.run(["token", "987654"], environment: environment, in: folder)
        #expect(unknown.output.contains("no user with id 987654"), "\(unknown.output)")

        let dump = try await place.storedText()
        #expect(!dump.contains("okx-secret-for-rotation") && !dump.contains("okx-passphrase"))
        for result in [migrate, refused, rotated, token, unknown] {
            #expect(!(result.output + result.errors).contains(PostgresTestServer.password))
        }
    }

    @Test func anUnreachableServerIsAClearErrorWithoutThePassword() async throws {
        let folder = TemporaryFolder()
        let url = "postgresql+psycopg2://app:s3cr%40t@127.0.0.1:1/platform?sslmode=disable"
        let result = try await ExchangeBotBinary.run(["migrate"], environment: ["DATABASE_URL": url], in: folder)
        #expect(result.status != 0)
        #expect(result.errors.contains("DATABASE_URL"), "\(result.errors)")
        #expect(result.errors.contains("postgresql://app:***@127.0.0.1:1/platform"), "\(result.errors)")
        #expect(!result.errors.contains("s3cr"), "\(result.errors)")
    }
}
