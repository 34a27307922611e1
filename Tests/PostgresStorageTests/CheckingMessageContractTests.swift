import BotConversation
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The "Checking…" message a check's verdict replaces, on both engines: remembered when sent (the latest of the
/// chat only), found by the verdict's edit, and forgotten once the verdict went out, so a later verdict never
/// edits an old message.
@Suite struct CheckingMessageContractTests {
    /// Sends the chat's queue head and records it as sent as message `messageID`.
    static func sendHead(_ store: any BotStore, as messageID: Int, in chat: Int64) async throws -> OutgoingAction {
        guard let head = try await store.nextOutgoing(limit: 1, excludingLanes: []).first else {
            throw CheckingContractError.emptyQueue
        }
        try await store.finishOutgoing(
            head,
            result: .sent(PostedMessage(chatID: chat, messageID: messageID, text: "sent \(messageID)"))
        )
        return head.action
    }

    @Test(arguments: StoreEngine.allCases)
    func theLatestCheckingMessageIsRememberedUntilItsVerdict(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let chat: Int64 = 6_000_000_101
            let checking = { (text: String) in
                QueuedAction(.send(OutgoingMessage(to: .chat(chat), text: text, purpose: .checking)))
            }
            #expect(try await store.checkingMessage(chatID: chat) == nil)
            try await store.commit(BotCommit(outgoing: [checking("first"), checking("second")]))
            _ = try await Self.sendHead(store, as: 10, in: chat)
            _ = try await Self.sendHead(store, as: 11, in: chat)
            #expect(try await store.checkingMessage(chatID: chat)?.messageID == 11, "only the latest is kept")
            #expect(try await store.checkingMessage(chatID: chat + 1) == nil, "per chat")

            let verdict = OutgoingMessage(to: .chat(chat), text: "awaiting approval")
            try await store.commit(BotCommit(outgoing: [QueuedAction(.replaceChecking(verdict))]))
            guard let head = try await store.nextOutgoing(limit: 1, excludingLanes: []).first else {
                Issue.record("the verdict is queued")
                return
            }
            #expect(head.action == .replaceChecking(verdict) && head.lane == chat)
            try await store.finishOutgoing(head, result: .sent(nil))
            #expect(try await store.checkingMessage(chatID: chat) == nil, "a verdict edits its message once")
        }
    }
}

enum CheckingContractError: Error {
    case emptyQueue
}
