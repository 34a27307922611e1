import ExchangeBotCore
import Foundation
import Testing

/// The audit view's pure parts: the page cursor (opaque, and refused unless it is exactly one this service wrote),
/// the page cut, the limit's bounds and the channel read from an actor's form.
@Suite struct AuditQueryTests {
    @Test func aCursorRoundTripsAndIsBase64URLOfTheRowID() {
        for rowID: Int64 in [1, 9, 42, 123, 1_000_000, Int64.max] {
            let cursor = AuditCursor.encode(rowID)
            #expect(AuditCursor.decode(cursor) == rowID)
            #expect(!cursor.contains("=") && !cursor.contains("+") && !cursor.contains("/"))
        }
        #expect(AuditCursor.encode(123) == "MTIz")
    }

    @Test func aTamperedOrMalformedCursorIsRefused() {
        let refused = [
            "", "=", "MTIz=", "MTIz==", " MTIz", "MTIz ", "MT Iz", "MTI=", "!!!!", "MTIz\u{0}", "ＭＴＩｚ",
            "LTU",  // "-5"
            "MA",  // "0"
            "MDEy",  // "012": not how 12 is written
            "MTJh",  // "12a"
            "OTk5OTk5OTk5OTk5OTk5OTk5OQ",  // 9999999999999999999, beyond Int64
            "e30",  // "{}"
            String(repeating: "M", count: 10_000),
        ]
        for text in refused {
            #expect(AuditCursor.decode(text) == nil, "\(text.prefix(40))")
        }
    }

    @Test func aPageKeepsTheLimitAndPointsPastItsLastRowOnlyWhenMoreFollow() {
        let rows = (1...5).reversed().map { record(id: Int64($0)) }
        let cut = AuditPage(rows: rows, limit: 4)
        #expect(cut.records.map(\.id) == [5, 4, 3, 2] && cut.nextCursor == 2)
        let whole = AuditPage(rows: Array(rows.prefix(4)), limit: 4)
        #expect(whole.records.count == 4 && whole.nextCursor == nil)
        #expect(AuditPage(rows: [], limit: 4).nextCursor == nil)
    }

    @Test func theLimitStaysWithinItsBounds() {
        #expect(AuditQuery().limit == 50)
        #expect(AuditQuery(limit: 0).limit == 1)
        #expect(AuditQuery(limit: -3).limit == 1)
        #expect(AuditQuery(limit: 200).limit == 200)
        #expect(AuditQuery(limit: 10_000).limit == 200)
    }

    /// Each channel writes its callers in its own form (REST: the token's user; the bot: a Telegram id; the
    /// command line: its name; the service: no one).
    @Test func theChannelIsReadFromHowEachChannelNamesItsCaller() {
        let channel = { (caller: Caller) in
            AuditChannel(actorName: caller.displayName, userID: caller.userID, telegramID: caller.telegramID)
        }
        #expect(channel(Caller(userID: 7, displayName: "alice")) == .rest)
        #expect(channel(Caller(userID: 7)) == .rest)
        #expect(channel(Caller(telegramID: 900, displayName: "@ada")) == .telegram)
        #expect(channel(Caller(userID: 7, telegramID: 900, displayName: "@ada")) == .telegram)
        #expect(channel(Caller(displayName: AuditChannel.commandLineActor)) == .cli)
        #expect(channel(.system) == .system)
        #expect(record(id: 1).channel == .rest)
    }

    func record(id: Int64) -> AuditRecord {
        AuditRecord(
            id: id,
            at: Date(timeIntervalSince1970: 0),
            action: AuditAction.addKey.rawValue,
            outcome: AuditOutcome.succeeded.rawValue,
            keyID: 1,
            ownerID: 7,
            actorName: "alice",
            actorUserID: 7,
            actorTelegramID: nil,
            detail: nil
        )
    }
}
