import BotConversation
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The ``BotStore`` contract's outgoing queue, on both engines: lanes and their heads, how a call ends, what is
/// remembered of posted messages, and what tidying forgets.
@Suite struct BotStoreOutgoingContractTests {
    @Test(arguments: StoreEngine.allCases)
    func eachLaneOffersItsOldestActionAndBusyLanesWait(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let bigChat: Int64 = 6_000_000_002
            let actions: [OutgoingAction] = [
                .send(OutgoingMessage(to: .chat(1), text: "a1")),
                .send(OutgoingMessage(to: .chat(bigChat), text: "b1")),
                .send(OutgoingMessage(to: .chat(1), text: "a2")),
                .send(OutgoingMessage(to: .adminChat, text: "r1", purpose: .adminRequest(keyID: 5))),
                .closeRequests(keyID: 4, note: "n"),
            ]
            try await store.commit(BotCommit(outgoing: actions.map { QueuedAction($0) }))
            try await store.setUnreachable(telegramID: bigChat, true, at: Date())
            let heads = try await store.nextOutgoing(limit: 10, excludingLanes: [])
            #expect(heads.map(\.action) == [actions[0], actions[1], actions[3]])
            #expect(heads.map(\.lane) == [1, bigChat, OutgoingAction.adminChatLane])
            #expect(heads.map(\.recipientUnreachable) == [false, true, false])
            #expect(
                try await store.nextOutgoing(limit: 2, excludingLanes: []).map(\.action) == [actions[0], actions[1]]
            )
            let idle = try await store.nextOutgoing(limit: 10, excludingLanes: [1, OutgoingAction.adminChatLane])
            #expect(idle.map(\.action) == [actions[1]])
            try await store.finishOutgoing(heads[0], result: .abandoned("test"))
            try await store.finishOutgoing(heads[2], result: .abandoned("test"))
            #expect(
                try await store.nextOutgoing(limit: 10, excludingLanes: []).map(\.action)
                    == [actions[1], actions[2], actions[4]]
            )
        }
    }

    /// A key decided while its request still waits for the admin group's send limit: the request is dropped, not
    /// posted stale, and the close has nothing left to wait for.
    @Test(arguments: StoreEngine.allCases)
    func closingAKeyDropsItsUnsentRequest(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let requests = (1...3).map {
                OutgoingAction.send(OutgoingMessage(to: .adminChat, text: "r\($0)", purpose: .adminRequest(keyID: $0)))
            }
            try await store.commit(BotCommit(outgoing: requests.map { QueuedAction($0) }))
            try await store.commit(BotCommit(outgoing: [QueuedAction(.closeRequests(keyID: 2, note: "n"))]))
            var order = [OutgoingAction]()
            while let next = try await store.nextOutgoing(limit: 1, excludingLanes: []).first {
                order.append(next.action)
                try await store.finishOutgoing(next, result: .sent(nil))
            }
            #expect(order == [requests[0], requests[2], .closeRequests(keyID: 2, note: "n")])
        }
    }

    /// A key event delivered twice (a crash before it was marked delivered, or the relay's sweep picking it up
    /// while its first delivery runs): the second delivery's close leaves the request card the first one queued, and
    /// its own copy of the card is refused by the dedupe key, so the admins get the card once.
    @Test(arguments: StoreEngine.allCases)
    func anEventDeliveredTwiceKeepsTheRequestItsFirstDeliveryQueued(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let tag = QueuedAction.eventTag(7)
            let delivery = [
                QueuedAction(.closeRequests(keyID: 3, note: "superseded"), dedupeKey: tag + ":supersede"),
                QueuedAction(
                    .send(OutgoingMessage(to: .adminChat, text: "card", purpose: .adminRequest(keyID: 3))),
                    dedupeKey: tag + ":request"
                ),
            ]
            try await store.commit(BotCommit(outgoing: delivery))
            try await store.commit(BotCommit(outgoing: delivery))
            #expect(try await drain(store) == delivery.map(\.action))
        }
    }

    /// An older event delivered again after a newer one (the decision) was queued: its close drops nothing the
    /// newer event queued, so the decision still closes the request and its owner still hears of it.
    @Test(arguments: StoreEngine.allCases)
    func aCloseDropsOnlyWhatEarlierEventsQueued(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let card = OutgoingAction.send(
                OutgoingMessage(to: .adminChat, text: "card", purpose: .adminRequest(keyID: 3))
            )
            let submitted = [
                QueuedAction(
                    .closeRequests(keyID: 3, note: "superseded"),
                    dedupeKey: QueuedAction.eventTag(5) + ":supersede"
                ),
                QueuedAction(card, dedupeKey: QueuedAction.eventTag(5) + ":request"),
            ]
            let approved = [
                QueuedAction(
                    .closeRequests(keyID: 3, note: "approved"),
                    dedupeKey: QueuedAction.eventTag(9) + ":close"
                ),
                QueuedAction(
                    .send(OutgoingMessage(to: .chat(42), text: "approved")),
                    dedupeKey: QueuedAction.eventTag(9) + ":owner"
                ),
            ]
            try await store.commit(BotCommit(outgoing: submitted))
            try await store.commit(BotCommit(outgoing: approved))
            try await store.commit(BotCommit(outgoing: submitted))
            // The decision's close dropped the older event's close and card, unsent: its own note closes them all.
            let left = try await drain(store)
            #expect(left.count == 2 && left.contains(approved[0].action) && left.contains(approved[1].action))
        }
    }

    /// Every action the queue offers, in the order offered, each marked sent.
    private func drain(_ store: any BotStore) async throws -> [OutgoingAction] {
        var order = [OutgoingAction]()
        while let next = try await store.nextOutgoing(limit: 1, excludingLanes: []).first {
            order.append(next.action)
            try await store.finishOutgoing(next, result: .sent(nil))
        }
        return order
    }

    @Test(arguments: StoreEngine.allCases)
    func postedRequestsAndReasonPromptsAreRemembered(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let group: Int64 = -1_009_999_000_001
            let request = OutgoingMessage(to: .adminChat, text: "Key #5", purpose: .adminRequest(keyID: 5))
            let prompt = OutgoingMessage(
                to: .adminChat,
                text: "reason?",
                forceReply: true,
                purpose: .reasonPrompt(keyID: 5, revision: "00000000000000ab", admin: 42)
            )
            let plain = OutgoingMessage(to: .chat(9), text: "hello")
            try await store.commit(
                BotCommit(outgoing: [
                    QueuedAction(.send(request)), QueuedAction(.send(prompt)), QueuedAction(.send(plain)),
                ])
            )
            // One lane, the admin group's: the second waits until the first is done.
            let first = try await store.nextOutgoing(limit: 10, excludingLanes: [])
            #expect(first.map(\.action) == [.send(request), .send(plain)])
            try await store.finishOutgoing(
                first[0],
                result: .sent(PostedMessage(chatID: group, messageID: 11, text: "Key #5"))
            )
            try await store.finishOutgoing(
                first[1],
                result: .sent(PostedMessage(chatID: 9, messageID: 3, text: "hello"))
            )
            let second = try await store.nextOutgoing(limit: 10, excludingLanes: [])
            #expect(second.map(\.action) == [.send(prompt)])
            try await store.finishOutgoing(
                try #require(second.first),
                result: .sent(PostedMessage(chatID: group, messageID: 12, text: "reason?"))
            )
            // Finishing twice changes nothing.
            try await store.finishOutgoing(try #require(second.first), result: .abandoned("late"))
            #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).isEmpty)
            #expect(
                try await store.requestMessages(ofKey: 5) == [
                    PostedMessage(chatID: group, messageID: 11, text: "Key #5")
                ]
            )
            let remembered = try await store.reasonPrompt(chatID: group, messageID: 12)
            #expect(remembered == ReasonPrompt(keyID: 5, revision: "00000000000000ab", admin: 42))
            #expect(try await store.reasonPrompts(ofKey: 5).map(\.messageID) == [12])
            #expect(try await store.reasonPrompts(ofKey: 6).isEmpty)
            #expect(try await store.reasonPrompt(chatID: group, messageID: 11) == nil)
            #expect(try await store.reasonPrompt(chatID: 9, messageID: 3) == nil)
            #expect(try await fixture.count(.posted) == 2, "a plain message is not remembered")
        }
    }

    /// A row a newer version wrote is set aside, and the same read offers the lane's next row in its place.
    @Test(arguments: StoreEngine.allCases)
    func anActionThisBuildCannotReadIsSetAsideInsteadOfBlockingItsLane(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let table = BotTable.outgoing.name(on: engine)
            try await fixture.execute(
                """
                INSERT INTO \(table) (lane, action, created_at) VALUES (1, '{"newerKind":{}}', '2030-01-01 00:00:00')
                """
            )
            let next = OutgoingAction.send(OutgoingMessage(to: .chat(1), text: "after"))
            try await store.commit(BotCommit(outgoing: [QueuedAction(next)]))
            // The same read offers the lane's next head: nothing wakes the sender again for it.
            #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).map(\.action) == [next])
            #expect(try await fixture.count(.outgoing, "WHERE result = 'abandoned: unreadable by this version'") == 1)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func tidyingForgetsSentActionsAndTheMessagesOfDecidedKeys(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            try await fixture.execute(
                """
                INSERT INTO users (id, username, is_admin, is_active) VALUES (500, 'owner', FALSE, TRUE)
                """
            )
            try await fixture.execute(
                """
                INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, status)
                VALUES (901, 500, 'binance', 'pending', 'k1', 'token', 'PENDING'),
                    (902, 500, 'binance', 'approved', 'k2', 'token', 'APPROVED')
                """
            )
            let requests = [901, 902].map {
                QueuedAction(.send(OutgoingMessage(to: .adminChat, text: "r\($0)", purpose: .adminRequest(keyID: $0))))
            }
            try await store.commit(
                BotCommit(outgoing: requests + [QueuedAction(.send(OutgoingMessage(to: .chat(3), text: "q")))])
            )
            var messageID = 20
            while let next = try await store.nextOutgoing(limit: 1, excludingLanes: []).first {
                messageID += 1
                try await store.finishOutgoing(
                    next,
                    result: .sent(PostedMessage(chatID: -100, messageID: messageID, text: "r"))
                )
            }
            let queued = OutgoingAction.send(OutgoingMessage(to: .chat(4), text: "still queued"))
            try await store.commit(BotCommit(outgoing: [QueuedAction(queued)]))
            try await store.tidy(now: Date().addingTimeInterval(86_400))
            #expect(try await fixture.count(.outgoing) == 4, "a day: nothing goes")
            #expect(try await fixture.count(.posted) == 2)
            try await store.tidy(now: Date().addingTimeInterval(8 * 86_400))
            #expect(try await fixture.count(.outgoing) == 1, "the unsent action stays")
            #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).map(\.action) == [queued])
            #expect(try await store.requestMessages(ofKey: 901).count == 1, "its key still waits for a decision")
            #expect(try await store.requestMessages(ofKey: 902).isEmpty)
        }
    }
}
