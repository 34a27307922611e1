import ExchangeBotCore
import ExchangeKeyCheck
import ExchangeSigning
import Foundation
import Testing

/// A timestamp refusal makes the validator read the exchange's clock and sign with the difference. That clock is
/// outside data: a server time that is not a number, not finite or absurdly far from ours must end the check with
/// a typed error, never trap the signer's integer conversion.
@Suite struct ServerTimeTests {
    /// Server times as JSON values (numbers or strings, as the exchanges send them) that are no usable clock.
    static let absurd = ["1e300", "-1e300", #""1e300""#, #""NaN""#, #""nan""#, #""inf""#, #""-Infinity""#, "1e20"]

    /// MEXC: milliseconds in `serverTime`.
    @Test(arguments: absurd)
    func millisecondClock(value: String) async throws {
        let transport = ScriptedTransport()
        transport.on("/api/v3/account", .answer(status: 400, body: #"{"code":700003,"msg":"Timestamp"}"#))
        transport.on("/api/v3/time", .answer(status: 200, body: #"{"serverTime":\#(value)}"#))
        try await expectUnusableClock(transport, .mexc)
    }

    /// Coinbase Exchange: seconds in `epoch`.
    @Test(arguments: absurd)
    func secondClock(value: String) async throws {
        let transport = ScriptedTransport()
        transport.on("/accounts", .answer(status: 400, body: #"{"message":"request timestamp expired"}"#))
        transport.on("/time", .answer(status: 200, body: #"{"epoch":\#(value)}"#))
        try await expectUnusableClock(transport, .coinbaseexchange)
    }

    /// Coinbase Advanced Trade: a bare 401 is retried once after a clock correction, but only with a usable clock.
    @Test(arguments: absurd)
    func coinbaseAuthenticationRetry(value: String) async throws {
        let transport = ScriptedTransport()
        transport.on("/api/v3/brokerage/key_permissions", .answer(status: 401, body: "Unauthorized"))
        transport.on("/api/v3/brokerage/time", .answer(status: 200, body: #"{"epochSeconds":\#(value)}"#))
        await #expect(throws: CredentialError.authenticationFailed) {
            try await AdapterTests.validator(transport).validate(AdapterTests.credentials(.coinbase))
        }
        #expect(transport.sent.filter { $0.path == "/api/v3/brokerage/key_permissions" }.count == 1)
    }

    /// A clock within a day of ours is still a correction (the existing behaviour), a day and more is not.
    @Test func theOffsetIsBounded() async throws {
        let near = ScriptedTransport()
        near.on(
            "/api/v3/account",
            .answer(status: 400, body: #"{"code":700003,"msg":"Timestamp"}"#),
            .answer(status: 200, body: try #require(AdapterTests.success[.mexc]).body)
        )
        near.on("/api/v3/time", .answer(status: 200, body: #"{"serverTime":1700086000000}"#))
        _ = try await AdapterTests.validator(near).validate(AdapterTests.credentials(.mexc))
        let far = ScriptedTransport()
        far.on("/api/v3/account", .answer(status: 400, body: #"{"code":700003,"msg":"Timestamp"}"#))
        far.on("/api/v3/time", .answer(status: 200, body: #"{"serverTime":1700086401000}"#))
        try await expectUnusableClock(far, .mexc)
    }

    private func expectUnusableClock(
        _ transport: ScriptedTransport,
        _ exchange: ExchangeID,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        await #expect(
            throws: CredentialError.unexpectedResponse("a server time not within a day of ours"),
            sourceLocation: sourceLocation
        ) {
            try await AdapterTests.validator(transport).validate(AdapterTests.credentials(exchange))
        }
        // The refused request and the clock read; never a retry signed with the absurd offset.
        #expect(transport.sent.count == 2, sourceLocation: sourceLocation)
    }
}
