import ExchangeBotCore
import Foundation
import Hummingbird

// The JSON shapes of the seed's FastAPI schemas (`ExchangeResponse`, `PendingExchangeResponse`, …), with
// snake_case keys. Fields this service adds (`api_key_masked`, `validation`) are extra keys old clients ignore.

/// `POST /user/exchanges/`.
struct CreateKeyRequest: Decodable {
    let exchangeName: String
    let label: String
    let apiKey: String
    let apiSecret: String
    let passphrase: String?

    enum CodingKeys: String, CodingKey {
        case exchangeName = "exchange_name"
        case label
        case apiKey = "api_key"
        case apiSecret = "api_secret"
        case passphrase
    }
}

/// `PUT /user/exchanges/{id}`: a new label, new credentials (key and secret together), or both.
///
/// `label` and `passphrase` may be null (unchanged); `api_key` and `api_secret` are strings when present, as the
/// document says: a null there is a wrong type (422), not a silent "unchanged".
struct UpdateKeyRequest: Decodable {
    let label: String?
    let apiKey: String?
    let apiSecret: String?
    let passphrase: String?

    enum CodingKeys: String, CodingKey {
        case label
        case apiKey = "api_key"
        case apiSecret = "api_secret"
        case passphrase
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        apiKey = container.contains(.apiKey) ? try container.decode(String.self, forKey: .apiKey) : nil
        apiSecret = container.contains(.apiSecret) ? try container.decode(String.self, forKey: .apiSecret) : nil
        passphrase = try container.decodeIfPresent(String.self, forKey: .passphrase)
    }
}

/// `PATCH /user/exchanges/{id}/toggle`: the seed's `{"is_active": bool}`; without a body the key flips.
struct ToggleRequest: Decodable {
    let isActive: Bool?

    enum CodingKeys: String, CodingKey {
        case isActive = "is_active"
    }
}

struct ApproveRequest: Decodable {
    let notificationMessage: String?

    enum CodingKeys: String, CodingKey {
        case notificationMessage = "notification_message"
    }
}

struct RejectRequest: Decodable {
    let reason: String
}

/// A key as the API shows it: never its secret or passphrase, and its API key only masked.
struct KeyResponse: Encodable {
    let id: Int64
    let userID: Int64
    let exchangeName: String
    let label: String
    let status: String
    let isActive: Bool
    let errorMessage: String?
    let createdAt: String?
    let updatedAt: String?
    let apiKeyMasked: String

    init(_ key: ExchangeKey) {
        id = key.id
        userID = key.userID
        exchangeName = key.exchangeName
        label = key.label
        status = key.status.rawValue
        isActive = key.isActive
        errorMessage = key.errorMessage
        createdAt = key.createdAt.flatMap(APIDate.format)
        updatedAt = key.updatedAt.flatMap(APIDate.format)
        apiKeyMasked = key.maskedAPIKey
    }

    enum CodingKeys: String, CodingKey {
        case id
        case userID = "user_id"
        case exchangeName = "exchange_name"
        case label, status
        case isActive = "is_active"
        case errorMessage = "error_message"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case apiKeyMasked = "api_key_masked"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(userID, forKey: .userID)
        try container.encode(exchangeName, forKey: .exchangeName)
        try container.encode(label, forKey: .label)
        try container.encode(status, forKey: .status)
        try container.encode(isActive, forKey: .isActive)
        // The seed's schema has these keys even when null.
        try container.encode(errorMessage, forKey: .errorMessage)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(apiKeyMasked, forKey: .apiKeyMasked)
    }
}

/// `GET /admin/exchanges/pending`.
struct PendingResponse: Encodable {
    let id: Int64
    let userID: Int64
    let userUsername: String
    let userEmail: String?
    let exchangeName: String
    let label: String
    let createdAt: String?
    let apiKeyMasked: String
    let validation: ValidationReport?

    init(_ request: PendingRequest) {
        id = request.key.id
        userID = request.key.userID
        userUsername = request.owner.username ?? "Unknown"
        userEmail = request.owner.email
        exchangeName = request.key.exchangeName
        label = request.key.label
        createdAt = request.key.createdAt.flatMap(APIDate.format)
        apiKeyMasked = request.key.maskedAPIKey
        validation = request.report
    }

    enum CodingKeys: String, CodingKey {
        case id
        case userID = "user_id"
        case userUsername = "user_username"
        case userEmail = "user_email"
        case exchangeName = "exchange_name"
        case label
        case createdAt = "created_at"
        case apiKeyMasked = "api_key_masked"
        case validation
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(userID, forKey: .userID)
        try container.encode(userUsername, forKey: .userUsername)
        try container.encode(userEmail, forKey: .userEmail)
        try container.encode(exchangeName, forKey: .exchangeName)
        try container.encode(label, forKey: .label)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(apiKeyMasked, forKey: .apiKeyMasked)
        try container.encode(validation, forKey: .validation)
    }
}

/// `{"success": true, "message": "...", "exchange": {...}}`, the seed's answer to toggle, approve and reject.
struct OutcomeResponse: Encodable {
    let success: Bool
    let message: String
    let exchange: KeyResponse?
}

/// Dates as FastAPI writes the seed's naive UTC datetimes: `2024-01-02T03:04:05.123456`; `nil` (JSON `null`) for
/// a date no `datetime` can hold.
enum APIDate {
    static func format(_ date: Date) -> String? {
        NaiveUTCDate.format(date, separator: "T")
    }
}

/// A JSON response with a status.
struct JSONResponse<Body: Encodable>: ResponseGenerator {
    let status: HTTPResponse.Status
    let body: Body

    init(_ body: Body, status: HTTPResponse.Status = .ok) {
        self.status = status
        self.body = body
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        return Response(status: status, headers: .apiJSON, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPFields {
    /// The headers of every JSON answer of the API. Every answer is one user's (their keys, a one-time link code):
    /// no cache or proxy may keep it.
    static var apiJSON: HTTPFields { [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"] }
}
