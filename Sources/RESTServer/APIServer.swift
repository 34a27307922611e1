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
    /// Whether the database answers (for `/healthz`).
    public var databaseIsReachable: @Sendable () async -> Bool
    /// The bot's polling state for `/healthz`: `disabled`, `polling`, `stalled`.
    public var botState: @Sendable () async -> String
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
        databaseIsReachable: @escaping @Sendable () async -> Bool,
        botState: @escaping @Sendable () async -> String,
        linking: AccountLinking? = nil,
        botUsername: @escaping @Sendable () -> String? = { nil }
    ) {
        self.service = service
        self.store = store
        self.authority = authority
        self.rateLimit = rateLimit
        self.trustedProxies = trustedProxies
        self.databaseIsReachable = databaseIsReachable
        self.botState = botState
        self.linking = linking
        self.botUsername = botUsername
    }
}

/// Builds the REST API: the router with its middleware, and the application that serves it.
public enum APIServer {
    /// The router: client address → access log → error bodies → (per-address limit → authentication → per-user
    /// limit) → routes.
    public static func router(_ dependencies: APIDependencies, logger: Logger) -> Router<APIRequestContext> {
        // HEAD is answered wherever GET is (RFC 9110 §9.3.2), with GET's headers and no body.
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Build the document (its patterns scan the Unicode tables) now rather than in the first request.
        _ = OpenAPIDocument.json.utf8.count
        router.middlewares.add(
            ClientAddressMiddleware(resolver: ClientAddressResolver(trustedProxies: dependencies.trustedProxies))
        )
        router.middlewares.add(AccessLogMiddleware(logger: logger))
        router.middlewares.add(ErrorMiddleware())

        router.get("healthz") { _, _ in
            let database = await dependencies.databaseIsReachable()
            let bot = await dependencies.botState()
            return JSONResponse(
                HealthResponse(
                    status: database ? "ok" : "degraded",
                    database: database ? "ok" : "unreachable",
                    bot: bot
                ),
                status: database ? .ok : .serviceUnavailable
            )
        }
        router.get("openapi.json") { _, _ in OpenAPIDocument.response(json: OpenAPIDocument.json) }
        router.get("docs") { _, _ in OpenAPIDocument.response(html: OpenAPIDocument.docsPage) }

        let (requests, perSeconds) = dependencies.rateLimit
        let limited = router.group()
            .add(
                middleware: AddressRateLimitMiddleware(limiter: RateLimiter(requests: requests, perSeconds: perSeconds))
            )
        let perUser = UserRateLimitMiddleware(
            limiter: RateLimiter(requests: requests, perSeconds: perSeconds),
            limit: requests
        )
        let routes = ExchangeRoutes(service: dependencies.service)
        routes.addUserRoutes(
            to: limited.group("user/exchanges")
                .add(
                    middleware: BearerAuthMiddleware(
                        authority: dependencies.authority,
                        users: dependencies.store,
                        requireAdmin: false
                    )
                )
                .add(middleware: perUser)
        )
        TelegramLinkRoutes(linking: dependencies.linking, botUsername: dependencies.botUsername)
            .add(
                to: limited.group("user/telegram-link")
                    .add(
                        middleware: BearerAuthMiddleware(
                            authority: dependencies.authority,
                            users: dependencies.store,
                            requireAdmin: false
                        )
                    )
                    .add(middleware: perUser)
            )
        routes.addAdminRoutes(
            to: limited.group("admin/exchanges")
                .add(
                    middleware: BearerAuthMiddleware(
                        authority: dependencies.authority,
                        users: dependencies.store,
                        requireAdmin: true
                    )
                )
                .add(middleware: perUser)
        )
        return router
    }

    /// The application serving the router on `host:port`, its connections bounded by `limits`.
    public static func application(
        _ dependencies: APIDependencies,
        host: String,
        port: Int,
        limits: ConnectionLimits = ConnectionLimits(),
        logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(dependencies, logger: logger),
            server: GuardedHTTP1Channel.builder(limits),
            configuration: .init(address: .hostname(host, port: port), serverName: "exchange-bot"),
            logger: logger
        )
    }
}
