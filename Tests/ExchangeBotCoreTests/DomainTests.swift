import ExchangeBotCore
import Foundation
import Testing

@Suite struct ExchangeIDTests {
    @Test func idsAliasesAndCaptions() {
        #expect(ExchangeID(normalizing: "GateIO") == .gate)
        #expect(ExchangeID(normalizing: " coinbasepro ") == .coinbaseexchange)
        #expect(ExchangeID(normalizing: "KUCOIN") == .kucoin)
        #expect(ExchangeID(normalizing: "ftx") == nil)
        #expect(
            ExchangeID.allCases.map(\.displayName) == [
                "Binance", "Bybit", "OKX", "Gate", "MEXC", "KuCoin", "Coinbase", "Coinbase Exchange", "Kraken",
            ]
        )
        #expect(ExchangeID.allCases.filter(\.requiresPassphrase) == [.okx, .kucoin, .coinbaseexchange])
    }
}

@Suite struct SecretHandlingTests {
    @Test func secretsNeverPrint() {
        let secret = SecretString("hunter2-very-secret")
        let credentials = Credentials(
            exchange: .okx,
            apiKey: "k",
            apiSecret: secret,
            passphrase: SecretString("pp-secret")
        )
        for text in ["\(secret)", String(reflecting: secret), "\(credentials)", String(reflecting: credentials)] {
            #expect(!text.contains("hunter2") && !text.contains("pp-secret"))
        }
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("hunter2") && !dumped.contains("pp-secret"))
        #expect(secret.exposedValue == "hunter2-very-secret")
    }

    @Test(arguments: [
        ("abcdefghijklmnopqrstuvwxyz", "abcd…wxyz"),
        ("abcdefghijklmnop", "abcd…mnop"),
        // Under 16 characters, four at each end would show half of it (issue 9, item 10).
        ("abcdefghijklmno", "****"),
        ("abcdefghijkl", "****"),
        ("short-key", "****"),
        ("", "****"),
    ])
    func masks(key: String, masked: String) {
        #expect(KeyMask.mask(key) == masked)
    }
}

@Suite struct KeyRulesTests {
    @Test func labelsAreTrimmedAndBounded() throws {
        #expect(try KeyRules.label("  My <Main> & 🚀  ") == "My <Main> & 🚀")
        #expect(try KeyRules.label(String(repeating: "é", count: 100)).count == 100)
        #expect(throws: ApprovalError.self) { try KeyRules.label(String(repeating: "é", count: 101)) }
        #expect(throws: ApprovalError.self) { try KeyRules.label("tab\there") }
    }

    @Test func secretsAreTrimmedKeysMustBeSingleTokens() throws {
        let credentials = try KeyRules.credentials(
            exchange: .kucoin,
            apiKey: "  key-123  \n",
            apiSecret: SecretString("\tsecret-456 "),
            passphrase: SecretString(" pass phrase ")
        )
        #expect(credentials.apiKey == "key-123" && credentials.apiSecret.exposedValue == "secret-456")
        #expect(credentials.passphrase?.exposedValue == "pass phrase")
        #expect(throws: ApprovalError.invalidInput(field: .apiKey, problem: "must not contain spaces or line breaks")) {
            try KeyRules.credentials(exchange: .binance, apiKey: "a b", apiSecret: SecretString("s"), passphrase: nil)
        }
    }

    @Test func everyErrorHasAStableCodeAndAMessage() {
        let errors: [ApprovalError] = [
            .invalidInput(field: .label, problem: "x"), .unknownExchange("ftx"), .passphraseRequired(.okx),
            .passphraseNotAccepted(.binance), .duplicateKey(existingID: 3), .keyNotFound, .userNotFound, .userInactive,
            .notApproved(.pending), .alreadyDecided(.approved, by: nil), .validationFailed(.invalidSecret),
            .secretUnreadable, .storageFailure,
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        #expect(errors.allSatisfy { !$0.message.isEmpty })
        #expect(ApprovalError.unknownExchange("ftx").message.contains("binance, bybit"))
    }

    @Test func unknownExchangeNamesAreShortenedWhenEchoed() {
        #expect(throws: ApprovalError.unknownExchange(String(repeating: "x", count: 40))) {
            try KeyRules.exchange(String(repeating: "x", count: 500))
        }
    }

    @Test func credentialErrorsNameWhatToFix() {
        #expect(CredentialError.invalidPassphrase.message.contains("passphrase"))
        #expect(CredentialError.invalidSecret.message.contains("secret"))
        #expect(CredentialError.withdrawalEnabled.message.contains("withdraw"))
        #expect(CredentialError.ipNotWhitelisted.message.contains("IP"))
        #expect(CredentialError.clockSkew.message.contains("time"))
        #expect(CredentialError.sandboxUnavailable(.mexc).message.contains("MEXC"))
    }
}
