import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// The JSON the store writes carries its format version; rows written before the version existed still read, and
/// rows of a newer format are never guessed at.
@Suite struct StoredJSONTests {
    let report = ValidationReport(canTrade: true, canWithdraw: false, permissions: ["SPOT"], warnings: ["no IP"])

    @Test func reportsAreWrittenWithTheirVersionAndReadBack() async throws {
        // Given a report saved by the store
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        _ = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        // Then its JSON names the current format, and it reads back unchanged
        let json = try await harness.database.writer.read { db in
            try #require(try String.fetchOne(db, sql: "SELECT report FROM key_validation"))
        }
        #expect(json.contains("\"formatVersion\":\(StoredJSON.currentVersion)"))
        #expect(StoredJSON.decode(ValidationReport.self, from: try StoredJSON.encode(report)) == report)
    }

    @Test func unversionedRowsReadAsTheFirstFormat() throws {
        let legacy = try JSONEncoder().encode(report)
        #expect(!String(decoding: legacy, as: UTF8.self).contains("formatVersion"))
        #expect(StoredJSON.decode(ValidationReport.self, from: legacy) == report)
    }

    @Test func aNewerFormatIsNotGuessedAt() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: try StoredJSON.encode(report)) as? [String: Any]
        )
        object["formatVersion"] = StoredJSON.currentVersion + 1
        let newer = try JSONSerialization.data(withJSONObject: object)
        #expect(StoredJSON.decode(ValidationReport.self, from: newer) == nil)
        #expect(KeyValidation.decode(String(decoding: newer, as: UTF8.self)) == nil)
    }

    @Test func anOutboxEventOfANewerFormatIsParkedNotDelivered() async throws {
        // Given an undelivered event that a newer build sealed
        let harness = try ServiceHarness()
        await harness.notifier.setFailing(true)
        let alice = try await harness.user()
        _ = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        let sealed = try await harness.database.writer.read { db in
            try #require(try String.fetchOne(db, sql: "SELECT event FROM outbox"))
        }
        var object = try #require(
            try JSONSerialization.jsonObject(with: try harness.ring.decrypt(sealed)) as? [String: Any]
        )
        object["formatVersion"] = StoredJSON.currentVersion + 1
        let newer = harness.ring.encrypt(try JSONSerialization.data(withJSONObject: object))
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET event = ?", arguments: [newer])
        }
        // When the relay reads the outbox, then it parks the row instead of delivering a guess
        let batch = try await harness.store.undeliveredBatch(limit: 10, at: Date())
        #expect(batch.events.isEmpty && batch.parked.count == 1)
    }
}
