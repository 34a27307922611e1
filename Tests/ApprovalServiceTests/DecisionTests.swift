import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@Suite struct DecisionTests {
    let admin = Caller(userID: 1, telegramID: 555, displayName: "@boss")

    @Test func approveNotifiesTheOwnerWithTheMessage() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        let approved = try await harness.service.approve(keyID: key.id, by: admin, message: "  Welcome aboard  ")
        #expect(approved.status == .approved && !approved.isActive && approved.errorMessage == nil)
        let last = try #require(await harness.notifier.delivered.last)
        #expect(last.kind == .approved(message: "Welcome aboard"))
        #expect(last.owner.id == alice.id && last.decidedBy == admin)
        #expect(try await harness.service.pendingRequests().isEmpty)
    }

    @Test func rejectStoresTheReasonAndNotifies() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        let rejected = try await harness.service.reject(
            keyID: key.id,
            by: admin,
            reason: "Withdrawals on the sub-account"
        )
        #expect(rejected.status == .rejected && rejected.errorMessage == "Withdrawals on the sub-account")
        #expect(
            try #require(await harness.notifier.delivered.last).kind
                == .rejected(reason: "Withdrawals on the sub-account")
        )
        await #expect(throws: ApprovalError.invalidInput(field: .reason, problem: "must not be empty")) {
            try await harness.service.reject(keyID: key.id, by: admin, reason: "  ")
        }
    }

    @Test func decisionsOnlyFromPendingAndTheLoserLearnsWhoWon() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.reject(keyID: key.id, by: admin, reason: "no")
        await #expect(throws: ApprovalError.alreadyDecided(.rejected, by: "@boss")) {
            try await harness.service.approve(keyID: key.id, by: Caller(userID: 2, displayName: "@other"))
        }
        #expect(
            ApprovalError.alreadyDecided(.rejected, by: "@boss").message == "This key was already rejected by @boss."
        )
        await #expect(throws: ApprovalError.keyNotFound) { try await harness.service.approve(keyID: 4242, by: admin) }
        let audit = try await harness.store.auditLog()
        #expect(audit.first?.action == .approveKey && audit.first?.outcome == .refused)
    }

    @Test func pendingListCarriesOwnerAndReport() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let bob = try await harness.user("bob")
        let first = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.addKey(Sample.submission(exchange: "bybit"), userID: bob.id, by: .system)
        _ = try await harness.service.approve(keyID: first.id, by: admin)
        let pending = try await harness.service.pendingRequests()
        #expect(pending.count == 1)
        #expect(pending.first?.owner.username == "bob" && pending.first?.owner.email == "bob@example.com")
        #expect(pending.first?.key.exchangeName == "bybit" && pending.first?.report?.canTrade == true)
    }

    @Test func concurrentDecisionsHaveExactlyOneWinner() async throws {
        let folder = TemporaryFolder()
        let harness = try ServiceHarness(location: .file(path: folder.path("race.sqlite")))
        let alice = try await harness.user()
        let keys = try await withThrowingTaskGroup(of: ExchangeKey.self) { group in
            for index in 0..<5 {
                group.addTask {
                    try await harness.service.addKey(
                        Sample.submission(apiKey: "race-key-\(index)-000000"),
                        userID: alice.id,
                        by: .system
                    )
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for key in keys {
            // 32 admins press Approve or Reject on the same request at once.
            let outcomes = await withTaskGroup(of: Result<ExchangeKey, ApprovalError>.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        let caller = Caller(telegramID: Int64(index), displayName: "admin\(index)")
                        do throws(ApprovalError) {
                            return .success(
                                index.isMultiple(of: 2)
                                    ? try await harness.service.approve(keyID: key.id, by: caller)
                                    : try await harness.service.reject(keyID: key.id, by: caller, reason: "r\(index)")
                            )
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            let winner = try #require(winners.first)
            let losers = outcomes.compactMap { result -> ApprovalError? in
                if case .failure(let error) = result { return error }
                return nil
            }
            #expect(losers.count == 31)
            let winnerName = try #require(
                try await harness.store.auditLog(limit: 1000).first {
                    $0.keyID == key.id && $0.outcome == .succeeded
                        && ($0.action == .approveKey || $0.action == .rejectKey)
                }
            ).caller.displayName
            for loser in losers {
                #expect(loser == .alreadyDecided(winner.status, by: winnerName))
            }
            let stored = try #require(try await harness.store.key(id: key.id))
            #expect(stored.status == winner.status)
        }
        // One notification per decided key, none twice.
        let decisions = await harness.notifier.delivered.filter {
            if case .submitted = $0.kind { return false }
            return true
        }
        #expect(decisions.count == keys.count)
        #expect(Set(decisions.map(\.key.id)).count == keys.count)
    }

    @Test func undeliveredNotificationsSurviveAndAreSentOnceLater() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        await harness.notifier.setFailing(true)
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.approve(keyID: key.id, by: admin, message: "ok")
        #expect(try await harness.store.undeliveredEvents(limit: 10).count == 2)
        await harness.notifier.setFailing(false)
        #expect(await harness.service.deliverPendingEvents() == 2)
        #expect(await harness.service.deliverPendingEvents() == 0)
        let kinds = await harness.notifier.delivered.map(\.kind)
        #expect(kinds.count == 2 && kinds.last == .approved(message: "ok"))
    }

    @Test func overlongNotesAreRefused() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        await #expect(throws: ApprovalError.self) {
            try await harness.service.approve(keyID: key.id, by: admin, message: String(repeating: "m", count: 1001))
        }
        #expect(try await harness.store.key(id: key.id)?.status == .pending)
    }
}
