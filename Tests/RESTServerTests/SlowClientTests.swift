import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RESTServer
import Testing

/// Item 12 of issue 9: idle, slow and surplus connections are closed, so they cannot use up file descriptors.
@Suite(.serialized) struct SlowClientTests {
    /// Short deadlines, each distinct from the others so a test sees which one acted.
    static let limits = ConnectionLimits(
        idleTimeout: .milliseconds(600),
        headerTimeout: .milliseconds(600),
        bodyTimeout: .milliseconds(600),
        maxConnections: 3
    )

    func port(_ client: any TestClientProtocol) throws -> Int {
        try #require(client.port)
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let harness = try APIHarness(limits: Self.limits)
        try await harness.testLive { client in
            let connection = try RawConnection(port: try port(client))
            let start = Date()
            #expect(await connection.readUntilClosed(timeout: 5).closed)
            #expect(Date().timeIntervalSince(start) < 3)
        }
    }

    @Test func aClientTricklingItsHeadIsCutOff() async throws {
        var limits = Self.limits
        limits.idleTimeout = .seconds(30)
        let harness = try APIHarness(limits: limits)
        try await harness.testLive { client in
            let connection = try RawConnection(port: try port(client))
            let start = Date()
            var open = connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            // One header byte every 100 ms: never idle by the bytes, never a complete head.
            while open, Date().timeIntervalSince(start) < 5 {
                try await Task.sleep(for: .milliseconds(100))
                open = connection.send("X")
            }
            let closed = open ? await connection.readUntilClosed(timeout: 1).closed : true
            #expect(closed)
            #expect(Date().timeIntervalSince(start) < 3)
        }
    }

    @Test func aClientTricklingItsBodyIsCutOff() async throws {
        var limits = Self.limits
        limits.idleTimeout = .seconds(30)
        let harness = try APIHarness(limits: limits)
        try await harness.testLive { client in
            let connection = try RawConnection(port: try port(client))
            let start = Date()
            var open = connection.send(
                "POST /user/exchanges/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{"
            )
            while open, Date().timeIntervalSince(start) < 5 {
                try await Task.sleep(for: .milliseconds(100))
                open = connection.send(" ")
            }
            let closed = open ? await connection.readUntilClosed(timeout: 1).closed : true
            #expect(closed)
            #expect(Date().timeIntervalSince(start) < 3)
        }
    }

    @Test func connectionsBeyondTheCapAreRefusedWhileOthersAreServed() async throws {
        var limits = Self.limits
        limits.idleTimeout = .seconds(30)
        limits.headerTimeout = .seconds(30)
        let harness = try APIHarness(limits: limits)
        try await harness.testLive { client in
            let port = try port(client)
            // One more than the cap (the test client may hold one connection of its own, too).
            var held = try (0..<4).map { _ in try RawConnection(port: port) }
            try await Task.sleep(for: .milliseconds(300))
            var outcomes: [(text: String, closed: Bool)] = []
            for connection in held { outcomes.append(await connection.readUntilClosed(timeout: 0.3)) }
            let refused = outcomes.filter(\.closed)
            #expect(!refused.isEmpty && refused.count <= 2)
            for outcome in refused {
                #expect(outcome.text.hasPrefix("HTTP/1.1 503"), "\(outcome.text.prefix(40))")
                #expect(outcome.text.contains(#""code":"503""#) && outcome.text.contains("Retry-After: 1"))
            }
            // An admitted connection is served; once connections close, new ones are admitted again.
            let admitted = try #require(zip(held, outcomes).first { !$0.1.closed }?.0)
            admitted.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(await admitted.readUntilClosed(timeout: 3).text.hasPrefix("HTTP/1.1 200"))
            held.removeAll()
            var answered = false
            for _ in 0..<20 where !answered {
                try await Task.sleep(for: .milliseconds(100))
                let fresh = try RawConnection(port: port)
                fresh.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                answered = await fresh.readUntilClosed(timeout: 3).text.hasPrefix("HTTP/1.1 200")
            }
            #expect(answered)
        }
    }

    @Test func aNormalKeepAliveClientIsServedUnderTheGuard() async throws {
        let harness = try APIHarness(limits: Self.limits)
        try await harness.testLive { client in
            for _ in 0..<3 { #expect(try await client.call(.get, "/healthz").status == .ok) }
            let connection = try RawConnection(port: try port(client))
            for _ in 0..<2 {
                connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                try await Task.sleep(for: .milliseconds(200))
            }
            let text = await connection.readUntilClosed(timeout: 3).text
            #expect(text.components(separatedBy: "HTTP/1.1 200").count == 3)
        }
    }
}
