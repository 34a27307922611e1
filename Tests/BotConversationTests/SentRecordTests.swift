import BotConversation
import Testing

/// What the store keeps of a finished call, decided from the queued row alone (``QueuedOutgoing/record(of:)``).
@Suite struct SentRecordTests {
    static let posted = PostedMessage(chatID: -100, messageID: 11, text: "Key #5")

    static func row(_ action: OutgoingAction) -> QueuedOutgoing { QueuedOutgoing(id: 1, action: action) }

    @Test func aSentMessageWithAPurposeIsRemembered() {
        let request = OutgoingMessage(to: .adminChat, text: "Key #5", purpose: .adminRequest(keyID: 5))
        #expect(
            Self.row(.send(request)).record(of: .sent(Self.posted)) == .remember(Self.posted, .adminRequest(keyID: 5))
        )
        let prompt = OutgoingMessage(
            to: .adminChat,
            text: "reason?",
            purpose: .reasonPrompt(keyID: 5, revision: "r1", admin: 7)
        )
        #expect(
            Self.row(.send(prompt)).record(of: .sent(Self.posted))
                == .remember(Self.posted, .reasonPrompt(keyID: 5, revision: "r1", admin: 7))
        )
        let checking = OutgoingMessage(to: .chat(9), text: "Checking…", purpose: .checking)
        #expect(Self.row(.send(checking)).record(of: .sent(Self.posted)) == .remember(Self.posted, .checking))
    }

    @Test func aPlainMessageOrOneWithoutItsIdLeavesNothing() {
        let plain = OutgoingMessage(to: .chat(9), text: "hello")
        #expect(Self.row(.send(plain)).record(of: .sent(Self.posted)) == .nothing)
        let request = OutgoingMessage(to: .adminChat, text: "Key #5", purpose: .adminRequest(keyID: 5))
        #expect(Self.row(.send(request)).record(of: .sent(nil)) == .nothing)
    }

    @Test func aVerdictEndsTheChatsCheckingMessageEditedOrSentAnew() {
        let verdict = OutgoingMessage(to: .chat(9), text: "Key saved")
        let row = Self.row(.replaceChecking(verdict))
        #expect(row.record(of: .sent(nil)) == .forgetChecking(chatID: 9))
        #expect(
            row.record(of: .sent(PostedMessage(chatID: 9, messageID: 3, text: "Key saved")))
                == .forgetChecking(chatID: 9)
        )
    }

    @Test func anAbandonedCallOrAnEditKeepsNothing() {
        let request = OutgoingMessage(to: .adminChat, text: "Key #5", purpose: .adminRequest(keyID: 5))
        #expect(Self.row(.send(request)).record(of: .abandoned("blocked")) == .nothing)
        #expect(
            Self.row(.replaceChecking(OutgoingMessage(to: .chat(9), text: "v"))).record(of: .abandoned("x")) == .nothing
        )
        #expect(
            Self.row(.editMessage(messageID: 3, OutgoingMessage(to: .chat(9), text: "card"))).record(of: .sent(nil))
                == .nothing
        )
        #expect(Self.row(.closeRequests(keyID: 5, note: "approved")).record(of: .sent(nil)) == .nothing)
    }

    /// A key event's actions carry its outbox id in their dedupe keys; a close compares the ids of what it would drop.
    @Test func anEventsTagNamesItsOutboxID() {
        #expect(QueuedAction.eventTag(42) == "event:42")
        #expect(QueuedAction.eventID(ofDedupeKey: QueuedAction.eventTag(42) + ":request") == 42)
        #expect(QueuedAction.eventID(ofDedupeKey: "event:42") == 42)
        for other in [nil, "burst:1700000000", "event:", "event:x:request", "eventual:1"] {
            #expect(QueuedAction.eventID(ofDedupeKey: other) == nil)
        }
        let close = QueuedAction(.closeRequests(keyID: 3, note: "n"), dedupeKey: "event:9:close")
        #expect(close.closesQueuedActions?.ofEventsBefore == 9 && close.closesQueuedActions?.keyID == 3)
        #expect(QueuedAction(.closeRequests(keyID: 3, note: "n")).closesQueuedActions?.ofEventsBefore == .max)
        #expect(QueuedAction(.send(OutgoingMessage(to: .chat(1), text: "t"))).closesQueuedActions == nil)
    }
}
