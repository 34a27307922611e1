import Foundation
import Synchronization

/// A webhook as `setWebhook` registered it.
struct FakeWebhook {
    var url: URL
    var secret: String?
    var maxConnections: Int
}

/// One post of an update to the webhook, as the fake made it.
public struct FakeWebhookDelivery: Sendable {
    public var updateID: Int
    /// What ordered it: `chat <id>` for an update of a chat (see ``FakeTelegramCore/lane(ofUpdate:id:)``).
    public var lane: String
    /// Where it went: the registered URL, or the origin of ``FakeTelegramServer/balanceWebhook(across:)``.
    public var url: URL
    /// The answer's status; 0 when the connection failed.
    public var status: Int
    /// What was posted, for ``FakeTelegramCore/repostAnsweredWebhookUpdate(_:)``.
    var posted: FakeTelegramState.QueuedUpdate
}

/// Webhook mode: `setWebhook`, `getWebhookInfo`, `deleteWebhook`, and the posts Telegram makes.
///
/// As Telegram does: while a webhook is set `getUpdates` answers 409; each update is posted with the secret in
/// `X-Telegram-Bot-Api-Secret-Token`; one chat's updates are posted in sequence (the next only after the last was
/// answered 2xx), different chats' concurrently (up to `max_connections`); a non-2xx answer or a failed connection
/// is retried after a short backoff.
extension FakeTelegramCore {
    static let webhookConflict = FakeTelegramFailure(
        code: 409,
        description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )

    func setWebhook(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        guard let text = parameters.string("url"), !text.isEmpty else {
            // Telegram's setWebhook with an empty URL removes the webhook.
            state.webhook = nil
            return "true"
        }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else { throw FakeTelegramFailure.badRequest("bad webhook: invalid URL") }
        let secret = parameters.string("secret_token")
        if let secret {
            let allowed = secret.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
            guard (1...256).contains(secret.utf8.count), allowed else {
                throw FakeTelegramFailure.badRequest("secret token contains unallowed characters")
            }
        }
        let maxConnections = min(max(parameters.int("max_connections") ?? 40, 1), 100)
        if let list = parameters["allowed_updates"] {
            guard let kinds = list.arrayValue?.compactMap(\.stringValue) else {
                throw FakeTelegramFailure.badRequest("can't parse allowed_updates JSON array")
            }
            state.allowedUpdates = kinds.isEmpty ? nil : Set(kinds)
        }
        if parameters.bool("drop_pending_updates") { state.updates.removeAll() }
        state.webhook = FakeWebhook(url: url, secret: secret, maxConnections: maxConnections)
        // A long poll in progress ends with 409, as "terminated by setWebhook request".
        state.pollGeneration += 1
        return "true"
    }

    func webhookInfo(state: FakeTelegramState) -> String {
        var info: [String: FakeTelegramValue] = [
            "url": .string(state.webhook?.url.absoluteString ?? ""), "has_custom_certificate": false,
            "pending_update_count": .integer(Int64(state.updates.count)),
        ]
        if let webhook = state.webhook { info["max_connections"] = .integer(Int64(webhook.maxConnections)) }
        return FakeTelegramValue.object(info).json
    }

