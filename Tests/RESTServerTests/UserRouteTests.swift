import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import RESTServer
import TestSupport
import Testing

@Suite struct UserRouteTests {
    @Test func addListToggleUpdateDelete() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let admin = try await harness.services.user("root", admin: true)
        try await harness.test { client in
            // Add: 201, PENDING, inactive, no secret anywhere in the answer.
            let created = try await client.call(.post, "/user/exchanges/", token: harness.token(alice), json: okxBody)
            #expect(created.status == .created)
            #expect(
                !created.body.contains("okx-secret") && !created.body.contains("okx-pass")
                    && !created.body.contains("okx-key-0000000001")
            )
            let key = try object(created.body)
            let id = try #require(key["id"] as? Int)
            #expect(key["status"] as? String == "PENDING" && key["is_active"] as? Bool == false)
            #expect(key["label"] as? String == "Main <&> 🚀" && key["exchange_name"] as? String == "okx")
            #expect(key["api_key_masked"] as? String == "okx-…0001" && key.keys.contains("error_message"))
            // List, with and without the trailing slash.
            for path in ["/user/exchanges/", "/user/exchanges"] {
                let listed = try await client.call(.get, path, token: harness.token(alice))
                #expect(listed.status == .ok)
                #expect(listed.headers[.cacheControl] == "no-store", "one user's keys: no cache may keep them")
                #expect(try array(listed.body).map { $0["id"] as? Int } == [id])
            }
            // A PENDING key cannot be activated.
            let early = try await client.call(
                .patch,
                "/user/exchanges/\(id)/toggle",
                token: harness.token(alice),
                json: #"{"is_active":true}"#
            )
            #expect(try expectError(early, .conflict).contains("PENDING"))
            // Approved, it can; the seed's body and a bare toggle both work.
            _ = try await client.call(.post, "/admin/exchanges/\(id)/approve", token: harness.token(admin))
            let on = try await client.call(
                .patch,
                "/user/exchanges/\(id)/toggle",
                token: harness.token(alice),
                json: #"{"is_active":true}"#
            )
            #expect(on.status == .ok)
            let outcome = try object(on.body)
            #expect(
                outcome["success"] as? Bool == true
                    && outcome["message"] as? String == "Exchange activated successfully"
            )
            #expect((outcome["exchange"] as? [String: Any])?["is_active"] as? Bool == true)
            let off = try await client.call(.patch, "/user/exchanges/\(id)/toggle/", token: harness.token(alice))
            #expect(((try object(off.body))["exchange"] as? [String: Any])?["is_active"] as? Bool == false)
            // New credentials: back to PENDING.
            let updated = try await client.call(
                .put,
                "/user/exchanges/\(id)",
                token: harness.token(alice),
                json: #"{"label":"Renamed","api_key":"okx-key-0000000002","api_secret":"s2","passphrase":"p2"}"#
            )
            #expect(updated.status == .ok, "\(updated.body)")
            #expect(try object(updated.body)["status"] as? String == "PENDING")
            // Delete, then it is gone.
            #expect(try await client.call(.delete, "/user/exchanges/\(id)", token: harness.token(alice)).status == .ok)
            try expectError(
                try await client.call(.delete, "/user/exchanges/\(id)", token: harness.token(alice)),
                .notFound
            )
        }
    }

    @Test func anotherUsersKeyIsNotFoundNotForbidden() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let mallory = try await harness.services.user("mallory")
        let key = try await harness.services.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.test { client in
            let token = harness.token(mallory)
            try expectError(try await client.call(.patch, "/user/exchanges/\(key.id)/toggle", token: token), .notFound)
            try expectError(try await client.call(.delete, "/user/exchanges/\(key.id)", token: token), .notFound)
            try expectError(
                try await client.call(.put, "/user/exchanges/\(key.id)", token: token, json: #"{"label":"x"}"#),
                .notFound
            )
            try expectError(try await client.call(.delete, "/user/exchanges/999999", token: token), .notFound)
            try expectError(try await client.call(.delete, "/user/exchanges/abc", token: token), .notFound)
            #expect(try array(try await client.call(.get, "/user/exchanges", token: token).body).isEmpty)
        }
        #expect(try await harness.services.store.key(id: key.id) != nil)
    }

    @Test func inputAndExchangeErrorsUseTheStandardBody() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        await harness.services.validator.answer("bad-secret-key-0001", with: .failure(.invalidSecret))
        await harness.services.validator.answer("slow-key-000000001", with: .failure(.timeout))
        await harness.services.validator.answer("down-key-000000001", with: .failure(.exchangeUnavailable("HTTP 503")))
        try await harness.test { client in
            let token = harness.token(alice)
            func add(_ json: String) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
                try await client.call(.post, "/user/exchanges", token: token, json: json)
            }
            try expectError(
                try await add(#"{"exchange_name":"ftx","label":"a","api_key":"k","api_secret":"s"}"#),
                .unprocessableContent
            )
            try expectError(
                try await add(#"{"exchange_name":"okx","label":"a","api_key":"k","api_secret":"s"}"#),
                .badRequest
            )
            try expectError(
                try await add(#"{"exchange_name":"binance","label":"","api_key":"k","api_secret":"s"}"#),
                .unprocessableContent
            )
            try expectError(
                try await add(#"{"exchange_name":"binance","label":"a","api_key":"k"}"#),
                .unprocessableContent
            )
            try expectError(
                try await add(#"{"exchange_name":"binance","label":5,"api_key":"k","api_secret":"s"}"#),
                .unprocessableContent
            )
            try expectError(try await add(#"{"exchange_name": "binance", "#), .badRequest)
            try expectError(try await add(""), .badRequest)
            let wrongSecret = try await add(
                #"{"exchange_name":"binance","label":"a","api_key":"bad-secret-key-0001","api_secret":"TOP-SECRET-VALUE"}"#
            )
            let detail = try expectError(wrongSecret, .unprocessableContent)
            #expect(detail.contains("secret") && !wrongSecret.body.contains("TOP-SECRET-VALUE"))
            try expectError(
                try await add(
                    #"{"exchange_name":"binance","label":"a","api_key":"slow-key-000000001","api_secret":"s"}"#
                ),
                .gatewayTimeout
            )
            try expectError(
                try await add(
                    #"{"exchange_name":"binance","label":"a","api_key":"down-key-000000001","api_secret":"s"}"#
                ),
                .badGateway
            )
            // Duplicates are a conflict.
            let first = try await add(
                #"{"exchange_name":"binance","label":"a","api_key":"dup-key-000000001","api_secret":"s"}"#
            )
            #expect(first.status == .created)
            try expectError(
                try await add(
                    #"{"exchange_name":"binance","label":"b","api_key":"dup-key-000000001","api_secret":"s"}"#
                ),
                .conflict
            )
            // Oversized bodies are refused before they are parsed.
            let huge =
                #"{"exchange_name":"binance","label":"a","api_key":"k","api_secret":""#
                + String(repeating: "x", count: 70_000) + #""}"#
            try expectError(try await add(huge), .contentTooLarge)
            // Half an update is refused.
            try expectError(
                try await client.call(.put, "/user/exchanges/1", token: token, json: #"{"api_key":"only-key"}"#),
                .unprocessableContent
            )
        }
        let rows = try await harness.services.store.keys(ofUser: alice.id)
        #expect(rows.count == 1)
    }

    @Test func unknownRoutesAnswerTheStandardBody() async throws {
        let harness = try APIHarness()
        try await harness.test { client in
            try expectError(try await client.call(.get, "/nope"), .notFound)
            let wrongMethod = try await client.call(.delete, "/user/exchanges")
            try expectError(wrongMethod, .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, HEAD, POST")
        }
    }
}

/// The hand-written JSON of key lists is valid JSON that decodes to the stored values, escapes included.
@Suite struct KeyListJSONTests {
    @Test func handWrittenJSONRoundTrips() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let labels = ["plain", "quote \" and \\ backslash", "ünïcødé 🚀 <&> </script>"]
        for (index, label) in labels.enumerated() {
            _ = try await harness.services.service.addKey(
                Sample.submission(label: label, apiKey: "key-\(index)-00000000"),
                userID: alice.id,
                by: .system
            )
        }
        try await harness.test { client in
            let listed = try await client.call(.get, "/user/exchanges/", token: harness.token(alice))
            let decoded = try array(listed.body)
            #expect(decoded.map { $0["label"] as? String } == labels)
            #expect(decoded.allSatisfy { $0["error_message"] is NSNull && $0["is_active"] as? Bool == false })
            let expectedKeys: Set<String> = [
                "id", "user_id", "exchange_name", "label", "status", "is_active", "error_message", "created_at",
                "updated_at", "api_key_masked",
            ]
            #expect(decoded.allSatisfy { Set($0.keys) == expectedKeys })
        }
    }
}
