import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@Suite struct AddKeyTests {
    @Test func validKeyIsStoredPendingInactiveAndEncrypted() async throws {
        // Given
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        // When
        let key = try await harness.service.addKey(
            Sample.submission(exchange: " Binance "),
            userID: alice.id,
            by: Caller(userID: alice.id)
        )
        // Then
        #expect(key.status == .pending && !key.isActive)
        #expect(key.exchangeName == "binance" && key.label == "Main")
        #expect(key.maskedAPIKey == "vmPU…Eh8A")
        let stored = try await harness.database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT api_secret FROM user_exchanges WHERE id = ?", arguments: [key.id])
        }
        let token = try #require(stored)
        #expect(!token.contains("NhqPtmdSJYdK") && token.hasPrefix("gAAAAA"))
        #expect(try harness.ring.decryptString(token) == Sample.submission().apiSecret.exposedValue)
        #expect(await harness.validator.calls.count == 1)
    }

    @Test func adminIsToldOfTheNewKeyWithTheReport() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let report = ValidationReport(
            canTrade: true,
            canWithdraw: false,
            ipRestricted: false,
            warnings: ["no IP whitelist"]
        )
        await harness.validator.answer(Sample.submission().apiKey, with: .success(report))
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: Caller(userID: alice.id))
        let events = await harness.notifier.delivered
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.key.id == key.id && event.owner.id == alice.id)
        guard case .submitted(let sent) = event.kind else { Issue.record("expected a submitted event"); return }
        #expect(sent?.warnings == ["no IP whitelist"] && sent?.ipRestricted == false)
        #expect(try await harness.store.undeliveredEvents(limit: 10).isEmpty)
    }

    @Test func aliasesAreNormalised() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let gate = try await harness.service.addKey(
            Sample.submission(exchange: "gateio", apiKey: "gate-key-0000001"),
            userID: alice.id,
            by: .system
        )
        let coinbase = try await harness.service.addKey(
            Sample.submission(
                exchange: "CoinbasePro",
                apiKey: "cbx-key-00000001",
                secret: "c2VjcmV0",
                passphrase: "pp"
            ),
            userID: alice.id,
            by: .system
        )
        #expect(gate.exchangeName == "gate")
        #expect(coinbase.exchangeName == "coinbaseexchange" && coinbase.hasPassphrase)
    }

    @Test(arguments: [
        (Sample.submission(exchange: "ftx"), "unknown_exchange"),
        (Sample.submission(label: "   "), "invalid_input"),
        (Sample.submission(label: String(repeating: "x", count: 101)), "invalid_input"),
        (Sample.submission(label: "two\nlines"), "invalid_input"),
        (Sample.submission(apiKey: ""), "invalid_input"),
        (Sample.submission(apiKey: "has space"), "invalid_input"),
        (Sample.submission(apiKey: String(repeating: "k", count: 501)), "invalid_input"),
        (Sample.submission(secret: " "), "invalid_input"),
        (Sample.submission(secret: String(repeating: "s", count: 501)), "invalid_input"),
        (Sample.submission(exchange: "okx"), "passphrase_required"),
        (Sample.submission(exchange: "kucoin", passphrase: "  "), "passphrase_required"),
        (Sample.submission(exchange: "binance", passphrase: "unexpected"), "passphrase_not_accepted"),
        (Sample.submission(exchange: "coinbase", secret: "not-a-pem"), "invalid_input"),
    ])
    func badInputIsRefusedBeforeTheExchangeIsAsked(submission: KeySubmission, code: String) async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        await #expect {
            try await harness.service.addKey(submission, userID: alice.id, by: Caller(userID: alice.id))
        } throws: { error in
            (error as? ApprovalError)?.code == code
        }
        #expect(await harness.validator.calls.isEmpty)
        #expect(try await harness.store.keys(ofUser: alice.id).isEmpty)
        let audit = try await harness.store.auditLog()
        #expect(audit.first?.outcome == .refused && audit.first?.detail == code && audit.first?.action == .addKey)
    }

    @Test func coinbasePEMLongerThan500IsAcceptedAndJSONEscapesAreUndone() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let body = String(repeating: "MHcCAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAoGCCqGSM49", count: 8)
        let pem = "-----BEGIN EC PRIVATE KEY-----\\n\(body)\\n-----END EC PRIVATE KEY-----\\n"
        let key = try await harness.service.addKey(
            Sample.submission(exchange: "coinbase", apiKey: "organizations/org/apiKeys/key-1", secret: pem),
            userID: alice.id,
            by: .system
        )
        let credentials = try #require(try await harness.store.credentials(ofKey: key.id))
        #expect(credentials.apiSecret.exposedValue.hasPrefix("-----BEGIN EC PRIVATE KEY-----\nMHcC"))
        #expect(!credentials.apiSecret.exposedValue.contains("\\n"))
        #expect(credentials.apiSecret.exposedValue.utf8.count > 500)
    }

    @Test func duplicateKeyIsRefusedWithoutAskingTheExchange() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let first = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        await #expect(throws: ApprovalError.duplicateKey(existingID: first.id)) {
            try await harness.service.addKey(Sample.submission(label: "Again"), userID: alice.id, by: .system)
        }
        #expect(await harness.validator.calls.count == 1)
        // Another user may add the same key id; so may the same user on another exchange.
        let bob = try await harness.user("bob")
        _ = try await harness.service.addKey(Sample.submission(), userID: bob.id, by: .system)
        _ = try await harness.service.addKey(Sample.submission(exchange: "mexc"), userID: alice.id, by: .system)
    }

    @Test(arguments: [
        CredentialError.invalidSecret, .invalidPassphrase, .withdrawalEnabled, .ipNotWhitelisted, .timeout,
        .exchangeUnavailable("HTTP 503"),
    ])
    func keysTheExchangeRefusesAreNeverStored(error: CredentialError) async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        await harness.validator.answer(Sample.submission().apiKey, with: .failure(error))
        await #expect(throws: ApprovalError.validationFailed(error)) {
            try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        }
        #expect(try await harness.store.keys(ofUser: alice.id).isEmpty)
        let rows = try await harness.database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM user_exchanges")
        }
        #expect(rows == 0)
        #expect(try await harness.store.auditLog().first?.detail == error.code)
    }

    @Test func unknownAndInactiveUsersCannotAddKeys() async throws {
        let harness = try ServiceHarness()
        await #expect(throws: ApprovalError.userNotFound) {
            try await harness.service.addKey(Sample.submission(), userID: 999, by: .system)
        }
        let alice = try await harness.user()
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE users SET is_active = 0 WHERE id = ?", arguments: [alice.id])
        }
        await #expect(throws: ApprovalError.userInactive) {
            try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        }
    }

    @Test func errorsNeverCarryTheSecret() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let secret = "SUPER-SECRET-VALUE-0123456789"
        for submission in [
            Sample.submission(exchange: "nope-\(secret)", secret: secret),
            Sample.submission(secret: secret + " with space"),
            Sample.submission(exchange: "okx", secret: secret),
        ] {
            do {
                _ = try await harness.service.addKey(submission, userID: alice.id, by: .system)
                Issue.record("expected a refusal")
            } catch {
                #expect(!error.message.contains("SUPER-SECRET") || error.code == "unknown_exchange")
                #expect(!"\(error)".contains("0123456789") || error.code == "unknown_exchange")
            }
        }
        let submission = Sample.submission(secret: secret)
        #expect(!"\(submission)".contains(secret) && !String(reflecting: submission).contains(secret))
        #expect(!"\(submission.apiSecret)".contains(secret))
    }
}
