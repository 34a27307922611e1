import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import TestSupport

/// Collects what the approval service reports as the service's own faults.
final class ProblemLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ServiceProblem] = []

    var problems: [ServiceProblem] { lock.withLock { items } }

    func record(_ problem: ServiceProblem) { lock.withLock { items.append(problem) } }
}

extension ServiceHarness {
    /// Another approval service on the same database and fakes, with the options under test.
    func service(
        store: SQLiteExchangeStore? = nil,
        budget: KeyCheckBudget? = nil,
        problems: ProblemLog = ProblemLog()
    ) -> ApprovalService {
        ApprovalService(
            store: store ?? self.store,
            validator: validator,
            notifier: notifier,
            clock: clock,
            keyCheckBudget: budget,
            problems: { problems.record($0) }
        )
    }

    func setUserActive(_ userID: Int64, _ active: Bool) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE users SET is_active = ? WHERE id = ?", arguments: [active, userID])
        }
    }

    /// An approved, active key of a new user.
    func activeKey(user name: String = "alice", apiKey: String = "approved-key-000000001") async throws
        -> ExchangeKey
    {
        let owner = try await user(name)
        let key = try await service.addKey(Sample.submission(apiKey: apiKey), userID: owner.id, by: .system)
        _ = try await service.approve(keyID: key.id, by: .system)
        return try await service.setActive(keyID: key.id, userID: owner.id, active: true, by: .system)
    }
}
