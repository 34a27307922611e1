import ExchangeBotApp
import Testing

/// `WHITELIST_IPS`: the addresses users restrict their keys to.
@Suite struct WhitelistEnvironmentTests {
    @Test func unsetOrEmptyIsNone() throws {
        #expect(try Environment([:]).whitelistIPs() == [])
        #expect(try Environment(["WHITELIST_IPS": " , "]).whitelistIPs() == [])
    }

    @Test func addressesOfBothFamiliesAreReadInOrderOnce() throws {
        let environment = Environment(["WHITELIST_IPS": "203.0.113.7, 2001:db8::7,203.0.113.7 ,::ffff:192.0.2.1"])
        #expect(try environment.whitelistIPs() == ["203.0.113.7", "2001:db8::7", "::ffff:192.0.2.1"])
    }

    @Test(arguments: ["203.0.113", "203.0.113.256", "example.com", "203.0.113.0/24", "2001:db8:::7", "1.2.3.4 5.6.7.8"])
    func aWrongAddressNamesTheVariable(value: String) {
        #expect {
            try Environment(["WHITELIST_IPS": value]).whitelistIPs()
        } throws: { error in
            "\(error)".contains("WHITELIST_IPS")
        }
    }
}
