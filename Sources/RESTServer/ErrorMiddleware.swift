import ExchangeBotCore
import Hummingbird
import Logging
import NIOCore

/// Turns every error into the standard error body, so no route, no framework error and no unknown route answers
/// anything else. A documented path asked with a method it does not serve answers 405 with `Allow` (RFC 9110
/// §15.5.6). Unexpected errors are logged by type and answered 500 without detail.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as ApprovalError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            // The router says "not found" for a known path asked with a method it does not serve, too. A method the
            // document lists but the router lacks is a route not mounted in this mode (the API without SECRET_KEY).
            guard let allowed = DocumentedRoutes.allowedMethods(for: request.uri.path),
                !allowed.contains(request.method.rawValue)
            else {
                return try APIError(.notFound, "No route for \(request.method.rawValue) \(request.uri.path)")
                    .response(from: request, context: context)
            }
            return try APIError(
                .methodNotAllowed,
                "\(request.method.rawValue) is not served here; allowed: \(allowed.joined(separator: ", "))",
                headers: [.allow: allowed.joined(separator: ", ")]
            ).response(from: request, context: context)
        } catch let error as HTTPError {
            let detail: String =
                switch error.status {
                case .contentTooLarge: "Request body larger than \(context.maxUploadSize / 1024) KB"
                default: error.body ?? error.status.reasonPhrase
                }
            return try APIError(error.status, detail, headers: error.headers).response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try APIError(.contentTooLarge, "Request body larger than \(context.maxUploadSize / 1024) KB")
                .response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            return try APIError(.internalServerError, "Internal error; nothing was changed.")
                .response(from: request, context: context)
        }
    }
}
