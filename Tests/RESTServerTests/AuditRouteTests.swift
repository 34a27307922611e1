import ExchangeBotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import RESTServer

/// `GET /admin/audit`: admins only, newest first, filters, paging by `next_cursor`, and a 422 in the error format
/// for every parameter that does not read.
@Suite struct AuditRouteTests {
    /// alice adds a key over REST; an hour later root approves it over REST.
    static func history(_ harness: APIHarness) async throws -> (alice: User, admin: User, keyID: Int64) {
        let alice = try await harness.services.user()
        let admin = try await harness.services.user("root", admin: true)
        let key = try await harness.service.addKey(
            Sample.submission(),
            userID: alice.id,
            by: Caller(userID: alice.id, displayName: "alice")
        )
        harness.services.clock.advance(by: 3600)
        _ = try await harness.service.approve(keyID: key.id, by: Caller(userID: admin.id, displayName: "root"))
        return (alice, admin, key.id)
    }

    static func entries(_ body: String) throws -> [[String: Any]] {
        try #require(try object(body)["entries"] as? [[String: Any]])
    }

    @Test func onlyAdminsReadTheLog() async throws {
        let harness = try APIHarness()
        let (alice, admin, _) = try await Self.history(harness)
        try await harness.test { client in
            try expectError(try await client.call(.get, "/admin/audit"), .unauthorized)
            try expectError(try await client.call(.get, "/admin/audit", token: "bm9wZQ=="), .unauthorized)
            try expectError(try await client.call(.get, "/admin/audit", token: harness.token(alice)), .forbidden)
            try expectError(
                try await client.call(.get, "/admin/audit?key_id=abc", token: harness.token(alice)),
                .forbidden
            )
            let answer = try await client.call(.get, "/admin/audit", token: harness.token(admin))
            #expect(answer.status == .ok)
            #expect(answer.headers[.cacheControl] == "no-store")
            #expect(try await client.call(.get, "/admin/audit/", token: harness.token(admin)).status == .ok)
        }
    }

