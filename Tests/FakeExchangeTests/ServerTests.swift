import ExchangeBotCore
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server plumbing: addresses, the request log, concurrency, shutdown.
@Suite("Fake server plumbing")
struct ServerTests {
    @Test("origin is loopback with an OS-chosen port; two fakes get two ports")
    func origins() async throws {
        try await withFake(.binance) { first in
            try await withFake(.binance) { second in
                #expect(first.origin.scheme == "http")
                #expect(first.origin.host == "127.0.0.1")
                #expect(first.origin.path.isEmpty)
                #expect(first.origin.port != second.origin.port)
                #expect(first.exchange == .binance)
            }
        }
    }

    @Test("every request is recorded raw, with the outcome chosen")
    func requestLog() async throws {
        try await withFake(.kraken) { server in
            let account = FakeAccount.random(for: .kraken)
            server.register(account)
            _ = try await RawHTTPClient.send(to: server.origin, "GET", "/0/public/Time?x=%20y")
            let signed = try TestSigners.permissionRequest(.kraken, account, at: 0, nonce: 42)
            _ = try await signed.send(to: server)
            _ = try await signed.send(to: server)
            #expect(server.requestCount == 3)
            let log = server.requests()
            #expect(log.map(\.outcome) == [.serverTime, .accepted, .reusedNonce])
            #expect(log[0].method == "GET")
            #expect(log[0].path == "/0/public/Time")
            #expect(log[0].query == "x=%20y")
            #expect(log[1].method == "POST")
            #expect(log[1].query == nil)
            #expect(String(decoding: log[1].body, as: UTF8.self) == "nonce=42")
            #expect(log[1].header("api-key") == account.apiKey)
            #expect(log[1].header("API-Key") == account.apiKey)
            #expect(log[1].status == 200)
            #expect(log[1].code == nil)
            #expect(log[2].code == "EAPI:Invalid nonce")
            server.clearRequests()
            #expect(server.requestCount == 0)
        }
    }

    @Test("the fake serves many validations at once despite latency")
    func concurrency() async throws {
        try await withFake(.binance, latency: 0.05) { server in
            let account = FakeAccount.random(for: .binance)
            server.register(account)
            server.freezeClock()  // the signatures' 5 s window must not expire while a loaded machine catches up
            let requests = try (0..<200).map { index in
                try TestSigners.permissionRequest(.binance, account, at: TestSigners.millis(server) - Int64(index))
            }
            let start = ContinuousClock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for request in requests {
                    group.addTask { try await request.send(to: server).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
            // Serially this would take 10 s (200 × 50 ms); concurrently about 0.1 s, with ample room for a slow machine.
            #expect(ContinuousClock.now - start < .seconds(9))
            #expect(server.requestCount == 200)
        }
    }

    @Test("after stop the port refuses connections")
    func stop() async throws {
        let server = try await FakeExchangeServer.start(.mexc)
        #expect(try await RawHTTPClient.send(to: server.origin, "GET", "/api/v3/time").status == 200)
        try await server.stop()
        await #expect(throws: LoopbackHTTPClient.Failure.self) {
            try await RawHTTPClient.send(to: server.origin, "GET", "/api/v3/time", timeout: 2)
        }
    }

    @Test("an ordinary URLSession client talks to the fake")
    func urlSession() async throws {
        try await withFake(.coinbaseexchange) { server in
            server.setClockOffset(seconds: 100)
            let url = server.origin.appendingPathComponent("time")
            let (data, response) = try await URLSession.shared.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let json = try JSONDecoder().decode(JSONValue.self, from: data)
            let epoch = try #require(json["epoch"]?.number)
            #expect(abs(epoch - (Date().timeIntervalSince1970 + 100)) < 5)
            #expect(json["iso"]?.string?.hasSuffix("Z") == true)
        }
    }

    @Test("random accounts take each exchange's shape")
    func randomAccounts() throws {
        for exchange in ExchangeID.allCases {
            let account = FakeAccount.random(for: exchange)
            #expect((account.passphrase != nil) == exchange.requiresPassphrase)
            #expect(account.canTrade && !account.canWithdraw && account.ipRestricted && account.ipAllowed)
        }
        #expect(FakeAccount.random(for: .coinbase).secret.contains("PRIVATE KEY"))
        #expect(Data(base64Encoded: FakeAccount.random(for: .kraken).secret)?.count == 64)
        #expect(FakeAccount.random(for: .mexc).apiKey.hasPrefix("mx0"))
    }
}
