import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// Outages, throttling, proxies and slowness, staged on every exchange.
@Suite("Fake behaviours")
struct BehaviourTests {
    /// A registered account and its signed permission request, for each behaviour to answer.
    static func signedRequest(_ server: FakeExchangeServer) throws -> SignedRequest {
        let account = FakeAccount.random(for: server.exchange)
        server.register(account)
        return try TestSigners.permissionRequest(server.exchange, account, at: TestSigners.millis(server))
    }

    @Test("down with a gateway status answers an HTML maintenance page", arguments: ExchangeID.allCases)
    func downGateway(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let request = try Self.signedRequest(server)
            server.setBehaviour(.down(status: 503))
            for target in [request.target, Expectations.timePath(exchange)] {
                let response = try await RawHTTPClient.send(
                    to: server.origin,
                    request.method,
                    target,
                    headers: request.headers,
                    body: request.body
                )
                #expect(response.status == 503)
                #expect(response.headers["content-type"]?.hasPrefix("text/html") == true)
                #expect(response.text.contains("maintenance"))
                #expect(server.requests().last?.outcome == .down)
            }
        }
    }

    @Test("down with another status answers the exchange's JSON error", arguments: ExchangeID.allCases)
    func downInternal(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let request = try Self.signedRequest(server)
            server.setBehaviour(.down(status: 500))
            let response = try await request.send(to: server)
            #expect(response.status == 500)
            #expect(response.json != nil, "\(response.text)")
            #expect(server.requests().last?.outcome == .down)
        }
    }

    @Test("garbage answers 200 with bytes that are not JSON", arguments: ExchangeID.allCases)
    func garbage(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let request = try Self.signedRequest(server)
            server.setBehaviour(.garbage)
            let response = try await request.send(to: server)
            #expect(response.status == 200)
            #expect(!response.body.isEmpty)
            #expect(response.json == nil)
            #expect(server.requests().last?.outcome == .garbage)
        }
    }

    @Test("htmlErrorPage answers 403 with an HTML block page", arguments: ExchangeID.allCases)
    func htmlErrorPage(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let request = try Self.signedRequest(server)
            server.setBehaviour(.htmlErrorPage)
            let response = try await request.send(to: server)
            #expect(response.status == 403)
            #expect(response.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(response.text.contains("<html>"))
            #expect(response.json == nil)
        }
    }

    @Test("rateLimited answers the exchange's throttling error", arguments: ExchangeID.allCases)
    func rateLimited(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let request = try Self.signedRequest(server)
            server.setBehaviour(.rateLimited)
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.rateLimited(exchange))
            #expect(server.requests().last?.outcome == .rateLimited)
        }
    }

    @Test("slow delays the answer, which is otherwise normal; back to normal answers at once")
    func slow() async throws {
        try await withFake(.okx) { server in
            let request = try Self.signedRequest(server)
            server.setBehaviour(.slow(seconds: 1))
            let start = ContinuousClock.now
            let response = try await request.send(to: server)
            #expect(ContinuousClock.now - start >= .seconds(1))
            #expect(response.status == 200)

            server.setBehaviour(.normal)
            let quick = ContinuousClock.now
            let fresh = try Self.signedRequest(server)
            #expect(try await fresh.send(to: server).status == 200)
            #expect(ContinuousClock.now - quick < .seconds(1))
        }
    }

    @Test("a client that gives up on a slow fake times out, and the fake still stops promptly")
    func slowTimesOut() async throws {
        let server = try await FakeExchangeServer.start(.gate)
        server.setBehaviour(.slow(seconds: 30))
        await #expect(throws: LoopbackHTTPClient.Failure.self) {
            try await RawHTTPClient.send(to: server.origin, "GET", "/api/v4/spot/time", timeout: 0.3)
        }
        let start = ContinuousClock.now
        try await server.stop()
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("latency delays every answer", arguments: [ExchangeID.binance, .kraken])
    func latency(exchange: ExchangeID) async throws {
        try await withFake(exchange, latency: 0.25) { server in
            let start = ContinuousClock.now
            let response = try await RawHTTPClient.send(to: server.origin, "GET", Expectations.timePath(exchange))
            #expect(response.status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(250))
        }
    }
}
