import ExchangeBotCore
import Foundation
import Testing

@testable import RESTServer

/// The hand-written key list (``JSONWriter``) says exactly what `KeyResponse`'s `Encodable` form says, so the
/// list and the single-key answers cannot drift apart.
@Suite struct KeyListWriterTests {
    static func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test(arguments: [
        ExchangeKey(
            id: 7,
            userID: 3,
            exchangeName: "okx",
            label: "quote \" backslash \\ tab \t newline \n control \u{1} ünïcødé 🚀 </script>",
            apiKey: "okx-api-key-0001",
            status: .rejected,
            isActive: false,
            errorMessage: "Withdrawals enabled: \"no\"",
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123456),
            updatedAt: Date(timeIntervalSince1970: 1_700_000_100)
        ),
        ExchangeKey(
            id: Int64.max,
            userID: -1,
            exchangeName: "binance",
            label: "",
            apiKey: "k",
            status: .approved,
            isActive: true
        ),
    ])
    func handWrittenEqualsEncodable(_ key: ExchangeKey) throws {
        let response = KeyResponse(key)
        var writer = JSONWriter()
        response.write(to: &writer)
        let encoded = try JSONEncoder().encode(response)
        #expect(try Self.parsed(writer.bytes) == Self.parsed(Array(encoded)))
    }
}
