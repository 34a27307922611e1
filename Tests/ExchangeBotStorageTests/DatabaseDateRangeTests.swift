import ExchangeBotCore
import Foundation
import GRDB
import Testing

@testable import ExchangeBotStorage

/// Dates in rows are outside data (the Python side, a hand edit or a corrupted file writes them): a value that is
/// not a date Python's `datetime` can hold reads as no date, and nothing that formats a date can trap.
@Suite struct DatabaseDateRangeTests {
    /// Texts that SQLite may hold in a DATETIME column and that are no `datetime`. `1e20` seconds and `inf`
    /// trapped the formatter's `Int(_:)`; `nan` trapped it too.
    static let unusableTexts = [
        "nan", "NaN", "-nan", "inf", "-inf", "infinity", "1e20", "-1e20", "1e300", "9223372036854775807",
        "253402300800", "-62135596801", "0000-01-01 00:00:00", "0x1p80",
    ]

    @Test(arguments: unusableTexts)
    func unusableTextsReadAsNoDate(text: String) {
        #expect(DatabaseDate.parse(text) == nil)
    }

    @Test func unixSecondsOutOfRangeReadAsNoDate() {
        for seconds in [Double.nan, .infinity, -.infinity, 1e20, -1e20, 253_402_300_800, 0x1p63] {
            #expect(DatabaseDate.date(unixSeconds: seconds) == nil, "\(seconds)")
        }
        #expect(DatabaseDate.date(unixSeconds: 1_700_000_000) == Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func theEdgesOfPythonsDatetimeStillRead() throws {
        let first = try #require(DatabaseDate.parse("0001-01-01 00:00:00"))
        let last = try #require(DatabaseDate.parse("9999-12-31 23:59:59"))
        #expect(DatabaseDate.format(first) == "0001-01-01 00:00:00.000000")
        #expect(DatabaseDate.format(last) == "9999-12-31 23:59:59.000000")
    }

    @Test func formattingNeverTraps() {
        // Reading refuses these, so they can only come from a broken clock: written clamped, never trapping.
        #expect(DatabaseDate.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31 23:59:59.000000")
        #expect(DatabaseDate.format(Date(timeIntervalSince1970: -1e300)) == "0001-01-01 00:00:00.000000")
        #expect(DatabaseDate.format(Date(timeIntervalSince1970: .nan)) == "0001-01-01 00:00:00.000000")
        #expect(NaiveUTCDate.format(Date(timeIntervalSince1970: .nan), separator: "T") == nil)
        #expect(NaiveUTCDate.format(Date(timeIntervalSince1970: 1e20), separator: "T") == nil)
        #expect(NaiveUTCDate.format(Date(timeIntervalSince1970: 0), separator: "T") == "1970-01-01T00:00:00.000000")
    }

    @Test func rowsWithUnusableDatesReadAsKeysWithoutDates() async throws {
        let database = try AppDatabase.open(.inMemory)
        let values: [DatabaseValue] = [
            "nan".databaseValue, "1e20".databaseValue, "inf".databaseValue, 1e300.databaseValue,
            (-1e300).databaseValue, Int64.max.databaseValue, Int64.min.databaseValue,
            "0000-00-00 00:00:00".databaseValue,
        ]
        try await database.writer.write { db in
            try db.execute(sql: "INSERT INTO users (id, username, is_active) VALUES (1, 'alice', 1)")
            for (index, value) in values.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, status,
                            is_active, created_at, updated_at)
                        VALUES (1, 'binance', ?, 'k', 's', 'PENDING', 0, ?, ?)
                        """,
                    arguments: ["row \(index)", value, value]
                )
            }
        }
        let keys = try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(RowMapping.keyColumns) FROM user_exchanges e ORDER BY e.id")
                .map(RowMapping.key)
        }
        #expect(keys.count == values.count)
        for key in keys {
            #expect(key.createdAt == nil && key.updatedAt == nil, "\(key.label)")
        }
    }
}
