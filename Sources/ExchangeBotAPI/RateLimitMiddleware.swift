import Crypto
import Foundation
import Hummingbird

/// Applies `API_RATE_LIMIT` per caller before anything else runs: per bearer token when one is sent (hashed, so
/// the limiter never holds tokens), else per client address. Refusals are 429 with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limiter: RateLimiter
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        switch await limiter.take(Self.key(request, context)) {
        case .allowed(let remaining):
            var response = try await next(request, context)
            response.headers[.init("X-RateLimit-Limit")!] = String(limit)
            response.headers[.init("X-RateLimit-Remaining")!] = String(remaining)
            return response
        case .limited(let retryAfter):
            throw APIError(
                .tooManyRequests,
                "Rate limit exceeded; retry after \(retryAfter) s",
                headers: [.retryAfter: String(retryAfter)]
            )
        }
    }

    static func key(_ request: Request, _ context: Context) -> String {
        if let authorization = request.headers[.authorization], authorization.utf8.count <= 1024 {
            let digest = SHA256.hash(data: Data(authorization.utf8))
            let hex = Array("0123456789abcdef".utf8)
            var key = Array("token:".utf8)
            for byte in digest.prefix(16) {
                key.append(hex[Int(byte >> 4)])
                key.append(hex[Int(byte & 0x0F)])
            }
            return String(decoding: key, as: UTF8.self)
        }
        return "address:" + (context.remoteAddress?.ipAddress ?? "unknown")
    }
}
