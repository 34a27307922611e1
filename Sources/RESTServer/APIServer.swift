import BearerTokens
import ExchangeBotCore
import Foundation
import Hummingbird
import Logging

/// What the REST API needs from the rest of the service.
public struct APIDependencies: Sendable {
    public var service: ApprovalService
    public var store: any ExchangeStore
    public var authority: BearerTokenAuthority
    public var rateLimit: (requests: Int, perSeconds: Int)
    /// Peers whose `X-Forwarded-For` / `X-Real-IP` are believed (`TRUSTED_PROXIES`); empty: nobody's.
    public var trustedProxies: [IPAddressRange]
    /// Links Telegram accounts (`/user/telegram-link`); `nil`: those routes answer 503.
    public var linking: AccountLinking?
    /// The bot's `@username` for link URLs: `getMe`'s while the bot runs, else `TELEGRAM_BOT_USERNAME`.
    public var botUsername: @Sendable () -> String?

    public init(
        service: ApprovalService,
        store: any ExchangeStore,
        authority: BearerTokenAuthority,
        rateLimit: (requests: Int, perSeconds: Int),
        trustedProxies: [IPAddressRange] = [],
        linking: AccountLinking? = nil,
        botUsername: @escaping @Sendable () -> String? = { nil }
    ) {
        self.service = service
        self.store = store
        self.authority = authority
        self.rateLimit = rateLimit
        self.trustedProxies = trustedProxies
        self.linking = linking
        self.botUsername = botUsername
    }
}

/// Builds the service's HTTP listener: the router with its middleware, and the application that serves it.
public enum APIServer {
    /// The router: metrics → client address → access log → error bodies → the operations routes (always), and with
    /// `api` (`SECRET_KEY` set) the REST API: (per-address limit → authentication → per-user limit) → routes.
    public static func router(
        _ api: APIDependencies?,
        ops: OpsDependencies,
        trustedProxies: [IPAddressRange] = [],
        webhook: TelegramWebhookEndpoint? = nil,
        rootPath: APIRootPath = .none,
        logger: Logger
    ) -> Router<APIRequestContext> {
        // HEAD is answered wherever GET is (RFC 9110 §9.3.2), with GET's headers and no body.
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Requests by route pattern (`context.endpointPath`, never the raw path), method and status, with latency.
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(
            ClientAddressMiddleware(
                resolver: ClientAddressResolver(trustedProxies: api?.trustedProxies ?? trustedProxies)
            )
        )
        router.middlewares.add(AccessLogMiddleware(logger: logger))
        router.middlewares.add(ErrorMiddleware())
        OpsRoutes.add(to: router, ops)
        // Webhook mode (`TELEGRAM_WEBHOOK_URL`): Telegram's posts, with or without the REST API.
        if let webhook { TelegramWebhookRoute.add(to: router, webhook, logger: logger) }
        if let api { addAPIRoutes(to: router, api, rootPath: rootPath) }
        return router
    }

    /// The REST API's routes (`SECRET_KEY` set): documents, then the user's and the admin's routes.
    private static func addAPIRoutes(
        to router: Router<APIRequestContext>,
        _ dependencies: APIDependencies,
        rootPath: APIRootPath
    ) {
        // Build the document (its patterns scan the Unicode tables) now rather than in the first request.
        _ = OpenAPIDocument.json.utf8.count
        APIDocumentation(rootPath: rootPath).add(to: router)

        let (requests, perSeconds) = dependencies.rateLimit
        let limited = router.group()
            .add(
                middleware: AddressRateLimitMiddleware(limiter: RateLimiter(requests: requests, perSeconds: perSeconds))
            )
        let perUser = UserRateLimitMiddleware(
            limiter: RateLimiter(requests: requests, perSeconds: perSeconds),
            limit: requests
        )
        // Every API route: the address budget first, then the bearer token, then the user's budget.
        let authenticated = { (path: RouterPath, admin: Bool) in
            limited.group(path)
                .add(
                    middleware: BearerAuthMiddleware(
                        authority: dependencies.authority,
                        users: dependencies.store,
                        requireAdmin: admin
                    )
                )
                .add(middleware: perUser)
        }
        let routes = ExchangeRoutes(service: dependencies.service)
        routes.addUserRoutes(to: authenticated("user/exchanges", false))
        TelegramLinkRoutes(linking: dependencies.linking, botUsername: dependencies.botUsername)
            .add(to: authenticated("user/telegram-link", false))
        routes.addAdminRoutes(to: authenticated("admin/exchanges", true))
        AuditRoutes(service: dependencies.service).add(to: authenticated("admin/audit", true))
    }

    /// The application serving the router on `host:port` (port 0: any free one, passed to `onListening`), its
    /// connections bounded by `limits`.
    public static func application(
        _ api: APIDependencies?,
        ops: OpsDependencies,
        host: String,
        port: Int,
        limits: ConnectionLimits = ConnectionLimits(),
        trustedProxies: [IPAddressRange] = [],
        webhook: TelegramWebhookEndpoint? = nil,
        rootPath: APIRootPath = .none,
        onListening: @escaping @Sendable (_ port: Int?) async -> Void = { _ in },
        logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            // Every route also under `API_ROOT_PATH`: the prefix is taken off before the router sees the request.
            router: RootPathRouting(
                rootPath: rootPath,
                inner: router(
                    api,
                    ops: ops,
                    trustedProxies: trustedProxies,
                    webhook: webhook,
                    rootPath: rootPath,
                    logger: logger
                )
            ),
            server: GuardedHTTP1Channel.builder(limits),
            configuration: .init(address: .hostname(host, port: port), serverName: "exchange-bot"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port) },
            logger: logger
        )
    }
}
