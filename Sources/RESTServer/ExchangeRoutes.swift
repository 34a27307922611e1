import ExchangeBotCore
import Foundation
import Hummingbird

/// The seed's endpoints on the approval service: `/user/exchanges` for a user's own keys, `/admin/exchanges` for
/// decisions. Another user's key id answers 404, like an unknown id, so ids cannot be probed.
struct ExchangeRoutes {
    let service: ApprovalService

    func addUserRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.patch(":id/toggle", use: toggle)
        group.delete(":id", use: delete)
        group.put(":id", use: update)
    }

    func addAdminRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("pending", use: pending)
        group.post(":id/approve", use: approve)
        group.post(":id/reject", use: reject)
    }

    // MARK: - User

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<KeyResponse> {
        let user = try context.requireUser()
        let body = try await RequestBody.decode(CreateKeyRequest.self, from: request, context: context)!
        let submission = KeySubmission(
            exchange: body.exchangeName,
            label: body.label,
            apiKey: body.apiKey,
            apiSecret: SecretString(body.apiSecret),
            passphrase: body.passphrase.map(SecretString.init)
        )
        let key = try await service.addKey(submission, userID: user.id, by: context.caller)
        return JSONResponse(KeyResponse(key), status: .created)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> JSONListResponse<KeyResponse> {
        let user = try context.requireUser()
        return JSONListResponse(elements: try await service.keys(ofUser: user.id).map(KeyResponse.init))
    }

    @Sendable func toggle(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<OutcomeResponse>
    {
        let user = try context.requireUser()
        let id = try context.keyID()
        let body = try await RequestBody.decode(ToggleRequest.self, from: request, context: context, optional: true)
        let key =
            if let active = body?.isActive {
                try await service.setActive(keyID: id, userID: user.id, active: active, by: context.caller)
            } else {
                try await service.toggleActive(keyID: id, userID: user.id, by: context.caller)
            }
        let message = "Exchange \(key.isActive ? "activated" : "deactivated") successfully"
        return JSONResponse(OutcomeResponse(success: true, message: message, exchange: KeyResponse(key)))
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<OutcomeResponse>
    {
        let user = try context.requireUser()
        try await service.deleteKey(keyID: try context.keyID(), userID: user.id, by: context.caller)
        return JSONResponse(OutcomeResponse(success: true, message: "Exchange deleted successfully", exchange: nil))
    }

    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<KeyResponse> {
        let user = try context.requireUser()
        let id = try context.keyID()
        let body = try await RequestBody.decode(UpdateKeyRequest.self, from: request, context: context)!
        var credentials: KeySubmission?
        switch (body.apiKey, body.apiSecret) {
        case (nil, nil):
            guard body.passphrase == nil else {
                throw APIError(.unprocessableContent, "A new passphrase comes with a new api_key and api_secret")
            }
        case (let apiKey?, let apiSecret?):
            credentials = KeySubmission(
                exchange: "",
                label: "",
                apiKey: apiKey,
                apiSecret: SecretString(apiSecret),
                passphrase: body.passphrase.map(SecretString.init)
            )
        default:
            throw APIError(.unprocessableContent, "New credentials need both api_key and api_secret")
        }
        let key = try await service.updateKey(
            keyID: id,
            userID: user.id,
            label: body.label,
            credentials: credentials,
            by: context.caller
        )
        return JSONResponse(KeyResponse(key))
    }

    // MARK: - Admin

    @Sendable func pending(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<
        [PendingResponse]
    > {
        _ = try context.requireUser()
        return JSONResponse(try await service.pendingRequests().map(PendingResponse.init))
    }

    @Sendable func approve(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<OutcomeResponse>
    {
        _ = try context.requireUser()
        let id = try context.keyID()
        let body = try await RequestBody.decode(ApproveRequest.self, from: request, context: context, optional: true)
        let key = try await service.approve(keyID: id, by: context.caller, message: body?.notificationMessage)
        return JSONResponse(
            OutcomeResponse(success: true, message: "Exchange approved successfully", exchange: KeyResponse(key))
        )
    }

    @Sendable func reject(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<OutcomeResponse>
    {
        _ = try context.requireUser()
        let id = try context.keyID()
        let body = try await RequestBody.decode(RejectRequest.self, from: request, context: context)!
        let key = try await service.reject(keyID: id, by: context.caller, reason: body.reason)
        return JSONResponse(
            OutcomeResponse(success: true, message: "Exchange rejected successfully", exchange: KeyResponse(key))
        )
    }
}

extension APIRequestContext {
    func requireUser() throws -> User {
        guard let user else { throw APIError(.unauthorized, "Missing bearer token") }
        return user
    }

    /// The `{id}` path parameter; anything but a positive integer is an unknown key.
    func keyID() throws -> Int64 {
        guard let text = parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, "Exchange not found")
        }
        return id
    }
}
