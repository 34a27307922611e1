import Foundation
import Hummingbird
import Logging

/// One structured line per request: method, path, status, duration, user id and client address (the one the rate
/// limit used). Never the query string (it may carry tokens), the Authorization header or a body.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let milliseconds = (ContinuousClock.now - start) / .milliseconds(1)
        logger.info(
            "request",
            metadata: [
                "http.method": "\(request.method.rawValue)",
                "http.path": "\(request.uri.path)",
                "http.status": "\(response.status.code)",
                "http.duration_ms": "\(String(format: "%.2f", milliseconds))",
                "user.id": "\(context.identity.userID.map(String.init) ?? "-")",
                "client.address": "\(context.clientAddress?.description ?? "-")",
            ]
        )
        return response
    }
}
