import ExchangeBotCore
import HTTPTypes
import Hummingbird

/// `API_RATE_LIMIT` per client address, for requests that do not authenticate (a missing, malformed, forged or
/// expired token, an unknown or disabled user, a non-admin at an admin route): past the budget they are answered
/// 429 instead of 401/403, so guessing tokens or flooding with garbage is cut off. Requests that authenticate are
/// charged to their user (``UserRateLimitMiddleware``) and never to the address, so users behind one address (an
/// office, a carrier NAT, a proxy) neither share a budget nor can be locked out by a flood from a neighbour; and
/// no way of writing a token buys a fresh budget. Refusing a bad token costs one HMAC, checked before any
/// database read.
struct AddressRateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            guard context.identity.userID == nil else { throw error }
            let key = context.clientAddress?.bucketKey ?? "address:unknown"
            if case .limited(let retryAfter) = await limiter.take(key) {
                throw APIError.rateLimited(retryAfter: retryAfter)
            }
            throw error
        }
    }
}

/// `API_RATE_LIMIT` per authenticated user, keyed on the verified user id: runs after ``BearerAuthMiddleware``.
struct UserRateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limiter: RateLimiter
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let user = try context.requireUser()
        switch await limiter.take("user:\(user.id)") {
        case .allowed(let remaining):
            var response = try await next(request, context)
            response.headers[Self.limitHeader] = String(limit)
            response.headers[Self.remainingHeader] = String(remaining)
            return response
        case .limited(let retryAfter):
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
    }

    static let limitHeader = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("X-RateLimit-Remaining")!
}

extension APIError {
    /// 429 with `Retry-After`, as every refusal for going too fast is answered.
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(
            .tooManyRequests,
            "Rate limit exceeded; retry after \(seconds) s",
            headers: [.retryAfter: String(seconds)]
        )
    }
}