    @Test func entriesSayWhoDidWhatToWhoseKeyWhenAndFromWhere() async throws {
        let harness = try APIHarness()
        let (alice, admin, keyID) = try await Self.history(harness)
        try await harness.test { client in
            let answer = try await client.call(.get, "/admin/audit", token: harness.token(admin))
            let page = try object(answer.body)
            #expect(Set(page.keys) == ["entries", "next_cursor"])
            #expect(page["next_cursor"] is NSNull)
            let entries = try Self.entries(answer.body)
            let ids = entries.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted(by: >) && ids.count == entries.count)
            let approval = try #require(entries.first)
            #expect(
                Set(approval.keys) == [
                    "id", "time", "action", "outcome", "key_id", "user_id", "actor", "channel", "detail",
                ]
            )
            #expect(approval["action"] as? String == "key.approve" && approval["outcome"] as? String == "ok")
            #expect(approval["time"] as? String == "2023-11-14T23:13:20Z")
            #expect(approval["key_id"] as? Int == Int(keyID))
            #expect(approval["user_id"] as? Int == Int(alice.id), "the key's owner")
            #expect(approval["channel"] as? String == "rest")
            #expect(approval["detail"] is NSNull)
            let actor = try #require(approval["actor"] as? [String: Any])
            #expect(actor["name"] as? String == "root" && actor["user_id"] as? Int == Int(admin.id))
            #expect(actor["telegram_id"] is NSNull)
            let added = try #require(entries.first { $0["action"] as? String == "key.add" })
            #expect(added["time"] as? String == "2023-11-14T22:13:20Z")
            #expect((added["actor"] as? [String: Any])?["name"] as? String == "alice")
        }
    }

    @Test func filtersNarrowTheLog() async throws {
        let harness = try APIHarness()
        let (alice, admin, keyID) = try await Self.history(harness)
        let bob = try await harness.services.user("bob")
        _ = try await harness.service.addKey(
            Sample.submission(apiKey: "bob-key-00000000000000000000000000000000000000000000000000000000"),
            userID: bob.id,
            by: Caller(userID: bob.id, displayName: "bob")
        )
        try await harness.test { client in
            func actions(_ query: String) async throws -> [String] {
                let answer = try await client.call(.get, "/admin/audit?" + query, token: harness.token(admin))
                #expect(answer.status == .ok, "\(query): \(answer.body)")
                return try Self.entries(answer.body).compactMap { $0["action"] as? String }
            }
            let all = try await actions("")
            #expect(all.first == "key.add" && all.contains("key.approve"))
            let aliceKey = try await actions("key_id=\(keyID)")
            #expect(aliceKey == ["key.approve", "key.add"])
            #expect(try await actions("user_id=\(alice.id)").starts(with: ["key.approve", "key.add"]))
            #expect(!(try await actions("user_id=\(alice.id)").isEmpty))
            #expect(try await actions("user_id=\(bob.id)").allSatisfy { $0 != "key.approve" })
            #expect(try await actions("user_id=\(bob.id)&key_id=\(keyID)").isEmpty)
            #expect(try await actions("key_id=424242").isEmpty)
            // The approval came an hour after alice's key (22:13:20Z); bob's key at 23:13:20Z.
            #expect(try await actions("since=2023-11-14T23:00:00Z&key_id=\(keyID)") == ["key.approve"])
            #expect(try await actions("since=2023-11-15T00:00:00%2B01:00&key_id=\(keyID)") == ["key.approve"])
            #expect(try await actions("since=2023-11-14&key_id=\(keyID)") == aliceKey)
            #expect(try await actions("since=2023-11-14T23:13:21Z").isEmpty)
            #expect(try await actions("since=9999-12-31T23:59:59-23:59").isEmpty)
            #expect(try await actions("since=0001-01-01T00:00:00%2B23:59") == all)
        }
    }

    @Test func theCursorPagesThroughEverythingOnce() async throws {
        let harness = try APIHarness()
        let (_, admin, _) = try await Self.history(harness)
        for index in 1...4 {
            await harness.service.recordRefusal(
                action: .deleteKey,
                keyID: 424_242,
                by: Caller(userID: 99, displayName: "user 99"),
                detail: "attempt \(index)"
            )
        }
        try await harness.test { client in
            let everything = try Self.entries(
                try await client.call(.get, "/admin/audit?limit=200", token: harness.token(admin)).body
            ).compactMap { $0["id"] as? Int }
            #expect(everything.count >= 6)
            var seen: [Int] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let answer = try await client.call(.get, "/admin/audit?" + query, token: harness.token(admin))
                #expect(answer.status == .ok)
                let page = try object(answer.body)
                seen += try Self.entries(answer.body).compactMap { $0["id"] as? Int }
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 20
            #expect(seen == everything)
            #expect(pages == (everything.count + 1) / 2)
        }
    }

    @Test func everyParameterThatDoesNotReadIs422() async throws {
        let harness = try APIHarness()
        let (_, admin, _) = try await Self.history(harness)
        let refused = [
            "key_id=0", "key_id=-1", "key_id=abc", "key_id=1.5", "key_id=99999999999999999999", "user_id=0",
            "user_id=x", "limit=0", "limit=201", "limit=-1", "limit=ten", "limit=1e2", "since=yesterday",
            "since=2024-01-01T12:99:00Z", "since=2024-13-01", "since=2023-02-29", "since=2024-01-01T24:00:00Z",
            "since=2024-01-01T12:00:00%2B24:00", "since=2024-01-01T12:00", "cursor=!!!", "cursor=MTIz%3D",
            "cursor=LTU", "cursor=MA", "cursor=e30", "cursor=%00", "key_id=", "user_id=", "since=", "limit=", "cursor=",
            "cursor=" + String(repeating: "A", count: 5000),
        ]
        try await harness.test { client in
            for query in refused {
                let answer = try await client.call(.get, "/admin/audit?" + query, token: harness.token(admin))
                let detail = try expectError(answer, .unprocessableContent)
                let name = String(query.prefix { $0 != "=" })
                #expect(detail.contains(name), "\(query): \(detail)")
            }
            // A cursor this API wrote is accepted, whichever row it names.
            let answer = try await client.call(
                .get,
                "/admin/audit?cursor=\(AuditCursor.encode(1))",
                token: harness.token(admin)
            )
            #expect(answer.status == .ok)
            #expect(try Self.entries(answer.body).isEmpty)
        }
    }

    @Test func theRouteIsDocumentedWithEveryStatusItAnswers() async throws {
        let harness = try APIHarness()
        try await harness.test { client in
            let document = try object(try await client.call(.get, "/openapi.json").body)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let operation = try #require(paths["/admin/audit"]?["get"] as? [String: Any])
            let statuses = Set(((operation["responses"] as? [String: Any]) ?? [:]).keys)
            #expect(statuses == ["200", "401", "403", "422", "429", "500"])
            let names = ((operation["parameters"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["key_id", "user_id", "since", "limit", "cursor"])
        }
    }

    @Test func sinceReadsRFC3339StrictlyAndADateAsMidnightUTC() {
        let cases: [(String, TimeInterval?)] = [
            ("2023-11-14T22:13:20Z", 1_700_000_000),
            ("2023-11-14t22:13:20z", 1_700_000_000),
            ("2023-11-14T22:13:20.25Z", 1_700_000_000.25),
            ("2023-11-14T23:13:20+01:00", 1_700_000_000),
            ("2023-11-14T21:13:20-01:00", 1_700_000_000),
            ("2023-11-14T22:13:20", 1_700_000_000),
            ("2023-11-14", 1_699_920_000),
            ("2024-02-29", 1_709_164_800),
            ("1970-01-01T00:00:00Z", 0),
            ("2016-12-31T23:59:60Z", 1_483_228_799.999_999),
            ("2023-02-29", nil), ("2023-11-31", nil), ("2023-11-14T22:13", nil), ("2023-11-14T22:13:20+0100", nil),
            ("2023-11-14T22:13:20.Z", nil), ("2023-11-14T22:60:00Z", nil), ("2023-11-14T22:13:20ZZ", nil),
            ("2023-11-14X22:13:20Z", nil), ("+2023-11-14", nil), ("", nil), ("2023-1-14", nil),
        ]
        for (text, expected) in cases {
            let parsed = RFC3339Date.parse(text)?.timeIntervalSince1970
            if let expected, let parsed {
                #expect(abs(parsed - expected) < 0.000_01, "\(text)")
            } else {
                #expect(parsed == expected, "\(text)")
            }
        }
    }
}
