import ExchangeBotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import RESTServer
import TestSupport
import Testing

/// Item 20 of issue 9: the API answers what its OpenAPI document says, and the document says what the API does.
@Suite struct ConformanceTests {
    func document(_ client: any TestClientProtocol) async throws -> [String: Any] {
        try object(try await client.call(.get, "/openapi.json").body)
    }

    @Test func aKnownPathAskedWithAnotherMethodAnswers405WithAllow() async throws {
        let harness = try APIHarness()
        try await harness.test { client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/user/exchanges", "GET, HEAD, POST"),
                (.put, "/user/exchanges/", "GET, HEAD, POST"),
                (.get, "/user/exchanges/12", "PUT, DELETE"),
                (.post, "/user/exchanges/12/toggle", "PATCH"),
                (.get, "/admin/exchanges/12/approve", "POST"),
                (.delete, "/admin/exchanges/pending", "GET, HEAD"),
                (.post, "/healthz", "GET, HEAD"),
                (.init("TRACE")!, "/openapi.json", "GET, HEAD"),
            ]
            for (method, path, allowed) in cases {
                let response = try await client.call(method, path)
                #expect(try expectError(response, .methodNotAllowed).contains(allowed), "\(method) \(path)")
                #expect(response.headers[.allow] == allowed, "\(method) \(path)")
            }
            try expectError(try await client.call(.get, "/nope"), .notFound)
            let head = try await client.call(.head, "/healthz")
            #expect(head.status == .ok && head.body.isEmpty)
            try expectError(try await client.call(.get, "/user/exchanges/1/toggle/extra"), .notFound)
        }
    }

    /// Every status a route answers is listed for it: the ones every protected route can answer, plus those of
    /// bodies and of `{id}`.
    @Test func everyOperationListsTheStatusesItCanAnswer() async throws {
        let harness = try APIHarness()
        try await harness.test { client in
            let paths = try #require(try await document(client)["paths"] as? [String: [String: Any]])
            for (path, item) in paths where path.hasPrefix("/user") || path.hasPrefix("/admin") {
                for (method, value) in item where method != "parameters" {
                    let operation = try #require(value as? [String: Any])
                    let statuses = Set(((operation["responses"] as? [String: Any]) ?? [:]).keys)
                    var expected: Set<String> = ["200", "401", "403", "429", "500"]
                    if method == "post", path == "/user/exchanges/" || path == "/user/telegram-link" {
                        expected.remove("200")
                    }
                    if operation["requestBody"] != nil { expected.formUnion(["400", "413", "422"]) }
                    if path.contains("{id}") { expected.insert("404") }
                    #expect(
                        expected.isSubset(of: statuses),
                        "\(method) \(path) lacks \(expected.subtracting(statuses))"
                    )
                }
            }
        }
    }

    @Test func aWronglyTypedToggleIs422AndDocumented() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let key = try await harness.services.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.test { client in
            for body in [#"{"is_active":"yes"}"#, #"{"is_active":1}"#, "[]", "5"] {
                let response = try await client.call(
                    .patch,
                    "/user/exchanges/\(key.id)/toggle",
                    token: harness.token(alice),
                    json: body
                )
                try expectError(response, .unprocessableContent)
            }
            let paths = try #require(try await document(client)["paths"] as? [String: [String: Any]])
            let toggle = try #require(paths["/user/exchanges/{id}/toggle"]?["patch"] as? [String: Any])
            #expect((toggle["responses"] as? [String: Any])?["422"] != nil)
        }
    }

    @Test func aPutWithANullKeyOrHalfTheCredentialsIsRefused() async throws {
        let harness = try APIHarness()
        let alice = try await harness.services.user()
        let key = try await harness.services.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.test { client in
            for body in [
                #"{"label":"x","api_key":null}"#, #"{"label":"x","api_secret":null}"#, #"{"api_key":"k"}"#,
                #"{"label":"x","passphrase":"p"}"#, #"{"label":null}"#, "{}",
            ] {
                let response = try await client.call(
                    .put,
                    "/user/exchanges/\(key.id)",
                    token: harness.token(alice),
                    json: body
                )
                try expectError(response, .unprocessableContent)
            }
            let ok = try await client.call(
                .put,
                "/user/exchanges/\(key.id)",
                token: harness.token(alice),
                json: #"{"label":"x","passphrase":null}"#
            )
            #expect(ok.status == .ok)
        }
    }

    /// The rules the schema can hold: the passphrase of okx, kucoin and Coinbase Exchange (`if`/`then`), key and
    /// secret together on PUT (`dependentRequired`).
    @Test func theDocumentEncodesThePassphraseAndCredentialRules() async throws {
        let harness = try APIHarness()
        try await harness.test { client in
            let components = try #require(try await document(client)["components"] as? [String: Any])
            let schemas = try #require(components["schemas"] as? [String: [String: Any]])
            let create = try #require(schemas["ExchangeCreate"])
            let condition = try #require(create["if"] as? [String: Any])
            let names = (condition["properties"] as? [String: [String: Any]])?["exchange_name"]?["enum"] as? [String]
            #expect(Set(names ?? []) == ["okx", "kucoin", "coinbaseexchange", "coinbasepro"])
            #expect((create["then"] as? [String: Any])?["required"] as? [String] == ["passphrase"])
            let update = try #require(schemas["ExchangeUpdate"])
            let dependent = update["dependentRequired"] as? [String: [String]]
            #expect(dependent == ["api_key": ["api_secret"], "api_secret": ["api_key"]])
        }
    }
}
