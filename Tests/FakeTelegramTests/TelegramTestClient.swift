import Foundation
import TestSupport

/// An HTTP/1.1 answer as the test client read it.
struct TelegramTestResponse: Sendable {
    var status: Int
    /// Header values by lowercased name.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: FakeTelegramValue? { FakeTelegramValue.parse(text) }
    var ok: Bool? { json?["ok"]?.boolValue }
    var result: FakeTelegramValue? { json?["result"] }
    var errorCode: Int? { json?["error_code"]?.intValue }
    var description: String? { json?["description"]?.stringValue }
    var parameters: FakeTelegramValue? { json?["parameters"] }
}

/// The shared loopback client, answering with the fake's JSON values.
enum TelegramTestHTTP {
    static func send(
        to base: URL,
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: String = "",
        timeout: Double = 15
    ) async throws -> TelegramTestResponse {
        let response = try await LoopbackHTTPClient.send(
            to: base,
            method,
            target,
            headers: headers,
            body: body,
            timeout: timeout
        )
        return TelegramTestResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

/// The bot's side of the conversation: Bot API calls in each of the encodings Telegram accepts.
struct BotClient: Sendable {
    let server: FakeTelegramServer
    var token: String

    init(_ server: FakeTelegramServer, token: String? = nil) {
        self.server = server
        self.token = token ?? server.token
    }

    /// POST with an `application/json` body.
    func call(_ method: String, _ parameters: FakeTelegramValue = [:], timeout: Double = 15) async throws
        -> TelegramTestResponse
    {
        try await TelegramTestHTTP.send(
            to: server.baseURL,
            "POST",
            "/bot\(token)/\(method)",
            headers: [("Content-Type", "application/json")],
            body: parameters.json,
            timeout: timeout
        )
    }

    /// POST with an `application/x-www-form-urlencoded` body.
    func form(_ method: String, _ fields: [(String, String)]) async throws -> TelegramTestResponse {
        try await TelegramTestHTTP.send(
            to: server.baseURL,
            "POST",
            "/bot\(token)/\(method)",
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Self.encode(fields)
        )
    }

    /// GET with the parameters in the query string.
    func query(_ method: String, _ fields: [(String, String)]) async throws -> TelegramTestResponse {
        try await TelegramTestHTTP.send(to: server.baseURL, "GET", "/bot\(token)/\(method)?" + Self.encode(fields))
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }

    /// sendMessage with the usual parameters; `markup` is the reply_markup object.
    func send(
        _ chat: Int64,
        _ text: String,
        html: Bool = true,
        markup: FakeTelegramValue? = nil
    ) async throws -> TelegramTestResponse {
        var parameters: [String: FakeTelegramValue] = ["chat_id": .integer(chat), "text": .string(text)]
        if html { parameters["parse_mode"] = "HTML" }
        if let markup { parameters["reply_markup"] = markup }
        return try await call("sendMessage", .object(parameters))
    }
}

/// The people and chats the tests play.
enum Cast {
    static let token = "123456789:AAE-test_token-Secret"
    static let alice = FakeUser(id: 1001, firstName: "Alice", username: "alice", languageCode: "en")
    static let boris = FakeUser(id: 1002, firstName: "Борис", username: "boris", languageCode: "ru")
    static let admin = FakeUser(id: 1003, firstName: "Ada", lastName: "Admin", username: "ada")
    static let aliceChat = FakeChat.privateChat(with: alice)
    static let borisChat = FakeChat.privateChat(with: boris)
    static let adminGroup = FakeChat.supergroup(id: -1_001_234_567_890, title: "Approvals", username: "approvals")
    static let basicGroup = FakeChat.group(id: -4001, title: "Old approvals")

    /// A one-row inline keyboard with one callback button.
    static func keyboard(_ caption: String, data: String) -> FakeTelegramValue {
        ["inline_keyboard": [[["text": .string(caption), "callback_data": .string(data)]]]]
    }
}

/// Runs `body` against a fresh fake, stopping it afterwards even when the body throws.
func withTelegram(
    options: FakeTelegramOptions = .init(),
    _ body: (FakeTelegramServer, BotClient) async throws -> Void
) async throws {
    let server = try await FakeTelegramServer.start(token: Cast.token, options: options)
    do {
        try await body(server, BotClient(server))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}
