/// The tables ``PostgresExchangeStore`` keeps beside the platform's: audit log, validation reports, key versions,
/// holds, service alerts and the outbox (the key-check budget is counted from the audit log).
///
/// They mirror the SQLite store's tables under the `exchange_bot_` prefix, so the platform's own schema (and its
/// Alembic history) is never touched. Dates are `TIMESTAMP WITHOUT TIME ZONE` holding naive UTC, like the
/// platform's. Ids are `BIGSERIAL`: a sequence never hands out a number twice, so an old admin request or audit
/// line never names another key's row. Rows that describe a key (its report, version, hold) go with the key
/// (`ON DELETE CASCADE`); the audit log and the outbox outlive it on purpose.
enum PostgresExchangeTables {
    /// Idempotent DDL (`CREATE … IF NOT EXISTS`), run in order by ``PostgresSchema/migrate(_:)``.
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_audit_log (
            id BIGSERIAL PRIMARY KEY,
            at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            user_id BIGINT,
            telegram_id BIGINT,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            exchange_id BIGINT,
            outcome TEXT NOT NULL,
            detail TEXT
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_audit_log_exchange_id ON exchange_bot_audit_log(exchange_id, id)
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_audit_log_user_action ON exchange_bot_audit_log(user_id, action, id)
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_key_validation (
            exchange_id BIGINT PRIMARY KEY REFERENCES user_exchanges(id) ON DELETE CASCADE,
            report TEXT NOT NULL,
            checked_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_key_versions (
            exchange_id BIGINT PRIMARY KEY REFERENCES user_exchanges(id) ON DELETE CASCADE,
            credentials_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_key_holds (
            exchange_id BIGINT PRIMARY KEY REFERENCES user_exchanges(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            since TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        // The primary key is what keeps one alert open per code when several instances raise it at once
        // (`INSERT … ON CONFLICT DO NOTHING`).
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_service_alerts (
            code TEXT PRIMARY KEY,
            since TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_outbox (
            id BIGSERIAL PRIMARY KEY,
            event TEXT NOT NULL,
            created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            delivered_at TIMESTAMP WITHOUT TIME ZONE,
            parked_at TIMESTAMP WITHOUT TIME ZONE
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_outbox_undelivered ON exchange_bot_outbox(id)
            WHERE delivered_at IS NULL AND parked_at IS NULL
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_outbox_delivered ON exchange_bot_outbox(delivered_at)
            WHERE delivered_at IS NOT NULL
        """,
    ]
}
