import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import TelegramAPIClient

/// The objects that handle updates, wired once the bot knows its own `@username` (from `getMe`, which its
/// command parser needs): the router and what it routes to, the quiet path, and the conversation runner that key
/// checks report back to.
struct UpdateHandling: Sendable {
    let router: UpdateRouter
    let quiet: QuietUpdates
    let runner: ConversationRunner
    let checks: CheckRunner
    let queues: ChatQueues

    init(
        client: TelegramClient,
        store: any BotStore,
        service: ApprovalService,
        linking: AccountLinking?,
        texts: BotTexts,
        signal: WakeSignal,
        adminChat: AdminChat,
        configuration: BotConfiguration,
        botUsername: String?,
        logger: Logger
    ) {
        let now: @Sendable () -> Date = { Date() }
        let queues = ChatQueues()
        let checks = CheckRunner(service: service, queues: queues, logger: logger)
        let calls = ImmediateCalls(client: client, logger: logger)
        let parser = CommandParser(botUsername: botUsername)
        let admins = AdminDirectory(
            client: client,
            listed: configuration.adminUserIDs,
            lifetime: configuration.adminCacheLifetime,
            adminChat: adminChat,
            logger: logger
        )
        let runner = ConversationRunner(
            store: store,
            service: service,
            linking: linking,
            texts: texts,
            calls: calls,
            checks: checks,
            signal: signal,
            logger: logger,
            now: now
        )
        let desk = AdminDesk(
            store: store,
            service: service,
            texts: texts,
            admins: admins,
            calls: calls,
            signal: signal
        )
        router = UpdateRouter(
            store: store,
            adminChat: adminChat,
            admins: admins,
            privateChat: PrivateChat(
                store: store,
                service: service,
                linking: linking,
                signup: configuration.signup,
                texts: texts,
                parser: parser,
                runner: runner,
                calls: calls,
                signal: signal,
                now: now
            ),
            groupChat: GroupChat(
                store: store,
                texts: texts,
                parser: parser,
                desk: desk,
                signal: signal,
                linking: linking,
                botUsername: botUsername,
                now: now
            ),
            desk: desk,
            logger: logger,
            now: now
        )
        quiet = QuietUpdates(store: store, texts: texts, calls: calls, signal: signal, logger: logger)
        self.runner = runner
        self.checks = checks
        self.queues = queues
    }
}
