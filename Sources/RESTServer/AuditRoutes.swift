import ExchangeBotCore
import Foundation
import Hummingbird

/// `GET /admin/audit`: the audit log for admins, newest first, filtered by key, user and time, paged by an opaque
/// cursor. Admin only (the group's ``BearerAuthMiddleware`` requires `users.is_admin`); a bad parameter is a 422.
struct AuditRoutes {
    let service: ApprovalService

    func add(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> JSONResponse<AuditPageResponse>
    {
        _ = try context.requireUser()
        let parameters = request.uri.queryParameters
        let query = try AuditParameters.query { parameters[$0[...]].map(String.init) }
        return JSONResponse(AuditPageResponse(try await service.auditTrail(query)))
    }
}

/// Reads the query string into an ``AuditQuery``. A parameter left out is no filter; one given must read, an empty
/// value included (it is no integer, date or cursor), or it is refused with the parameter named.
enum AuditParameters {
    /// - Parameter value: The query string's value of a parameter, if it is there.
    static func query(_ value: (String) -> String?) throws -> AuditQuery {
        AuditQuery(
            keyID: try value("key_id").map { try positive($0, name: "key_id") },
            userID: try value("user_id").map { try positive($0, name: "user_id") },
            since: try value("since").map(date),
            limit: try value("limit").map(limit) ?? AuditQuery.defaultLimit,
            before: try value("cursor").map(cursor)
        )
    }

    static func positive(_ text: String, name: String) throws -> Int64 {
        guard let number = Int64(text), number > 0 else {
            throw APIError(.unprocessableContent, "\(name) must be a positive integer")
        }
        return number
    }

    static func limit(_ text: String) throws -> Int {
        guard let number = Int(text), (1...AuditQuery.maximumLimit).contains(number) else {
            throw APIError(.unprocessableContent, "limit must be an integer from 1 to \(AuditQuery.maximumLimit)")
        }
        return number
    }

    static func cursor(_ text: String) throws -> Int64 {
        guard let rowID = AuditCursor.decode(text) else {
            throw APIError(.unprocessableContent, "cursor is not one this API returned as next_cursor")
        }
        return rowID
    }

    /// An RFC 3339 date-time or a date (see ``RFC3339Date``). A moment outside the dates the database holds is
    /// moved to the nearest it holds: `since` year 1 reads everything, `since` year 9999 nothing.
    static func date(_ text: String) throws -> Date {
        guard let parsed = RFC3339Date.parse(text) else {
            throw APIError(
                .unprocessableContent,
                "since must be an RFC 3339 date-time (2026-01-31T12:00:00Z) or a date (2026-01-31)"
            )
        }
        let range = NaiveUTCDate.range
        return Date(timeIntervalSince1970: min(max(parsed.timeIntervalSince1970, range.lowerBound), range.upperBound))
    }
}

/// `{"entries": [...], "next_cursor": "..." | null}`.
struct AuditPageResponse: Encodable {
    let entries: [AuditEntryResponse]
    let nextCursor: String?

    init(_ page: AuditPage) {
        entries = page.records.map(AuditEntryResponse.init)
        nextCursor = page.nextCursor.map(AuditCursor.encode)
    }

    enum CodingKeys: String, CodingKey {
        case entries
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// One audit row: what happened (`action`, `outcome`, `detail`), to which key and whose (`key_id`, `user_id`),
/// who did it and from where (`actor`, `channel`), and when (`time`, ISO 8601 UTC). Absent values are `null`.
struct AuditEntryResponse: Encodable {
    let record: AuditRecord

    enum CodingKeys: String, CodingKey {
        case id, time, action, outcome, actor, channel, detail
        case keyID = "key_id"
        case userID = "user_id"
    }

    enum ActorKeys: String, CodingKey {
        case name
        case userID = "user_id"
        case telegramID = "telegram_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(record.at.formatted(.iso8601), forKey: .time)
        try container.encode(record.action, forKey: .action)
        try container.encode(record.outcome, forKey: .outcome)
        try container.encode(record.keyID, forKey: .keyID)
        try container.encode(record.ownerID, forKey: .userID)
        var actor = container.nestedContainer(keyedBy: ActorKeys.self, forKey: .actor)
        try actor.encode(record.actorName, forKey: .name)
        try actor.encode(record.actorUserID, forKey: .userID)
        try actor.encode(record.actorTelegramID, forKey: .telegramID)
        try container.encode(record.channel.rawValue, forKey: .channel)
        try container.encode(record.detail, forKey: .detail)
    }
}
