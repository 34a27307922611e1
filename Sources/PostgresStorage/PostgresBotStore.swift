import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import Logging
import PostgresNIO

/// The ``BotStore`` on PostgreSQL, in the platform's database beside the keys (tables in ``PostgresBotTables``).
///
/// It behaves exactly as `SQLiteBotStore` and writes the same tokens and JSON, so a row means the same on both
/// engines. Received updates and conversation states are sealed with the master key ring's primary key before they
/// reach SQL (a user's message or draft can be an API secret); queued actions hold rendered texts only, which never
/// contain a secret.
///
/// SQLite's single writer serialised every transaction; here the SQL says what must not interleave: inserts that
/// another transaction may race are `ON CONFLICT DO NOTHING` (updates, dedupe keys) or upserts (users, conversations),
/// and a commit that queues actions holds ``outgoingQueueLock`` so queue order is commit order.
public struct PostgresBotStore: BotStore {
    public let database: PostgresPool
    let ring: MultiFernet

    public init(database: PostgresPool, ring: MultiFernet) {
        self.database = database
        self.ring = ring
    }

    var logger: Logger { database.logger }

    // MARK: - Updates

    public func nextOffset() async throws -> Int64? {
        let rows = try await database.query("SELECT next_offset FROM exchange_bot_offset WHERE id = 1")
        for try await offset in rows.decode(Int64.self) { return offset }
        return nil
    }

    public func receive(_ updates: [ReceivedUpdate], nextOffset: Int64) async throws {
        // Ascending ids: two batches that overlap take their rows' locks in the same order, so they cannot deadlock
        // (a conflicting insert waits for the transaction that inserted the row first, then does nothing).
        var seen = Set<Int64>()
        let unique = updates.filter { seen.insert($0.id).inserted }.sorted { $0.id < $1.id }
        let ids = unique.map(\.id)
        let tokens = unique.map { ring.encrypt($0.payload) }
        let now = Date()
        let notice = database.notices.payload(for: .inbox)
        try await database.transaction { connection in
            if !ids.isEmpty {
                // Only ids not remembered (see `SeenUpdates`) are stored. The remembered id's key decides: a re-post
                // racing the first receipt waits for it and then stores nothing. (Checking a record written when
                // the update is handled could not: under READ COMMITTED a re-post whose check ran before that
                // commit would insert the update again once the commit removed its row.)
                try await Self.run(
                    """
                    WITH fresh AS (
                        INSERT INTO exchange_bot_seen_updates (update_id, received_at)
                        SELECT id, \(now) FROM unnest(\(ids)::BIGINT[]) WITH ORDINALITY AS seen(id, position)
                        ORDER BY seen.position
                        ON CONFLICT (update_id) DO NOTHING
                        RETURNING update_id
                    )
                    , stored AS (
                        INSERT INTO exchange_bot_updates (update_id, payload, received_at)
                        SELECT incoming.id, incoming.payload, \(now)
                        FROM unnest(\(ids)::BIGINT[], \(tokens)::TEXT[])
                            WITH ORDINALITY AS incoming(id, payload, position)
                        JOIN fresh ON fresh.update_id = incoming.id
                        ORDER BY incoming.position
                        ON CONFLICT (update_id) DO NOTHING
                        RETURNING 1
                    )
                    SELECT pg_notify(\(SharedQueueNotices.channel), \(notice))
                    WHERE EXISTS (SELECT 1 FROM stored)
                    """,
                    on: connection,
                    logger: logger
                )
            }
            try await Self.run(
                """
                INSERT INTO exchange_bot_offset (id, next_offset) VALUES (1, \(nextOffset))
                ON CONFLICT (id) DO UPDATE SET next_offset = EXCLUDED.next_offset
                """,
                on: connection,
                logger: logger
            )
        }
    }

    public func unhandledUpdates() async throws -> (updates: [ReceivedUpdate], dropped: [Int64]) {
        let rows = try await database.query(
            "SELECT update_id, payload FROM exchange_bot_updates WHERE parked_at IS NULL ORDER BY update_id"
        )
        var updates = [ReceivedUpdate]()
        var unreadable = [Int64]()
        for try await (id, token) in rows.decode((Int64, String).self) {
            if let payload = try? ring.decrypt(token) {
                updates.append(ReceivedUpdate(id: id, payload: payload))
            } else {
                unreadable.append(id)
            }
        }
        // An update no configured key opens can never be handled (and would stop rotate-key for good).
        if !unreadable.isEmpty {
            try await database.query("DELETE FROM exchange_bot_updates WHERE update_id = ANY(\(unreadable)::BIGINT[])")
        }
        return (updates, unreadable)
    }

    public func beginOutsideEffect(updateID: Int64) async throws -> Bool {
        let marked = try await database.transaction { connection in
            try await Self.run(
                """
                UPDATE exchange_bot_updates SET outside_effect_started = TRUE
                WHERE update_id = \(updateID) AND NOT outside_effect_started
                RETURNING update_id
                """,
                on: connection,
                logger: logger
            )
        }
        // Nothing changed: marked before, or no longer stored at all (handled: a repeat either way).
        return marked == 0
    }

    public func park(updateID: Int64, at date: Date) async throws {
        try await database.query("UPDATE exchange_bot_updates SET parked_at = \(date) WHERE update_id = \(updateID)")
    }

    // MARK: - Conversations

    public func conversation(ofUser telegramID: Int64) async throws -> ConversationState? {
        let rows = try await database.query(
            "SELECT state FROM exchange_bot_conversations WHERE telegram_id = \(telegramID)"
        )
        for try await token in rows.decode(String.self) { return open(token) }
        return nil
    }

    public func conversationsAwaitingService() async throws -> [(telegramID: Int64, state: ConversationState)] {
        try await conversations(
            """
            SELECT telegram_id, state FROM exchange_bot_conversations WHERE awaiting_service
            ORDER BY updated_at, telegram_id
            """
        )
    }

    public func conversations(idleSince date: Date) async throws -> [(telegramID: Int64, state: ConversationState)] {
        try await conversations(
            """
            SELECT telegram_id, state FROM exchange_bot_conversations
            WHERE NOT awaiting_service AND updated_at < \(date)
            ORDER BY telegram_id
            """
        )
    }

    /// The conversations a query names; a row no configured key opens (or this build cannot read) is left out, as
    /// on SQLite: the machine starts that user afresh.
    private func conversations(_ query: PostgresQuery) async throws -> [(telegramID: Int64, state: ConversationState)] {
        var found = [(telegramID: Int64, state: ConversationState)]()
        for try await (id, token) in try await database.query(query).decode((Int64, String).self) {
            if let state = open(token) { found.append((id, state)) }
        }
        return found
    }

    /// A stored conversation state, or `nil` when no configured key opens it or its JSON is not a state.
    func open(_ token: String) -> ConversationState? {
        guard let data = try? ring.decrypt(token) else { return nil }
        return try? JSONDecoder().decode(ConversationState.self, from: data)
    }

    /// The JSON `SQLiteBotStore` writes (sorted keys), so a token moved between the engines reads the same.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    // MARK: - Helpers

    /// Runs one statement of a transaction and reads its rows to the end (freeing the connection for the next
    /// statement); the number of rows, for `RETURNING` clauses.
    @discardableResult
    static func run(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }
}
