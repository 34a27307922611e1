import BearerTokens
import ExchangeBotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import RESTServer
import TestSupport
import Testing

/// Item 4 of issue 9: budgets follow who is calling, not how the token is written.
@Suite struct RateLimitTests {
    @Test func everySpellingOfOneTokenSharesItsUsersBudget() async throws {
        let harness = try APIHarness(rateLimit: (3, 60))
        let alice = try await harness.services.user()
        let token = harness.token(alice)
        let urlSafe = token.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let decoded = String(decoding: try #require(Data(base64Encoded: token)), as: UTF8.self)
        let upperHex = Data(decoded.uppercased().utf8).base64EncodedString()
        // Each spelling authenticates as alice; before the fix each one was a fresh bucket.
        let spellings = ["Bearer \(token)", "bearer \(token)", "Bearer  \(token)", "BEARER \(urlSafe)"]
        try await harness.test { client in
            for authorization in spellings.prefix(3) {
                let response = try await client.call(.get, "/user/exchanges/", headers: [.authorization: authorization])
                #expect(response.status == .ok, "\(authorization.prefix(8))")
            }
            for authorization in spellings.suffix(1) + ["Bearer \(upperHex)"] {
                let limited = try await client.call(.get, "/user/exchanges/", headers: [.authorization: authorization])
                try expectError(limited, .tooManyRequests)
                #expect(limited.headers[.retryAfter].flatMap { Int($0) } != nil)
            }
        }
    }

    @Test func requestsThatDoNotAuthenticateShareTheirAddressesBudget() async throws {
        let harness = try APIHarness(rateLimit: (3, 60))
        let alice = try await harness.services.user()
        try await harness.test { client in
            // Different garbage each time: before the fix, each was a fresh bucket.
            for index in 0..<3 {
                try expectError(
                    try await client.call(.get, "/user/exchanges/", token: "garbage-\(index)"),
                    .unauthorized
                )
            }
            try expectError(try await client.call(.get, "/user/exchanges/", token: "garbage-3"), .tooManyRequests)
            try expectError(try await client.call(.get, "/admin/exchanges/pending"), .tooManyRequests)
            // Users who authenticate are charged to themselves, not to the address they share.
            #expect(try await client.call(.get, "/user/exchanges/", token: harness.token(alice)).status == .ok)
        }
    }

    @Test func authenticatedCallsDoNotSpendTheAddressBudget() async throws {
        let harness = try APIHarness(rateLimit: (2, 60))
        let alice = try await harness.services.user()
        let bob = try await harness.services.user("bob")
        try await harness.test { client in
            for user in [alice, alice, bob, bob] {
                #expect(try await client.call(.get, "/user/exchanges/", token: harness.token(user)).status == .ok)
            }
            try expectError(try await client.call(.get, "/user/exchanges/", token: "garbage"), .unauthorized)
        }
    }

    @Test func theKeyCheckBudgetAnswers429WithRetryAfter() async throws {
        let harness = try APIHarness(keyCheckBudget: KeyCheckBudget(checks: 2, window: 3600))
        let alice = try await harness.services.user()
        try await harness.test { client in
            let token = harness.token(alice)
            var ids: [Int] = []
            for index in 0..<2 {
                let body =
                    #"{"exchange_name":"binance","label":"k\#(index)","api_key":"budget-key-000\#(index)","api_secret":"s"}"#
                let created = try await client.call(.post, "/user/exchanges/", token: token, json: body)
                #expect(created.status == .created)
                ids.append(try #require(try object(created.body)["id"] as? Int))
            }
            let third = try await client.call(
                .post,
                "/user/exchanges/",
                token: token,
                json: #"{"exchange_name":"binance","label":"k3","api_key":"budget-key-0003","api_secret":"s"}"#
            )
            try expectError(third, .tooManyRequests)
            let retryAfter = try #require(third.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 3600)
            // PUT with new credentials is a key check too; a label alone is not.
            let replace = try await client.call(
                .put,
                "/user/exchanges/\(ids[0])",
                token: token,
                json: #"{"api_key":"budget-key-0004","api_secret":"s"}"#
            )
            try expectError(replace, .tooManyRequests)
            #expect(replace.headers[.retryAfter] != nil)
            let rename = try await client.call(
                .put,
                "/user/exchanges/\(ids[0])",
                token: token,
                json: #"{"label":"New"}"#
            )
            #expect(rename.status == .ok)
        }
        #expect(await harness.services.validator.calls.count == 2)
    }
}
