import AccessTokens
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
    /// Whether the database answers (for `/healthz`).
    public var databaseIsReachable: @Sendable () async -> Bool
    /// The bot's polling state for `/healthz`: `disabled`, `polling`, `stalled`.
    public var botState: @Sendable () async -> String

    public init(
        service: ApprovalService,
        store: any ExchangeStore,
        authority: BearerTokenAuthority,
        rateLimit: (requests: Int, perSeconds: Int),
        databaseIsReachable: @escaping @Sendable () async -> Bool,
        botState: @escaping @Sendable () async -> String
    ) {
        self.service = service
        self.store = store
        self.authority = authority
        self.rateLimit = rateLimit
        self.databaseIsReachable = databaseIsReachable
        self.botState = botState
    }
}

/// Builds the REST API: the router with its middleware, and the application that serves it.
public enum APIServer {
    /// The router: access log → error bodies → rate limit → (authentication) → routes.
    public static func router(_ dependencies: APIDependencies, logger: Logger) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
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

        let limited = router.group()
            .add(
                middleware: RateLimitMiddleware(
                    limiter: RateLimiter(
                        requests: dependencies.rateLimit.requests,
                        perSeconds: dependencies.rateLimit.perSeconds
                    ),
                    limit: dependencies.rateLimit.requests
                )
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
        )
        return router
    }

    /// The application serving the router on `host:port`.
    public static func application(
        _ dependencies: APIDependencies,
        host: String,
        port: Int,
        logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(dependencies, logger: logger),
            configuration: .init(address: .hostname(host, port: port), serverName: "exchange-bot"),
            logger: logger
        )
    }
}
