import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The bot on a database the platform made: the seed's SQLAlchemy models created the tables and a user with a
/// Telegram id; after the `ALTER`s `migrate` names, `exchange-bot run` serves it unchanged, the user adds a key in
/// Telegram, and Python reads it back and opens it with the master key.
@Suite struct SeedPlatformBotTests {
    @Test func aKeyAddedInTelegramIsReadByThePlatformsPython() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        if let reason = SeedPlatform.skipReason {
            print("skipped: the platform's Python side is not available: \(reason)")
            return
        }
        let server = try await PostgresTestServer.shared()
        let url = try await server.makeDatabase("seedbot")
        let master = FernetKey.generate()
        var environment = [
            "INTEROP_DATABASE_URL": SeedPlatform.sqlalchemyURL(url), "INTEROP_MASTER_KEY": master.base64,
            "INTEROP_SECRET": "py-secret-\(UUID().uuidString)", "INTEROP_PASSPHRASE": "py-pass-\(UUID().uuidString)",
        ]
        _ = try await Python.run(SeedPlatform.script, arguments: ["create"], environment: environment)
        let name = PostgresTestServer.databaseName(in: url)
        for fix in SeedPlatform.fixes { try await server.psql(fix, database: name) }
        // The platform stored Russian for this user, and the bot honours it; the walk-through below reads English.
        try await server.psql("UPDATE users SET language_code = 'en'", database: name)

        // The seed's user (telegram_id 5_100_000_001) writes to the bot.
        let platformUser = FakeUser(id: 5_100_000_001, firstName: "Platform", username: "platform_user")
        let bot = try await BotHarness.start(
            engine: .postgres,
            databaseURL: url,
            masterKey: master,
            exchanges: [.binance]
        )
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .binance)
        bot.exchanges[.binance]!.register(account)
        _ = try await bot.addKey(
            platformUser,
            exchange: .binance,
            label: "From Telegram",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        _ = try await bot.waitForBotMessage(in: platformUser.id, containing: "awaiting approval")
        let keys = try await bot.keys(ofTelegramUser: platformUser.id)
        let added = try #require(keys.first { $0.label == "From Telegram" })
        #expect(keys.contains { $0.label == "From Python" }, "the bot's user is the platform's, with its key")

        environment["INTEROP_SECRET"] = account.secret
        environment["INTEROP_PASSPHRASE"] = nil
        let read = try await Python.run(
            SeedPlatform.script,
            arguments: ["read", "\(added.id)"],
            environment: environment
        )
        // The platform account is the owner, and its name is left as the platform wrote it.
        #expect(read.contains(#""status": "PENDING""#) && read.contains(#""owner": "platform-user""#), "\(read)")
        try await bot.stopBot()
    }
}
