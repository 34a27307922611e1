import ExchangeBotApp
import RESTServer
import Testing

/// `TRUSTED_PROXIES` (issue 9, item 5): CIDRs parsed at start, a clear error naming the variable otherwise.
@Suite struct TrustedProxiesEnvironmentTests {
    @Test func trustedProxiesDefaultToNobodyAndParseBothFamilies() throws {
        #expect(try Environment([:]).trustedProxies().isEmpty)
        let ranges = try Environment(["TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,fd00::/8 ,::1"]).trustedProxies()
        #expect(ranges.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8", "::1/128"])
    }

    @Test(arguments: ["10.0.0.0/33", "nginx.local", "10.0.0.0/8;rm", "::1/200", "1.2.3"])
    func aMalformedCIDRIsAConfigurationError(value: String) {
        do {
            _ = try Environment(["TRUSTED_PROXIES": "127.0.0.1,\(value)"]).trustedProxies()
            Issue.record("accepted \(value)")
        } catch {
            #expect(error.variable == "TRUSTED_PROXIES")
            #expect(error.description.contains("CIDR"))
        }
    }
}
