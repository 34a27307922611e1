import BotConversation
import Fernet
import Foundation
import TestSupport
import Testing

/// Both engines store the same tokens over the same JSON, so a sealed row copied from one database to the other
/// (moving a deployment from SQLite to PostgreSQL) reads the same, and one rotation rule fits both.
@Suite struct BotStoreFormatTests {
    @Test func sealedConversationsAndUpdatesReadTheSameOnBothEngines() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let key = FernetKey.generate()
        let ring = try MultiFernet(keys: [key])
        let state = BotStoreContractTests.awaitingState()
        try await BotStoreFixture.with(.sqlite, key: key) { sqlite in
            try await BotStoreFixture.with(.postgres, key: key) { postgres in
                try await sqlite.store.commit(BotCommit(conversations: [41: state]))
                try await postgres.store.commit(BotCommit(conversations: [42: state]))
                try await sqlite.store.receive([BotStoreContractTests.update(1)], nextOffset: 2)
                try await postgres.store.receive([BotStoreContractTests.update(2)], nextOffset: 3)
                let sqliteState = try #require(try await sqlite.texts("SELECT state FROM bot_conversations").first)
                let postgresState = try #require(
                    try await postgres.texts("SELECT state FROM exchange_bot_conversations").first
                )
                #expect(try ring.decrypt(sqliteState) == ring.decrypt(postgresState), "the same JSON, byte for byte")
                let sqliteUpdate = try #require(try await sqlite.texts("SELECT payload FROM bot_inbox").first)
                let postgresUpdate = try #require(
                    try await postgres.texts("SELECT payload FROM exchange_bot_updates").first
                )

                // Fernet tokens are URL-safe base64: safe inside a quoted literal.
                try await postgres.execute(
                    """
                    INSERT INTO exchange_bot_conversations (telegram_id, state, awaiting_service, updated_at)
                    VALUES (41, '\(sqliteState)', TRUE, '2030-01-01 00:00:00')
                    """
                )
                try await postgres.execute(
                    """
                    INSERT INTO exchange_bot_updates (update_id, payload, received_at)
                    VALUES (1, '\(sqliteUpdate)', '2030-01-01 00:00:00')
                    """
                )
                try await sqlite.execute(
                    """
                    INSERT INTO bot_conversations (telegram_id, state, awaiting_service, updated_at)
                    VALUES (42, '\(postgresState)', TRUE, '2030-01-01 00:00:00')
                    """
                )
                try await sqlite.execute(
                    """
                    INSERT INTO bot_inbox (update_id, payload, received_at)
                    VALUES (2, '\(postgresUpdate)', '2030-01-01 00:00:00')
                    """
                )
                let expected = [BotStoreContractTests.update(1), BotStoreContractTests.update(2)]
                for fixture in [sqlite, postgres] {
                    #expect(try await fixture.store.conversation(ofUser: 41) == state)
                    #expect(try await fixture.store.conversation(ofUser: 42) == state)
                    #expect(
                        try await fixture.store.conversationsAwaitingService().map(\.telegramID).sorted() == [41, 42]
                    )
                    #expect(try await fixture.store.unhandledUpdates().updates == expected)
                }
            }
        }
    }
}