    /// Runs for the server's life: whenever the state changes, posts the oldest waiting update of each chat that
    /// has none in flight.
    func deliverWebhooks() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let version = signal.version
                let (posts, nextRetry) = takeDueWebhookPosts()
                for post in posts {
                    group.addTask { await self.post(post) }
                }
                await signal.wait(after: version, until: min(nextRetry ?? .now + .seconds(1), .now + .seconds(1)))
            }
            group.cancelAll()
        }
    }

    struct WebhookPost: Sendable {
        var update: FakeTelegramState.QueuedUpdate
        var url: URL
        var secret: String?
    }

    /// The posts to make now, and when the next retry waiting for its backoff is due.
    private func takeDueWebhookPosts() -> ([WebhookPost], ContinuousClock.Instant?) {
        state.withLock { state -> ([WebhookPost], ContinuousClock.Instant?) in
            guard let webhook = state.webhook, !state.stopping else { return ([], nil) }
            let now = ContinuousClock.now
            var nextRetry: ContinuousClock.Instant?
            var lanesSeen = Set<String>()
            var posts = [WebhookPost]()
            for update in state.updates {
                // Only a chat's oldest waiting update may go: the next waits for its answer.
                guard lanesSeen.insert(update.lane).inserted else { continue }
                if let retry = state.webhookRetryAt[update.id], retry > now {
                    nextRetry = min(nextRetry ?? retry, retry)
                    continue
                }
                guard !state.webhookLanesInFlight.contains(update.lane),
                    state.webhookLanesInFlight.count < webhook.maxConnections
                else { continue }
                state.webhookLanesInFlight.insert(update.lane)
                var url = webhook.url
                if !state.webhookOrigins.isEmpty {
                    let origin = state.webhookOrigins[
                        state.webhookPostCounts[update.lane, default: 0] % state.webhookOrigins.count
                    ]
                    url = Self.replacingOrigin(of: webhook.url, with: origin)
                }
                state.webhookPostCounts[update.lane, default: 0] += 1
                posts.append(WebhookPost(update: update, url: url, secret: webhook.secret))
            }
            return (posts, nextRetry)
        }
    }

    private func post(_ post: WebhookPost) async {
        var headers = [("Content-Type", "application/json")]
        if let secret = post.secret { headers.append(("X-Telegram-Bot-Api-Secret-Token", secret)) }
        var target = post.url.path.isEmpty ? "/" : post.url.path
        if let query = post.url.query { target += "?" + query }
        let status: Int
        do {
            status = try await LoopbackHTTPClient.send(
                to: post.url,
                "POST",
                target,
                headers: headers,
                body: post.update.json,
                timeout: 10
            ).status
        } catch {
            status = 0
        }
        let now = ContinuousClock.now
        mutate { state in
            state.webhookDeliveries.append(
                FakeWebhookDelivery(
                    updateID: post.update.id,
                    lane: post.update.lane,
                    url: post.url,
                    status: status,
                    posted: post.update
                )
            )
            state.webhookLanesInFlight.remove(post.update.lane)
            if (200..<300).contains(status) {
                state.updates.removeAll { $0.id == post.update.id }
                state.webhookAttempts[post.update.id] = nil
                state.webhookRetryAt[post.update.id] = nil
            } else {
                let attempts = (state.webhookAttempts[post.update.id] ?? 0) + 1
                state.webhookAttempts[post.update.id] = attempts
                state.webhookRetryAt[post.update.id] = now + .milliseconds(min(50 << min(attempts, 5), 1000))
            }
        }
    }

    /// Queues an update that was posted and answered 2xx to be posted again, the same JSON under the same id, as
    /// Telegram posts again an update whose answer never reached it (lost after the bot's commit, a proxy's
    /// timeout). `false` when no such answered post exists or the update is waiting again already.
    func repostAnsweredWebhookUpdate(_ id: Int) -> Bool {
        mutate { state in
            guard !state.updates.contains(where: { $0.id == id }),
                let answered = state.webhookDeliveries.last(where: {
                    $0.updateID == id && (200..<300).contains($0.status)
                })
            else { return false }
            state.updates.append(answered.posted)
            return true
        }
    }

    static func replacingOrigin(of url: URL, with origin: URL) -> URL {
        var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) ?? URLComponents()
        parts.scheme = origin.scheme
        parts.host = origin.host
        parts.port = origin.port
        return parts.url ?? url
    }

    /// What orders an update's delivery: its chat (or its sender's, for a press on a message no longer there);
    /// an update of neither is a lane of its own.
    static func lane(ofUpdate json: String, id: Int) -> String {
        guard let update = FakeTelegramValue.parse(json)?.objectValue else { return "update \(id)" }
        for (kind, payload) in update where kind != "update_id" {
            if let chat = payload["chat"]?["id"]?.int64Value ?? payload["message"]?["chat"]?["id"]?.int64Value {
                return "chat \(chat)"
            }
            if let user = payload["from"]?["id"]?.int64Value { return "user \(user)" }
        }
        return "update \(id)"
    }
}
