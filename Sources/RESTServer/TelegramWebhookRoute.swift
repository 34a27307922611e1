import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What the webhook route needs from the bot: the secret Telegram sends back, and where a post's update goes.
/// A closure, so this module does not depend on the bot's.
public struct TelegramWebhookEndpoint: Sendable {
    /// `TELEGRAM_WEBHOOK_SECRET`, as SHA-256: compared in constant time, never kept as text here.
    let secretDigest: SHA256.Digest
    /// Stores the posted update (JSON as Telegram sent it) and returns once it is committed; throws when it could
    /// not be stored (the post is then refused, so Telegram sends it again). An update that cannot be read is the
    /// closure's to log and skip without throwing: Telegram would post it forever.
    let receive: @Sendable (Data) async throws -> Void

    public init(secret: String, receive: @escaping @Sendable (Data) async throws -> Void) {
        secretDigest = SHA256.hash(data: Data(secret.utf8))
        self.receive = receive
    }

    /// Whether `candidate` is the secret: digests of equal length compared byte by byte without an early exit,
    /// so the time taken says nothing about how much of the secret a guess got right (nor about its length).
    func accepts(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let digest = SHA256.hash(data: Data(candidate.utf8))
        var difference: UInt8 = 0
        for (expected, given) in zip(secretDigest, digest) { difference |= expected ^ given }
        return difference == 0
    }
}

/// `POST /telegram/webhook`: Telegram's posts in webhook mode.
///
/// Outside the REST API's rate limits (Telegram posts for every user, from few addresses) and bearer tokens: the
/// `X-Telegram-Bot-Api-Secret-Token` header is the only proof a post comes from Telegram (its body is not
/// signed). A missing or wrong secret is 403 and nothing is read or stored. 200 (with an empty body: a body
/// naming a method would be run by Telegram) comes only after the update is committed; a store failure is 500,
/// which Telegram retries.
public enum TelegramWebhookRoute {
    public static let path = "telegram/webhook"
    /// The header Telegram sends the secret in.
    public static let secretHeader = HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!
    /// The largest post read. An update is a few kilobytes (a 4096-character message, its entities and the
    /// message it replies to); anything near this is not Telegram's.
    public static let maximumBody = 1 << 20

    static func add(to router: Router<APIRequestContext>, _ endpoint: TelegramWebhookEndpoint, logger: Logger) {
        router.post(RouterPath(stringLiteral: path)) { request, context in
            guard endpoint.accepts(request.headers[secretHeader]) else {
                logger.warning("refused a webhook post without the right secret")
                return try APIError(.forbidden, "Missing or wrong \(secretHeader.rawName)")
                    .response(from: request, context: context)
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maximumBody)
            } catch is NIOTooManyBytesError {
                return try APIError(.contentTooLarge, "Request body larger than \(maximumBody / 1024) KB")
                    .response(from: request, context: context)
            }
            do {
                try await endpoint.receive(Data(body.readableBytesView))
            } catch {
                logger.error(
                    "a webhook update could not be stored; Telegram sends it again",
                    metadata: ["error": "\(error)"]
                )
                return try APIError(.internalServerError, "The update could not be stored; send it again.")
                    .response(from: request, context: context)
            }
            return Response(status: .ok)
        }
    }
}
