import BearerTokens
import ExchangeBotCore
import Foundation
import Hummingbird

/// Authenticates the seed's HMAC bearer tokens: a valid signature (checked in constant time), not expired, for a
/// user who exists and is active. With `requireAdmin`, the user must also have `users.is_admin`.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let authority: BearerTokenAuthority
    let users: any ExchangeStore
    let requireAdmin: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "Missing bearer token", headers: [.wwwAuthenticate: "Bearer"])
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(
                .unauthorized,
                "Authorization must be: Bearer <token>",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let userID: Int64
        do {
            userID = try authority.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
        } catch {
            let detail: String =
                switch error {
                case .malformed: "Invalid token format"
                case .badSignature: "Invalid token signature"
                case .expired: "Token expired"
                case .fromTheFuture: "Token timestamp is in the future"
                }
            throw APIError(.unauthorized, detail, headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let user = try await users.user(id: userID) else {
            throw APIError(.unauthorized, "User not found", headers: [.wwwAuthenticate: "Bearer"])
        }
        guard user.isActive else { throw APIError(.forbidden, "Account is disabled") }
        if requireAdmin && !user.isAdmin { throw APIError(.forbidden, "Admin access required") }
        var context = context
        context.user = user
        context.identity.userID = user.id
        return try await next(request, context)
    }
}
