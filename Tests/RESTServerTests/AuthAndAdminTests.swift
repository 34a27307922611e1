import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import RESTServer
import TestSupport
import Testing

@Suite struct AuthTests {
    @Test func everyBadTokenIsRefused() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let ghost = User(id: 999)
        let inactive = try await harness.services.user("inactive")
        try await harness.services.database.writer.write { db in
            try db.execute(sql: "UPDATE users SET is_active = 0 WHERE id = ?", arguments: [inactive.id])
        }
        let valid = harness.token(alice)
        let decoded = String(decoding: Data(base64Encoded: valid)!, as: UTF8.self)
        let tampered = Data(decoded.replacingOccurrences(of: "\(alice.id):", with: "\(alice.id + 1):").utf8)
            .base64EncodedString()
        try await harness.test { client in
            try expectError(try await client.call(.get, "/user/exchanges/"), .unauthorized)
            let cases: [(String?, HTTPResponse.Status, String)] = [
                ("garbage", .unauthorized, "Invalid token format"),
                (tampered, .unauthorized, "Invalid token signature"),
                (harness.token(alice, at: Date().addingTimeInterval(-3601)), .unauthorized, "Token expired"),
                (
                    BearerTokenAuthority(secretKey: "other-key", maxAge: 3600).mint(userID: alice.id), .unauthorized,
                    "Invalid token signature"
                ),
                (harness.token(ghost), .unauthorized, "User not found"),
                (harness.token(inactive), .forbidden, "Account is disabled"),
            ]
            for (token, status, detail) in cases {
                let response = try await client.call(.get, "/user/exchanges/", token: token)
                #expect(try expectError(response, status) == detail)
            }
            let basic = try await client.call(.get, "/user/exchanges/", headers: [.authorization: "Basic YWxpY2U6eA=="])
            try expectError(basic, .unauthorized)
            #expect(try await client.call(.get, "/user/exchanges/", token: valid).status == .ok)
        }
    }

    @Test(.enabled(if: Python.executable != nil, "python3 is not on PATH"))
    func aTokenMintedByPythonLikeFlaskWorks() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let token = try await Python.run(
            """
            import base64, hashlib, hmac, sys, time
            payload = f"{sys.argv[1]}:{int(time.time())}"
            signature = hmac.new(sys.argv[2].encode(), payload.encode(), hashlib.sha256).hexdigest()
            print(base64.b64encode(f"{payload}:{signature}".encode()).decode())
            """,
            arguments: [String(alice.id), APIHarness.secretKey]
        )
        try await harness.test { client in
            let response = try await client.call(.get, "/user/exchanges/", token: token)
            #expect(response.status == .ok)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfterPerCaller() async throws {
        let harness = try APIHarness(rateLimit: (3, 60))
        let alice = try await harness.services.user()
        let bob = try await harness.services.user("bob")
        try await harness.test { client in
            let token = harness.token(alice)
            for _ in 0..<3 {
                #expect(try await client.call(.get, "/user/exchanges/", token: token).status == .ok)
            }
            let limited = try await client.call(.get, "/user/exchanges/", token: token)
            try expectError(limited, .tooManyRequests)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 20)
            // Another caller has its own budget; health checks are not limited.
            #expect(try await client.call(.get, "/user/exchanges/", token: harness.token(bob)).status == .ok)
            for _ in 0..<5 { #expect(try await client.call(.get, "/healthz").status == .ok) }
        }
    }

    @Test func theAccessLogNamesTheRequestButNoSecret() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let token = harness.token(alice)
        try await harness.test { client in
            _ = try await client.call(.post, "/user/exchanges/?token=\(token)", token: token, json: okxBody)
        }
        let line = try #require(harness.logs.entries.first { $0.message.description == "request" })
        #expect(line.metadata["http.status"]?.description == "201")
        #expect(line.metadata["http.path"]?.description == "/user/exchanges/")
        #expect(line.metadata["user.id"]?.description == String(alice.id))
        let everything = harness.logs.entries.map { "\($0.message) \($0.metadata)" }.joined()
        for secret in [token, "okx-secret-VALUE-42", "okx-pass-phrase", APIHarness.secretKey] {
            #expect(!everything.contains(secret))
        }
    }
}

