import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import RESTServer
import TestSupport
import Testing

/// Item 5 of issue 9: forwarded addresses are believed from trusted proxies only, and never trap.
@Suite struct ClientAddressTests {
    func ranges(_ text: String) throws -> [IPAddressRange] {
        guard case .success(let ranges) = IPAddressRange.list(text) else {
            throw IPAddressRange.InvalidEntry(text: text)
        }
        return ranges
    }

    func peer(_ address: String) throws -> SocketAddress {
        try SocketAddress(ipAddress: address, port: 40_000)
    }

    func forwarded(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    @Test func cidrListsParseIPv4AndIPv6AndRefuseGarbage() throws {
        let parsed = try ranges(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1, ::ffff:172.16.0.0/108")
        #expect(parsed.map(\.description) == ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8", "::1/128", "172.16.0.0/12"])
        #expect(parsed[0].contains(try #require(IPAddress("10.255.1.2"))))
        #expect(!parsed[0].contains(try #require(IPAddress("11.0.0.1"))))
        #expect(parsed[2].contains(try #require(IPAddress("fd12:3456::1"))))
        // A dual-stack listener reports IPv4 peers as mapped IPv6: the IPv4 block covers them.
        #expect(parsed[0].contains(try #require(IPAddress("::ffff:10.1.2.3"))))
        #expect(try ranges("").isEmpty)
        for bad in [
            "10.0.0.0/33", "fd00::/129", "10.0.0/8", "300.1.1.1", "10.0.0.0/-1", "10.0.0.0/8x", "example.com",
            "10.0.0.0/", "1.2.3.4/0008", "fe80::1%eth0", String(repeating: "1", count: 5000),
        ] {
            guard case .failure = IPAddressRange.list("127.0.0.1,\(bad)") else {
                Issue.record("accepted \(bad.prefix(20))")
                continue
            }
        }
    }

    @Test func forwardedHeadersAreBelievedFromTrustedProxiesOnly() throws {
        let resolver = ClientAddressResolver(trustedProxies: try ranges("10.0.0.0/8,fd00::/8"))
        let chain = forwarded([("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.0.0.2")])
        // An untrusted peer's headers mean nothing.
        #expect(resolver.resolve(peer: try peer("192.0.2.50"), headers: chain)?.description == "192.0.2.50")
        // From a trusted proxy: the right-most address that is not a trusted proxy (not the client-written left).
        #expect(resolver.resolve(peer: try peer("10.0.0.1"), headers: chain)?.description == "203.0.113.9")
        // Repeated headers are one list; ports and brackets are read.
        let repeated = forwarded([
            ("X-Forwarded-For", "1.1.1.1"), ("X-Forwarded-For", "[2001:db8::7]:443, 10.0.0.3:8080"),
        ])
        #expect(resolver.resolve(peer: try peer("fd00::1"), headers: repeated)?.description == "2001:db8::7")
        // X-Real-IP when there is no X-Forwarded-For.
        let real = forwarded([("X-Real-IP", " 203.0.113.77 ")])
        #expect(resolver.resolve(peer: try peer("10.0.0.1"), headers: real)?.description == "203.0.113.77")
        // Only trusted hops: the request started inside; the left-most is the client.
        let inside = forwarded([("X-Forwarded-For", "10.1.1.1, 10.2.2.2")])
        #expect(resolver.resolve(peer: try peer("10.0.0.1"), headers: inside)?.description == "10.1.1.1")
        // Nobody trusted (the default): the peer, whatever the headers say.
        let nobody = ClientAddressResolver()
        #expect(nobody.resolve(peer: try peer("10.0.0.1"), headers: chain)?.description == "10.0.0.1")
    }

    @Test func malformedForwardingFallsBackToThePeerWithoutTrapping() throws {
        let resolver = ClientAddressResolver(trustedProxies: try ranges("10.0.0.0/8"))
        let proxy = try peer("10.0.0.1")
        let garbage = [
            "", ",", "unknown", "1.2.3.4, not-an-address", "1.2.3.4,,", "[::1", "[::1]x", "1.2.3.4:99999999",
            "\u{0}", "1.2.3.4%eth0", "💥", String(repeating: "1.2.3.4,", count: 2000),
            Array(repeating: "10.0.0.9", count: 40).joined(separator: ","),
        ]
        for value in garbage {
            let headers = forwarded([("X-Forwarded-For", value), ("X-Real-IP", "203.0.113.5")])
            #expect(resolver.resolve(peer: proxy, headers: headers)?.description == "10.0.0.1", "\(value.prefix(30))")
        }
        for value in ["", "garbage", "1.2.3.4, 5.6.7.8", String(repeating: "9", count: 10_000)] {
            let headers = forwarded([("X-Real-IP", value)])
            #expect(resolver.resolve(peer: proxy, headers: headers)?.description == "10.0.0.1")
        }
        #expect(resolver.resolve(peer: nil, headers: [:]) == nil)
    }

    @Test func behindATrustedProxyEachClientHasItsOwnBudgetAndIsLogged() async throws {
        let harness = try APIHarness(rateLimit: (2, 60), trustedProxies: try ranges("127.0.0.0/8,::1"))
        try await harness.testLive { client in
            for client1 in ["198.51.100.1", "198.51.100.1"] {
                let headers: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: client1]
                try expectError(
                    try await client.call(.get, "/user/exchanges/", token: "x", headers: headers),
                    .unauthorized
                )
            }
            let limited = try await client.call(
                .get,
                "/user/exchanges/",
                token: "x",
                headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.1"]
            )
            try expectError(limited, .tooManyRequests)
            // Another client behind the same proxy is not limited by the first one.
            let other = try await client.call(
                .get,
                "/user/exchanges/",
                token: "x",
                headers: [HTTPField.Name("X-Real-IP")!: "198.51.100.2"]
            )
            try expectError(other, .unauthorized)
        }
        let addresses = harness.logs.entries.filter { $0.message.description == "request" }
            .compactMap { $0.metadata["client.address"]?.description }
        #expect(addresses == ["198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2"])
    }

    @Test func withoutTrustedProxiesForwardedHeadersDoNotBuyABudget() async throws {
        let harness = try APIHarness(rateLimit: (2, 60))
        try await harness.testLive { client in
            for index in 0..<2 {
                let headers: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(index)"]
                try expectError(
                    try await client.call(.get, "/user/exchanges/", token: "x", headers: headers),
                    .unauthorized
                )
            }
            let headers: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.99"]
            try expectError(
                try await client.call(.get, "/user/exchanges/", token: "x", headers: headers),
                .tooManyRequests
            )
        }
        let addresses = Set(
            harness.logs.entries.compactMap { $0.metadata["client.address"]?.description }
        )
        #expect(addresses.isSubset(of: ["127.0.0.1", "::1"]) && !addresses.isEmpty)
    }
}
