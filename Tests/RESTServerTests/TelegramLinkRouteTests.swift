import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import RESTServer
import TestSupport
import Testing

/// `POST|GET|DELETE /user/telegram-link` on the real SQLite link store.
@Suite struct TelegramLinkRouteTests {
    @Test func aCodeIsIssuedWithItsDeepLinkAndExpiry() async throws {
        let harness = try APIHarness(botUsername: "keys_bot")
        let alice = try await harness.services.user()
        try await harness.test { client in
            let issued = try await client.call(.post, "/user/telegram-link", token: harness.token(alice))
            #expect(issued.status == .created)
            let body = try object(issued.body)
            #expect(Set(body.keys) == ["code", "url", "expires_at"])
            let code = try #require(body["code"] as? String)
            #expect(code.utf8.count == 43 && code.range(of: "^[A-Za-z0-9_-]+$", options: .regularExpression) != nil)
            #expect(body["url"] as? String == "https://t.me/keys_bot?start=\(code)")
            let expiry = harness.services.clock.now().addingTimeInterval(AccountLinking.defaultCodeLifetime)
            #expect(body["expires_at"] as? String == NaiveUTCDate.format(expiry, separator: "T"))
            // The store keeps only the hash: the code names alice until it is used.
            let hash = try #require(harness.linking?.codeHash(code))
            #expect(try await harness.linking?.user(forCode: hash)?.id == alice.id)
            #expect(try await harness.services.store.auditLog(limit: 1).first?.action == .issueLinkCode)
        }
    }

    @Test func theURLIsNullWhileTheBotsUsernameIsUnknown() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        try await harness.test { client in
            let issued = try await client.call(.post, "/user/telegram-link/", token: harness.token(alice))
            #expect(issued.status == .created)
            let body = try object(issued.body)
            #expect(body["url"] is NSNull)
        }
    }

    @Test func statusShowsOnlyTheTelegramIDAndUsernameAndDeleteUnlinks() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let linking = try #require(harness.linking)
        try await harness.test { client in
            let none = try object(try await client.call(.get, "/user/telegram-link", token: harness.token(alice)).body)
            #expect(
                none["linked"] as? Bool == false && none["telegram_id"] is NSNull && none["telegram_username"] is NSNull
            )

            let issued = try await linking.issue(for: alice.id, by: .system)
            let outcome = try await linking.link(
                telegramID: 4_242,
                telegramUsername: "alice_tg",
                codeHash: try #require(linking.codeHash(issued.code)),
                by: Caller(telegramID: 4_242)
            )
            guard case .linked = outcome else {
                Issue.record("not linked: \(outcome)")
                return
            }
            let shown = try await client.call(.get, "/user/telegram-link", token: harness.token(alice))
            #expect(shown.status == .ok)
            let body = try object(shown.body)
            #expect(Set(body.keys) == ["linked", "telegram_id", "telegram_username"])
            #expect(body["linked"] as? Bool == true && body["telegram_id"] as? Int == 4_242)
            #expect(body["telegram_username"] as? String == "alice_tg")

            let removed = try await client.call(.delete, "/user/telegram-link", token: harness.token(alice))
            #expect(removed.status == .ok)
            #expect(try object(removed.body)["linked"] as? Bool == false)
            #expect(try await linking.telegramLink(ofUser: alice.id) == nil)
            // Nothing linked any more: the same answer again.
            let again = try await client.call(.delete, "/user/telegram-link", token: harness.token(alice))
            #expect(again.status == .ok)
            #expect(try object(again.body)["linked"] as? Bool == false)
            let actions = try await harness.services.store.auditLog(limit: 3).map(\.action)
            #expect(actions.contains(.unlinkTelegram))
        }
    }

    @Test func aPlatformLinkIsAConflict() async throws {
        let fake = FakeAccountLinks(users: { _ in nil })
        let harness = try APIHarness(links: { _ in fake })
        let alice = try await harness.services.user()
        await fake.setPlatformLink(userID: alice.id, telegramID: 99)
        try await harness.test { client in
            let shown = try object(try await client.call(.get, "/user/telegram-link", token: harness.token(alice)).body)
            #expect(shown["linked"] as? Bool == true && shown["telegram_id"] as? Int == 99)
            let refused = try await client.call(.delete, "/user/telegram-link", token: harness.token(alice))
            #expect(try expectError(refused, .conflict).contains("platform"))
        }
    }

    @Test func tokensAreRequiredAndDeactivatedUsersRefused() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        try await harness.test { client in
            for method in [HTTPRequest.Method.post, .get, .delete] {
                try expectError(try await client.call(method, "/user/telegram-link"), .unauthorized)
            }
            try expectError(
                try await client.call(.put, "/user/telegram-link", token: harness.token(alice)),
                .methodNotAllowed
            )
        }
        try await harness.services.database.writer.write { db in
            try db.execute(sql: "UPDATE users SET is_active = 0 WHERE id = ?", arguments: [alice.id])
        }
        try await harness.test { client in
            try expectError(
                try await client.call(.post, "/user/telegram-link", token: harness.token(alice)),
                .forbidden
            )
        }
    }

    @Test func withoutALinkStoreTheRoutesAnswer503() async throws {
        let harness = try APIHarness(links: { _ in nil })
        let alice = try await harness.services.user()
        try await harness.test { client in
            try expectError(
                try await client.call(.post, "/user/telegram-link", token: harness.token(alice)),
                .serviceUnavailable
            )
        }
    }

    @Test func theRequestBudgetAppliesToLinkRoutes() async throws {
        let harness = try APIHarness(rateLimit: (2, 60))
        let alice = try await harness.services.user()
        try await harness.test { client in
            for _ in 0..<2 {
                #expect(try await client.call(.get, "/user/telegram-link", token: harness.token(alice)).status == .ok)
            }
            try expectError(
                try await client.call(.get, "/user/telegram-link", token: harness.token(alice)),
                .tooManyRequests
            )
        }
    }
}
