import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RESTServer
import Synchronization
import Testing

/// `POST /telegram/webhook` on the router `run` serves: the secret header checked before anything is read, the
/// body bounded, and 200 only once the bot's store has the update.
@Suite struct TelegramWebhookRouteTests {
    static let secret = "webhook_Secret-123"
    static let update = #"{"update_id":7,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"}}}"#

    /// What the route handed to the bot, and whether the (slow) store had finished when the answer left.
    final class Receiver: Sendable {
        let bodies = Mutex<[String]>([])
        let fails: Bool

        init(fails: Bool = false) { self.fails = fails }

        var endpoint: TelegramWebhookEndpoint {
            TelegramWebhookEndpoint(secret: TelegramWebhookRouteTests.secret) { body in
                // A commit takes a while: the answer must wait for it.
                try await Task.sleep(for: .milliseconds(50))
                if self.fails { throw CocoaError(.fileWriteUnknown) }
                self.bodies.withLock { $0.append(String(decoding: body, as: UTF8.self)) }
            }
        }
    }

    func withRouter(
        _ receiver: Receiver,
        api: APIDependencies? = nil,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let ops = OpsDependencies(
            databaseIsReachable: { true },
            botState: { "webhook" },
            role: { "single" },
            metrics: { [] }
        )
        let logger = Logger(label: "webhook-route-test")
        let router = APIServer.router(api, ops: ops, webhook: receiver.endpoint, logger: logger)
        try await Application(router: router, logger: logger).test(.router, body)
    }

    func post(
        _ client: any TestClientProtocol,
        secret: String?,
        body: String = TelegramWebhookRouteTests.update
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let secret { headers[TelegramWebhookRoute.secretHeader] = secret }
        return try await client.execute(
            uri: "/telegram/webhook",
            method: .post,
            headers: headers,
            body: ByteBuffer(string: body)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    @Test func theRightSecretIsAnsweredOnlyOnceTheUpdateIsStored() async throws {
        let receiver = Receiver()
        try await withRouter(receiver) { client in
            let answer = try await post(client, secret: Self.secret)
            #expect(answer.status == .ok)
            // An answer body naming a method would be run by Telegram: it stays empty.
            #expect(answer.body.isEmpty)
            #expect(receiver.bodies.withLock { $0 } == [Self.update])
        }
    }

    @Test(arguments: [nil, "", "webhook_Secret-12", "webhook_Secret-1234", "WEBHOOK_SECRET-123"])
    func aMissingOrWrongSecretIsForbiddenAndNothingIsStored(secret: String?) async throws {
        let receiver = Receiver()
        try await withRouter(receiver) { client in
            let answer = try await post(client, secret: secret, body: #"{"update_id":8,"echo":"marker-text"}"#)
            #expect(answer.status == .forbidden)
            #expect(!answer.body.contains("marker-text"), "the post is never echoed")
            #expect(!answer.body.contains(Self.secret))
        }
        #expect(receiver.bodies.withLock { $0 }.isEmpty)
    }

    @Test func anOversizedBodyIsRefusedUnread() async throws {
        let receiver = Receiver()
        try await withRouter(receiver) { client in
            let padding = String(repeating: "x", count: TelegramWebhookRoute.maximumBody)
            let answer = try await post(client, secret: Self.secret, body: #"{"update_id":9,"pad":""# + padding + "\"}")
            #expect(answer.status == .contentTooLarge)
        }
        #expect(receiver.bodies.withLock { $0 }.isEmpty)
    }

    @Test func aStoreThatFailsIsA500SoTelegramPostsAgain() async throws {
        try await withRouter(Receiver(fails: true)) { client in
            let answer = try await post(client, secret: Self.secret)
            #expect(answer.status == .internalServerError)
        }
    }

    /// With the REST API on, at one request a minute per address and per user: Telegram posts for every user from
    /// a few addresses, without a bearer token.
    @Test func theRouteIsOutsideTheAPIsRateLimitsAndBearerTokens() async throws {
        let receiver = Receiver()
        let api = try APIHarness(rateLimit: (1, 60)).dependencies
        try await withRouter(receiver, api: api) { client in
            for _ in 0..<5 {
                let answer = try await post(client, secret: Self.secret)
                #expect(answer.status == .ok)
            }
        }
        #expect(receiver.bodies.withLock { $0 }.count == 5)
    }
}
