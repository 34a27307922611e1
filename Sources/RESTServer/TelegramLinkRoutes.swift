import ExchangeBotCore
import Foundation
import Hummingbird

/// `/user/telegram-link`: a logged-in user links their Telegram account to their account with a one-time code
/// (`POST`), sees whether one is linked (`GET`: the Telegram id and username only) and undoes it (`DELETE`).
///
/// `DELETE` is idempotent: with nothing linked it answers 200 and `"linked": false`, like after an unlink; a link
/// the platform made (`users.telegram_id`) is not the service's to undo and answers 409.
struct TelegramLinkRoutes {
    let linking: AccountLinking?
    /// The bot's `@username` (from `getMe` while the bot runs, else `TELEGRAM_BOT_USERNAME`), for the deep link.
    let botUsername: @Sendable () -> String?

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post(use: issue)
        group.get(use: show)
        group.delete(use: unlink)
    }

    @Sendable func issue(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<LinkCodeResponse>
    {
        let user = try context.requireUser()
        let issued = try await requireLinking().issue(for: user.id, by: context.caller)
        return JSONResponse(
            LinkCodeResponse(
                code: issued.code,
                url: botUsername().map { AccountLinking.deepLink(botUsername: $0, code: issued.code) },
                expiresAt: APIDate.format(issued.expiresAt)
            ),
            status: .created
        )
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<LinkStatusResponse>
    {
        let user = try context.requireUser()
        return JSONResponse(LinkStatusResponse(try await requireLinking().telegramLink(ofUser: user.id)))
    }

    @Sendable func unlink(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<
        LinkStatusResponse
    > {
        let user = try context.requireUser()
        switch try await requireLinking().unlink(.user(user.id), by: context.caller) {
        case .unlinked, .notLinked:
            return JSONResponse(LinkStatusResponse(nil))
        case .platformLink:
            throw APIError(.conflict, "This Telegram link is managed by the platform and cannot be removed here")
        }
    }

    private func requireLinking() throws -> AccountLinking {
        guard let linking else { throw APIError(.serviceUnavailable, "Linking Telegram accounts is not available") }
        return linking
    }
}

/// `POST /user/telegram-link`: the one-time code, the deep link that opens it in the bot (`null` while the bot's
/// username is unknown), and when it expires.
struct LinkCodeResponse: Encodable {
    let code: String
    let url: String?
    let expiresAt: String?

    enum CodingKeys: String, CodingKey {
        case code, url
        case expiresAt = "expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(url, forKey: .url)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

/// `GET` and `DELETE /user/telegram-link`: whether a Telegram account is linked, and which (id and username only).
struct LinkStatusResponse: Encodable {
    let link: TelegramLink?

    init(_ link: TelegramLink?) {
        self.link = link
    }

    enum CodingKeys: String, CodingKey {
        case linked
        case telegramID = "telegram_id"
        case telegramUsername = "telegram_username"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(link != nil, forKey: .linked)
        try container.encode(link?.telegramID, forKey: .telegramID)
        try container.encode(link?.telegramUsername, forKey: .telegramUsername)
    }
}