@Suite struct AdminRouteTests {
    @Test func onlyAdminsDecideAndPendingShowsTheOwner() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let admin = try await harness.services.user("root", admin: true)
        let key = try await harness.services.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.test { client in
            try expectError(
                try await client.call(.get, "/admin/exchanges/pending", token: harness.token(alice)),
                .forbidden
            )
            try expectError(
                try await client.call(.post, "/admin/exchanges/\(key.id)/approve", token: harness.token(alice)),
                .forbidden
            )
            let pending = try array(
                try await client.call(.get, "/admin/exchanges/pending/", token: harness.token(admin)).body
            )
            #expect(pending.count == 1)
            #expect(
                pending.first?["user_username"] as? String == "alice"
                    && pending.first?["user_email"] as? String == "alice@example.com"
            )
            #expect(pending.first?["id"] as? Int == Int(key.id))
            // Reject needs a reason; then approval is a conflict naming who decided.
            try expectError(
                try await client.call(
                    .post,
                    "/admin/exchanges/\(key.id)/reject",
                    token: harness.token(admin),
                    json: #"{"reason":""}"#
                ),
                .unprocessableContent
            )
            try expectError(
                try await client.call(
                    .post,
                    "/admin/exchanges/\(key.id)/reject",
                    token: harness.token(admin),
                    json: "{}"
                ),
                .unprocessableContent
            )
            let rejected = try await client.call(
                .post,
                "/admin/exchanges/\(key.id)/reject",
                token: harness.token(admin),
                json: #"{"reason":"Withdrawals enabled"}"#
            )
            #expect(rejected.status == .ok)
            #expect((try object(rejected.body))["message"] as? String == "Exchange rejected successfully")
            let again = try await client.call(
                .post,
                "/admin/exchanges/\(key.id)/approve",
                token: harness.token(admin),
                json: #"{"notification_message":"hi"}"#
            )
            #expect(try expectError(again, .conflict).contains("already rejected by root"))
            try expectError(
                try await client.call(.post, "/admin/exchanges/424242/approve", token: harness.token(admin)),
                .notFound
            )
            #expect(
                try array(try await client.call(.get, "/admin/exchanges/pending", token: harness.token(admin)).body)
                    .isEmpty
            )
        }
        #expect(try await harness.services.store.key(id: key.id)?.errorMessage == "Withdrawals enabled")
        // The owner heard about it through the notifier.
        #expect(await harness.services.notifier.delivered.last?.kind == .rejected(reason: "Withdrawals enabled"))
    }

    @Test func approvalCarriesTheNotificationMessage() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let admin = try await harness.services.user("root", admin: true)
        let key = try await harness.services.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.test { client in
            let approved = try await client.call(
                .post,
                "/admin/exchanges/\(key.id)/approve",
                token: harness.token(admin),
                json: #"{"notification_message":"Welcome"}"#
            )
            #expect(approved.status == .ok)
            #expect(((try object(approved.body))["exchange"] as? [String: Any])?["status"] as? String == "APPROVED")
        }
        #expect(await harness.services.notifier.delivered.last?.kind == .approved(message: "Welcome"))
    }
}

@Suite struct DocumentTests {
    @Test func healthOpenAPIAndDocs() async throws {
        let harness = try APIHarness()
        try await harness.test { client in
            let health = try await client.call(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(try object(health.body)["database"] as? String == "ok")
            let openapi = try await client.call(.get, "/openapi.json/")
            let document = try object(openapi.body)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(
                Set(paths.keys).isSuperset(of: [
                    "/user/exchanges/", "/user/exchanges/{id}", "/user/exchanges/{id}/toggle",
                    "/admin/exchanges/pending",
                    "/admin/exchanges/{id}/approve", "/admin/exchanges/{id}/reject", "/healthz", "/openapi.json",
                    "/docs",
                ])
            )
            // Every documented operation is routed (answers something other than "no route").
            for (path, item) in paths {
                for method in ((item as? [String: Any]) ?? [:]).keys
                where ["get", "post", "put", "patch", "delete"].contains(method) {
                    let uri = path.replacingOccurrences(of: "{id}", with: "1")
                    let response = try await client.call(HTTPRequest.Method(method.uppercased())!, uri)
                    #expect(!response.body.contains("No route"), "\(method) \(path)")
                }
            }
            let docs = try await client.call(.get, "/docs")
            #expect(docs.status == .ok && docs.body.contains("/openapi.json"))
            #expect(
                !docs.body.contains("<script src") && !docs.body.contains("http://") && !docs.body.contains("https://")
            )
        }
    }

    @Test(
        .enabled(
            if: (try? Python.runBlocking("import openapi_spec_validator")) != nil,
            "python3 lacks openapi-spec-validator"
        )
    )
    func theDocumentIsValidOpenAPI31() async throws {
        let harness = try APIHarness()
        let folder = TemporaryFolder()
        try await harness.test { client in
            try await client.call(.get, "/openapi.json").body.write(
                toFile: folder.path("openapi.json"),
                atomically: true,
                encoding: .utf8
            )
        }
        let output = try await Python.run(
            """
            import json, sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.versions import consts
            validate(json.load(open(sys.argv[1])))
            print("valid")
            """,
            arguments: [folder.path("openapi.json")]
        )
        #expect(output == "valid")
    }
}

@Suite struct RateLimiterTests {
    @Test func refillsAndForgetsIdleCallers() async {
        let limiter = RateLimiter(requests: 2, perSeconds: 60)
        #expect(await limiter.take("a", now: 0) == .allowed(remaining: 1))
        #expect(await limiter.take("a", now: 0) == .allowed(remaining: 0))
        #expect(await limiter.take("a", now: 1) == .limited(retryAfter: 29))
        #expect(await limiter.take("a", now: 31) == .allowed(remaining: 0))
        // Many callers once, then time passes: the next sweep drops the buckets that are full again.
        for index in 0..<1100 { _ = await limiter.take("caller-\(index)", now: 100) }
        #expect(await limiter.trackedCallers > 1000)
        for index in 0..<1100 { _ = await limiter.take("late-\(index % 3)", now: 1000) }
        #expect(await limiter.trackedCallers <= 4)
    }
}
