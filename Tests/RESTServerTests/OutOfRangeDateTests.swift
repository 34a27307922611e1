import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// A key row whose dates are no dates (written by the Python side, a hand edit or a corrupted file) is listed with
/// `null` dates; before, `nan` or `1e20` trapped the date formatter and took the whole service down.
@Suite struct OutOfRangeDateTests {
    static let values: [DatabaseValue] = [
        "nan".databaseValue, "1e20".databaseValue, "-inf".databaseValue, 1e300.databaseValue,
        Int64.max.databaseValue, "0000-01-01".databaseValue,
    ]

    @Test func listsAndPendingRequestsShowNullDates() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let admin = try await harness.services.user("admin", admin: true)
        for index in Self.values.indices {
            _ = try await harness.services.service.addKey(
                Sample.submission(label: "key \(index)", apiKey: "key-\(index)-00000000"),
                userID: alice.id,
                by: .system
            )
        }
        try await harness.services.database.writer.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM user_exchanges ORDER BY id")
            for (id, value) in zip(ids, Self.values) {
                try db.execute(
                    sql: "UPDATE user_exchanges SET created_at = ?, updated_at = ? WHERE id = ?",
                    arguments: [value, value, id]
                )
            }
        }
        try await harness.test { client in
            let listed = try await client.call(.get, "/user/exchanges/", token: harness.token(alice))
            #expect(listed.status == .ok, "\(listed.body)")
            let keys = try array(listed.body)
            #expect(keys.count == Self.values.count)
            #expect(keys.allSatisfy { $0["created_at"] is NSNull && $0["updated_at"] is NSNull })
            let pending = try await client.call(.get, "/admin/exchanges/pending", token: harness.token(admin))
            #expect(pending.status == .ok, "\(pending.body)")
            #expect(try array(pending.body).allSatisfy { $0["created_at"] is NSNull })
        }
    }
}
