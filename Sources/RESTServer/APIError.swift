import ExchangeBotCore
import Foundation
import Hummingbird

/// An error answered with the seed's body, `{"error": "...", "detail": "...", "code": "400"}`, the HTTP status in
/// `code`. Details are written by this service; they never quote a secret or a stack trace.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let detail: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    struct Body: Encodable {
        let error: String
        let detail: String
        let code: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: status.reasonPhrase, detail: detail, code: String(status.code))
        let data = try JSONEncoder().encode(body)
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The REST answer for a refusal of the approval service.
    public init(_ error: ApprovalError) {
        switch error {
        case .invalidInput, .unknownExchange:
            self.init(.unprocessableContent, error.message)
        case .passphraseRequired, .passphraseNotAccepted:
            self.init(.badRequest, error.message)
        case .duplicateKey, .alreadyDecided, .notApproved, .requestOutdated:
            self.init(.conflict, error.message)
        case .keyNotFound:
            self.init(.notFound, "Exchange not found")
        case .userNotFound:
            self.init(.unauthorized, "User not found")
        case .userInactive:
            self.init(.forbidden, "Account is disabled")
        case .tooManyKeyChecks(let seconds):
            // API_KEY_SUBMIT_LIMIT, shared with the bot: a 429 like the request budget's, with its Retry-After.
            self.init(.tooManyRequests, error.message, headers: [.retryAfter: String(min(max(seconds, 1), 86_400))])
        case .validationFailed(let credentialError):
            self.init(Self.status(of: credentialError), error.message)
        case .secretUnreadable, .storageFailure:
            self.init(.internalServerError, error.message)
        }
    }

    /// Keys the exchange refused are the caller's to fix (422); an exchange that fails us is a gateway problem.
    static func status(of error: CredentialError) -> HTTPResponse.Status {
        switch error {
        case .timeout: .gatewayTimeout
        case .exchangeUnavailable, .unexpectedResponse, .rateLimited: .badGateway
        case .sandboxUnavailable: .badRequest
        default: .unprocessableContent
        }
    }
}
