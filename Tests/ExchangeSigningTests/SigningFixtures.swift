import ExchangeBotCore
import Foundation

/// Inputs shared by the known-answer tests (the reference sheet's §0 "common test inputs").
enum Fixture {
    /// `1700000000000` ms = `2023-11-14T22:13:20.000Z`.
    static let time = Date(timeIntervalSince1970: 1_700_000_000)

    static func credentials(
        _ exchange: ExchangeID,
        key: String = "test-api-key",
        secret: String = "test-secret",
        passphrase: String? = nil
    ) -> Credentials {
        Credentials(
            exchange: exchange,
            apiKey: key,
            apiSecret: SecretString(secret),
            passphrase: passphrase.map(SecretString.init)
        )
    }

    /// A time given in milliseconds since 1970, as the sheet writes them.
    static func time(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The `signature=` value of a form text.
    static func signatureParameter(in text: String) -> String? {
        text.split(separator: "&").last { $0.hasPrefix("signature=") }.map { String($0.dropFirst("signature=".count)) }
    }
}

/// A small deterministic generator, so the randomised cross-checks are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
