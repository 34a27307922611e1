import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

/// `exchange-bot link-code USER_ID`, run as the real binary.
@Suite(.enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"))
struct LinkCodeCommandTests {
    let folder = TemporaryFolder()

    var baseEnvironment: [String: String] {
        ["DATABASE_URL": "sqlite:///db/bot.sqlite", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    }

    /// Users in the command's database: an active one and a deactivated one.
    func seedUsers() async throws -> (active: Int64, inactive: Int64) {
        let harness = try ServiceHarness(location: .file(path: folder.path("db/bot.sqlite")))
        let alice = try await harness.user()
        let bob = try await harness.user("bob")
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE users SET is_active = 0 WHERE id = ?", arguments: [bob.id])
        }
        try await harness.database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try (harness.database.writer as? DatabasePool)?.close()
        return (alice.id, bob.id)
    }

    @Test func printsTheCodeLastAndTheLinkBeforeItWithoutASecretKey() async throws {
        let users = try await seedUsers()
        var environment = baseEnvironment
        environment["TELEGRAM_BOT_USERNAME"] = "@keys_bot"
        let result = try await ExchangeBotBinary.run(
            ["link-code", String(users.active)],
            environment: environment,
            in: folder
        )
        #expect(result.status == 0, "\(result.errors)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let code = try #require(lines.last)
        #expect(LinkCode(parsing: code) != nil && code.count == 43)
        #expect(lines.dropLast().last == "https://t.me/keys_bot?start=\(code)")
        // Stored hashed, never in clear; the code names the user until it is used.
        let harness = try ServiceHarness(location: .file(path: folder.path("db/bot.sqlite")))
        #expect(!(try Data(contentsOf: URL(fileURLWithPath: folder.path("db/bot.sqlite")))).contains(Data(code.utf8)))
        let hash = try #require(LinkCode(parsing: code)?.hash)
        #expect(try await harness.store.linkCodeUser(hash: hash, at: Date())?.id == users.active)
        let audit = try await harness.store.auditLog(limit: 1).first
        #expect(audit?.action == .issueLinkCode && audit?.outcome == .succeeded)
    }

    @Test func withoutABotUsernameOnlyTheCodeFollowsTheExplanation() async throws {
        let users = try await seedUsers()
        let result = try await ExchangeBotBinary.run(
            ["link-code", String(users.active)],
            environment: baseEnvironment,
            in: folder
        )
        #expect(result.status == 0, "\(result.errors)")
        #expect(!result.output.contains("https://"))
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 2 && LinkCode(parsing: lines[1]) != nil)
    }

    @Test func unknownInactiveAndNonNumericUsersAreRefused() async throws {
        let users = try await seedUsers()
        let unknown = try await ExchangeBotBinary.run(["link-code", "9999"], environment: baseEnvironment, in: folder)
        #expect(unknown.status != 0 && unknown.errors.contains("no user with id 9999"))
        let inactive = try await ExchangeBotBinary.run(
            ["link-code", String(users.inactive)],
            environment: baseEnvironment,
            in: folder
        )
        #expect(inactive.status != 0 && inactive.errors.contains("deactivated"))
        let word = try await ExchangeBotBinary.run(["link-code", "alice"], environment: baseEnvironment, in: folder)
        #expect(word.status != 0 && word.output.isEmpty)
        for result in [unknown, inactive, word] {
            #expect(LinkCode(parsing: result.output.split(separator: "\n").last ?? "") == nil || result.output.isEmpty)
        }
    }

    @Test func aBadTTLIsAConfigurationError() async throws {
        let users = try await seedUsers()
        var environment = baseEnvironment
        environment["LINK_CODE_TTL"] = "0"
        let result = try await ExchangeBotBinary.run(
            ["link-code", String(users.active)],
            environment: environment,
            in: folder
        )
        #expect(result.status != 0 && result.errors.contains("LINK_CODE_TTL"))
    }
}
