import ExchangeBotCore
import Hummingbird
import Logging
import NIOCore

/// Turns every error into the standard error body, so no route, no framework error and no unknown route answers
/// anything else. Unexpected errors are logged by type and answered 500 without detail.
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
        } catch let error as HTTPError {
            let detail: String =
                switch error.status {
                case .notFound: "No route for \(request.method.rawValue) \(request.uri.path)"
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
