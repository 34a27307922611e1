import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO

/// Applying what handling one update changed, in one transaction.
extension PostgresBotStore {
    /// The transaction-scoped advisory lock a commit that queues actions holds (`pg_advisory_xact_lock`), from
    /// before its first insert to its end.
    ///
    /// An identity value is drawn when a row is inserted, not when it commits: without the lock, a commit that drew
    /// id 10 and then waited (on a `users` row, say) would let a later commit's id 11 be seen, and sent, first, and
    /// its own action would then appear behind it. With it, the queue grows in one order, as under SQLite's single
    /// writer. It also orders the dedupe-key inserts of racing commits, which could otherwise deadlock on each other's
    /// uncommitted keys. The cost is SQLite's: commits that queue actions run one at a time. ("exbotout" in ASCII.)
    static let outgoingQueueLock: Int64 = 0x6578_626F_746F_7574

    public func commit(_ commit: BotCommit) async throws {
        let now = Date()
        let encoder = Self.encoder()
        // Ascending ids: two commits that write the same conversations lock their rows in the same order.
        let states = try commit.conversations.sorted { $0.key < $1.key }.map { id, state in
            (id: id, token: ring.encrypt(try encoder.encode(state)), awaiting: state.pendingSubmission != nil)
        }
        let actions = try commit.outgoing.map {
            (
                json: String(decoding: try encoder.encode($0.action), as: UTF8.self), dedupe: $0.dedupeKey,
                lane: $0.action.lane, keyID: $0.action.keyID, closes: $0.closesQueuedActions
            )
        }
        let idleSince = commit.onlyIfIdleSince
        let notice = database.notices.payload(for: .outgoing)
        try await database.transaction { connection in
            if !actions.isEmpty {
                try await Self.run(
                    "SELECT pg_advisory_xact_lock(\(Self.outgoingQueueLock))",
                    on: connection,
                    logger: logger
                )
            }
            // The same fence for a check's verdict: the first takes the conversation out of awaiting a check (the
            // row lock makes a racing second wait, then find it taken), the second rolls back.
            if let id = commit.closesCheckOf,
                try await Self.run(
                    """
                    UPDATE exchange_bot_conversations SET awaiting_service = false
                    WHERE telegram_id = \(id) AND awaiting_service RETURNING telegram_id
                    """,
                    on: connection,
                    logger: logger
                ) == 0
            {
                throw CheckFinishedElsewhere(telegramID: id)
            }
            // The fence between two instances that both handled the update in the moment a lease changed hands:
            // the first commit takes the row, the second finds it gone and rolls back.
            if let id = commit.handledUpdateID,
                try await Self.run(
                    "DELETE FROM exchange_bot_updates WHERE update_id = \(id) RETURNING update_id",
                    on: connection,
                    logger: logger
                ) == 0
            {
                throw UpdateHandledElsewhere(updateID: id)
            }
            if let id = commit.reachable {
                try await Self.run(
                    "DELETE FROM exchange_bot_unreachable WHERE telegram_id = \(id)",
                    on: connection,
                    logger: logger
                )
            }
            for state in states {
                if let idleSince {
                    // Written only if the stored row has not moved on since: a message handled meanwhile wins.
                    try await Self.run(
                        """
                        UPDATE exchange_bot_conversations SET state = \(state.token), awaiting_service = \(state.awaiting)
                        WHERE telegram_id = \(state.id) AND updated_at < \(idleSince) AND NOT awaiting_service
                        """,
                        on: connection,
                        logger: logger
                    )
                    continue
                }
                try await Self.run(
                    """
                    INSERT INTO exchange_bot_conversations (telegram_id, state, awaiting_service, updated_at)
                    VALUES (\(state.id), \(state.token), \(state.awaiting), \(now))
                    ON CONFLICT (telegram_id) DO UPDATE SET state = EXCLUDED.state,
                        awaiting_service = EXCLUDED.awaiting_service, updated_at = EXCLUDED.updated_at
                    """,
                    on: connection,
                    logger: logger
                )
            }
            for action in actions {
                if let closes = action.closes {
                    // A key decided before its request (or reason prompt) went out: the request would only be
                    // stale. One already in flight is still remembered when it lands, and closed after it. What
                    // this event or a later one queued stays (see `QueuedAction`): the outbox id is the second
                    // colon-separated field of a row's dedupe key (`CASE` keeps the cast off other keys).
                    try await Self.run(
                        """
                        UPDATE exchange_bot_outgoing
                        SET finished_at = \(now), result = 'abandoned: decided before it was posted'
                        WHERE key_id = \(closes.keyID) AND finished_at IS NULL
                            AND coalesce(
                                CASE WHEN dedupe_key ~ '^event:[0-9]{1,18}(:|$)'
                                    THEN split_part(dedupe_key, ':', 2)::bigint END,
                                -1
                            ) < \(closes.ofEventsBefore)
                        """,
                        on: connection,
                        logger: logger
                    )
                }
                // One notice per transaction reaches the leader (PostgreSQL folds equal payloads), at commit.
                try await Self.run(
                    """
                    WITH queued AS (
                        INSERT INTO exchange_bot_outgoing (lane, key_id, action, dedupe_key, created_at)
                        VALUES (\(action.lane), \(action.keyID), \(action.json), \(action.dedupe), \(now))
                        ON CONFLICT (dedupe_key) DO NOTHING
                        RETURNING 1
                    )
                    SELECT pg_notify(\(SharedQueueNotices.channel), \(notice))
                    FROM queued
                    """,
                    on: connection,
                    logger: logger
                )
            }
            if let language = commit.language {
                try await Self.chooseLanguage(
                    telegramID: language.telegramID,
                    code: language.code,
                    on: connection,
                    logger: logger
                )
            }
        }
    }
}
