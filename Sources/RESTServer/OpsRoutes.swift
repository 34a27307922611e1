import Foundation
import Hummingbird

/// What the operations routes (`/healthz`, `/readyz`, `/metrics`) need: they run in every mode, with or without
/// the REST API (`SECRET_KEY`), so nothing here depends on the API's settings.
public struct OpsDependencies: Sendable {
    /// Whether the database answers.
    public var databaseIsReachable: @Sendable () async -> Bool
    /// The bot's state: `disabled` (no bot), `starting`, `polling`, `conflict`, `token refused`, `stopping`, …;
    /// the webhook mode reports `webhook` once `setWebhook` succeeded. See ``OpsRoutes/readyBotStates``.
    public var botState: @Sendable () async -> String
    /// This instance's role, e.g. `leader` (it runs the bot's singleton jobs) or `standby`: the composition root
    /// decides (a leader lease plugs in here).
    public var role: @Sendable () -> String
    /// Whether the master-key check at start passed (the listener runs only after it did, so normally `true`).
    public var masterKeyChecked: @Sendable () -> Bool
    /// The metrics in Prometheus' text exposition format (version 0.0.4), sampled at each scrape.
    public var metrics: @Sendable () async -> [UInt8]

    public init(
        databaseIsReachable: @escaping @Sendable () async -> Bool,
        botState: @escaping @Sendable () async -> String,
        role: @escaping @Sendable () -> String,
        masterKeyChecked: @escaping @Sendable () -> Bool = { true },
        metrics: @escaping @Sendable () async -> [UInt8]
    ) {
        self.databaseIsReachable = databaseIsReachable
        self.botState = botState
        self.role = role
        self.masterKeyChecked = masterKeyChecked
        self.metrics = metrics
    }
}

/// `/healthz` (liveness), `/readyz` (readiness) and `/metrics`: outside the API's rate limit and authentication,
/// so an orchestrator and a scraper are never refused.
public enum OpsRoutes {
    /// Bot states in which the instance can take Telegram's updates (or has no bot to take them, or, `standby`, is a
    /// follower whose bot runs on the leader).
    public static let readyBotStates: Set<String> = ["disabled", "polling", "webhook", "standby"]

    static func add(to router: Router<APIRequestContext>, _ ops: OpsDependencies) {
        // Liveness: the process serves. Always 200; `status` says `degraded` when a part is down, so a
        // liveness probe does not restart the process for a database outage it cannot fix.
        router.get("healthz") { _, _ in
            let database = await ops.databaseIsReachable()
            let bot = await ops.botState()
            return JSONResponse(
                HealthResponse(
                    status: database ? "ok" : "degraded",
                    database: database ? "ok" : "unreachable",
                    bot: bot,
                    role: ops.role()
                )
            )
        }
        // Readiness: every part this instance needs to do its work; 503 until then.
        router.get("readyz") { _, _ in
            let database = await ops.databaseIsReachable()
            let bot = await ops.botState()
            let keyCheck = ops.masterKeyChecked()
            let ready = database && readyBotStates.contains(bot) && keyCheck
            return JSONResponse(
                ReadinessResponse(
                    status: ready ? "ready" : "not ready",
                    database: database ? "ok" : "unreachable",
                    bot: bot,
                    masterKey: keyCheck ? "ok" : "not checked",
                    role: ops.role()
                ),
                status: ready ? .ok : .serviceUnavailable
            )
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: await ops.metrics()))
            )
        }
    }
}

/// `/healthz`: the fields of the first version (`status`, `database`, `bot`) plus the instance's role.
struct HealthResponse: Encodable {
    let status: String
    let database: String
    let bot: String
    let role: String
}

/// `/readyz`: a status per part.
struct ReadinessResponse: Encodable {
    let status: String
    let database: String
    let bot: String
    let masterKey: String
    let role: String

    enum CodingKeys: String, CodingKey {
        case status, database, bot, role
        case masterKey = "master_key"
    }
}
