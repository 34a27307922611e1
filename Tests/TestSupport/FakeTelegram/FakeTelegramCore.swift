import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A Telegram error answer: the envelope's `error_code` (also the HTTP status), `description` and `parameters`.
struct FakeTelegramFailure: Error {
    var code: Int
    var description: String
    var parameters: [String: FakeTelegramValue] = [:]

    static func badRequest(_ text: String) -> FakeTelegramFailure {
        FakeTelegramFailure(code: 400, description: "Bad Request: " + text)
    }

    static let chatNotFound = badRequest("chat not found")
    static let unauthorized = FakeTelegramFailure(code: 401, description: "Unauthorized")
    static let notFound = FakeTelegramFailure(code: 404, description: "Not Found")
    static let methodNotFound = FakeTelegramFailure(code: 404, description: "Not Found: method not found")
    static let queryTooOld = badRequest(
        "query is too old and response timeout expired or query ID is invalid"
    )
    static let pollConflict = FakeTelegramFailure(
        code: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )

    static func tooManyRequests(retryAfter: Int) -> FakeTelegramFailure {
        FakeTelegramFailure(
            code: 429,
            description: "Too Many Requests: retry after \(retryAfter)",
            parameters: ["retry_after": .integer(Int64(retryAfter))]
        )
    }

    static func migrated(to chatID: Int64) -> FakeTelegramFailure {
        FakeTelegramFailure(
            code: 400,
            description: "Bad Request: group chat was upgraded to a supergroup chat",
            parameters: ["migrate_to_chat_id": .integer(chatID)]
        )
    }

    var envelope: String {
        var text = "{\"ok\":false,\"error_code\":\(code),\"description\":"
        FakeJSONText.writeString(description, to: &text)
        if !parameters.isEmpty { text += ",\"parameters\":" + FakeTelegramValue.object(parameters).json }
        return text + "}"
    }
}

/// Everything the fake knows, behind one lock.
struct FakeTelegramState {
    struct ChatRecord {
        var chat: FakeChat
        var migratedTo: Int64?
        var nextMessageID = 1
        var members: [Int64: FakeChatMemberStatus] = [:]
        /// Administrators' rights (`can_manage_chat`, …) where a test set them; others have all the usual ones.
        var rights: [Int64: Set<String>] = [:]
        var messages: [FakeSentMessage] = []
    }

    struct QueuedUpdate {
        var id: Int
        /// The update kind (`message`, `callback_query`, …); nil for raw text that is not a JSON object.
        var kind: String?
        var json: String
        /// What orders webhook posts: the update's chat (see ``FakeTelegramCore/lane(ofUpdate:id:)``).
        var lane: String
    }

    struct CallbackRecord {
        var query: FakeCallbackQuery
        /// Seconds since the fake started, on the monotonic clock.
        var created: Double
    }

    /// Kinds Telegram leaves out unless `allowed_updates` names them.
    static let optInKinds: Set<String> = ["chat_member", "message_reaction", "message_reaction_count"]

    var chats: [Int64: ChatRecord] = [:]
    var users: [Int64: FakeUser] = [:]
    var updates: [QueuedUpdate] = []
    var nextUpdateID: Int
    var confirmedOffset = 0
    /// nil: Telegram's default set.
    var allowedUpdates: Set<String>?
    var pollGeneration = 0
    var pollsInProgress = 0
    var stopping = false
    var calls: [FakeTelegramCall] = []
    /// Keyed by lowercased method; "" holds faults for any method.
    var faults: [String: [FakeTelegramFault]] = [:]
    var callbackQueries: [String: CallbackRecord] = [:]
    var callbackOrder: [String] = []
    var nextCallbackSerial: UInt64 = 0
    var commandSets: [FakeCommandSet] = []
    /// `setMyDescription` and `setMyShortDescription`, keyed "description:<language>" and
    /// "short_description:<language>".
    var descriptions: [String: String] = [:]
    var rateLimiter: FakeTelegramRateLimiter?
    var tooManyRequestsServed = 0
    var callbackQueryTimeout: Double
    var rejectsBareAmpersand: Bool
    /// Set by setWebhook: getUpdates is refused and updates are posted to it instead.
    var webhook: FakeWebhook?
    /// Where posts go instead of the registered URL's origin, in turn (a load balancer in front of instances).
    var webhookOrigins: [URL] = []
    /// Posts made per lane: a chat's posts go to the origins in turn.
    var webhookPostCounts: [String: Int] = [:]
    var webhookLanesInFlight: Set<String> = []
    var webhookAttempts: [Int: Int] = [:]
    /// When a refused post may be tried again (the real clock: a test's frozen one must not stop retries).
    var webhookRetryAt: [Int: ContinuousClock.Instant] = [:]
    var webhookDeliveries: [FakeWebhookDelivery] = []

    init(options: FakeTelegramOptions) {
        nextUpdateID = options.firstUpdateID
        callbackQueryTimeout = options.callbackQueryTimeout
        rejectsBareAmpersand = options.rejectsBareAmpersand
    }

    func allows(kind: String?) -> Bool {
        guard let kind else { return true }
        if let allowedUpdates { return allowedUpdates.contains(kind) }
        return !Self.optInKinds.contains(kind)
    }

    /// Queues an update unless the bot's `allowed_updates` filters its kind out (Telegram never creates those).
    @discardableResult
    mutating func enqueue(kind: String?, payload: (Int) -> String) -> Int? {
        guard allows(kind: kind) else { return nil }
        let id = nextUpdateID
        nextUpdateID += 1
        let json = payload(id)
        updates.append(
            QueuedUpdate(id: id, kind: kind, json: json, lane: FakeTelegramCore.lane(ofUpdate: json, id: id))
        )
        return id
    }

    mutating func register(_ chat: FakeChat) {
        if chats[chat.id] == nil {
            chats[chat.id] = ChatRecord(chat: chat)
        } else {
            chats[chat.id]?.chat = chat
        }
    }

    mutating func register(_ user: FakeUser) { users[user.id] = user }
}

/// The part of the server the HTTP responder holds: state and rules, available before the port is known.
final class FakeTelegramCore: Sendable {
    let token: String
    let bot: FakeUser
    let state: Mutex<FakeTelegramState>
    let signal = FakeTelegramSignal()
    private let epoch = ContinuousClock.now

    /// Requests bigger than this are refused; bots send small forms and JSON.
    private static let maximumBody = 1 << 20

    /// Parameters Telegram documents as "JSON-serialized": decoded from form text so every encoding records alike.
    static let jsonParameters: Set<String> = [
        "reply_markup", "reply_parameters", "link_preview_options", "entities", "caption_entities", "scope",
        "commands", "allowed_updates", "media", "results", "options", "permissions",
    ]

    init(token: String, options: FakeTelegramOptions) {
        self.token = token
        let botID = Int64(token.split(separator: ":").first ?? "") ?? 1
        self.bot = FakeUser(
            id: botID,
            firstName: options.botFirstName,
            username: options.botUsername,
            languageCode: nil,
            isBot: true
        )
        self.state = Mutex(FakeTelegramState(options: options))
    }

    /// Set by a test that steps time itself (``FakeTelegramServer/freezeClock()``): timing checks then do not
    /// depend on how busy the machine is.
    private let frozenElapsed = Mutex<Double?>(nil)

    /// Seconds since start on the monotonic clock (or the frozen clock), for rate limits and callback expiry.
    func elapsed() -> Double {
        if let frozen = frozenElapsed.withLock({ $0 }) { return frozen }
        let duration = ContinuousClock.now - epoch
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Freezes at the next whole second, so that window arithmetic on the frozen time is exact (`t + 60 - t` is
    /// 60 only for such `t`; the `retry_after` rounded up from it would otherwise be 61).
    func freezeClock() {
        let now = elapsed().rounded(.up)
        frozenElapsed.withLock { $0 = now }
    }

    func advanceClock(by seconds: Double) {
        frozenElapsed.withLock { $0 = ($0 ?? 0) + seconds }
    }

    /// Changes state and wakes long polls and `waitUntil` callers.
    func mutate<T>(_ body: (inout FakeTelegramState) -> T) -> T {
        let result = state.withLock { state in body(&state) }
        signal.notify()
        return result
    }

    // MARK: HTTP

    func respond(to request: Request) async -> Response {
        let received = Date()
        var request = request
        let body = (try? await request.collectBody(upTo: Self.maximumBody)) ?? ByteBuffer()
        let path = request.uri.path
        var methodName = path
        var parameters: [String: FakeTelegramValue] = [:]
        let failure: FakeTelegramFailure?
        var resultJSON = ""
        var instance: String?
        var garbled = false
        do {
            let (requestToken, method, prefix) = try Self.route(path)
            methodName = method
            instance = prefix
            let parsed = Result {
                try Self.parameters(
                    query: request.uri.query,
                    contentType: request.headers[.contentType],
                    body: Array(buffer: body)
                )
            }
            parameters = (try? parsed.get()) ?? [:]
            try authorize(requestToken)
            _ = try parsed.get()
            resultJSON = try await handle(method: method, parameters: FakeTelegramParameters(parameters))
            failure = nil
        } catch let error as FakeTelegramFailure {
            failure = error
        } catch let error as GarbledSuccess {
            resultJSON = error.resultJSON
            garbled = true
            failure = nil
        } catch {
            failure = FakeTelegramFailure(code: 500, description: "Internal Server Error: \(error)")
        }
        let call = FakeTelegramCall(
            method: methodName,
            httpMethod: request.method.rawValue,
            parameters: parameters,
            time: received,
            outcome: failure.map { .failure(code: $0.code, description: $0.description) }
                ?? .success(resultJSON: resultJSON),
            instance: instance
        )
        mutate { state in
            state.calls.append(call)
            if failure?.code == 429 { state.tooManyRequestsServed += 1 }
        }
        if let failure { return Self.response(failure) }
        if garbled { return Self.response(status: 200, body: "<html><body>OK</body></html>", contentType: "text/html") }
        return Self.response(status: 200, body: "{\"ok\":true,\"result\":" + resultJSON + "}")
    }

    /// Splits `/bot<token>/<method>`, or `/<instance>/bot<token>/<method>` (a test gives each process of a
    /// deployment its own `TELEGRAM_API_URL` path, so the call log says who called); other paths are Telegram's
    /// bare 404.
    static func route(_ path: String) throws -> (token: String, method: String, instance: String?) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var instance: String?
        if segments.count == 4, segments[0].isEmpty, !segments[1].isEmpty, !segments[1].hasPrefix("bot") {
            instance = String(segments.remove(at: 1))
        }
        guard segments.count == 3, segments[0].isEmpty, segments[1].hasPrefix("bot"), !segments[2].isEmpty else {
            throw FakeTelegramFailure.notFound
        }
        let token = String(segments[1].dropFirst(3))
        return (token.removingPercentEncoding ?? token, String(segments[2]), instance)
    }

    /// A well-formed but wrong token is 401; a malformed one never reaches a bot, so the front end says 404.
    private func authorize(_ requestToken: String) throws {
        guard requestToken != token else { return }
        let parts = requestToken.split(separator: ":", omittingEmptySubsequences: false)
        let wellFormed =
            parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy(\.isASCII) && parts[0].allSatisfy(\.isNumber)
            && !parts[1].isEmpty
            && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        throw wellFormed ? FakeTelegramFailure.unauthorized : FakeTelegramFailure.notFound
    }

    /// Query string, then the body (form or JSON) on top, as the Bot API merges them.
    static func parameters(query: String?, contentType: String?, body: [UInt8]) throws -> [String: FakeTelegramValue] {
        var values: [String: FakeTelegramValue] = [:]
        if let query { values.merge(formFields(query), uniquingKeysWith: { _, new in new }) }
        let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if type == "application/json", !body.isEmpty {
            guard case .object(let members) = FakeTelegramValue.parse(String(decoding: body, as: UTF8.self)) else {
                throw FakeTelegramFailure.badRequest("can't parse JSON object")
            }
            // An encoder's `null` for an absent optional means "not given", not "malformed".
            values.merge(members.filter { $0.value != .null }, uniquingKeysWith: { _, new in new })
        } else if type == "application/x-www-form-urlencoded" {
            values.merge(formFields(String(decoding: body, as: UTF8.self)), uniquingKeysWith: { _, new in new })
        }
        for name in jsonParameters {
            if case .string(let text) = values[name], let decoded = FakeTelegramValue.parse(text) {
                values[name] = decoded
            }
        }
        return values
    }

    static func formFields(_ text: String) -> [String: FakeTelegramValue] {
        var fields: [String: FakeTelegramValue] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            guard !name.isEmpty else { continue }
            fields[name] = .string(parts.count > 1 ? decode(parts[1]) : "")
        }
        return fields
    }

    static func response(_ failure: FakeTelegramFailure) -> Response {
        var headers: [(String, String)] = []
        if failure.code == 429, let retryAfter = failure.parameters["retry_after"]?.int64Value {
            headers.append(("Retry-After", String(retryAfter)))
        }
        if failure.code >= 502 && failure.code <= 504 {
            let phrase = reasonPhrase(failure.code)
            let page =
                "<html>\r\n<head><title>\(failure.code) \(phrase)</title></head>\r\n<body>\r\n"
                + "<center><h1>\(failure.code) \(phrase)</h1></center>\r\n<hr><center>nginx</center>\r\n"
                + "</body>\r\n</html>\r\n"
            return response(status: failure.code, body: page, contentType: "text/html")
        }
        return response(status: failure.code, body: failure.envelope, headers: headers)
    }

    static func response(
        status: Int,
        body: String,
        contentType: String = "application/json",
        headers extra: [(String, String)] = []
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        for (name, value) in extra {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: status, reasonPhrase: reasonPhrase(status)),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Error"
        }
    }

    // MARK: Dispatch

    /// Lowercased method names the fake implements; anything else is "method not found".
    static let methods: Set<String> = [
        "getme", "deletewebhook", "getwebhookinfo", "setwebhook", "getupdates", "sendmessage", "editmessagetext",
        "editmessagereplymarkup", "deletemessage", "answercallbackquery", "getchatmember", "setmycommands",
        "getmycommands", "deletemycommands", "sendchataction", "setmydescription", "setmyshortdescription",
    ]

    private func handle(method: String, parameters: FakeTelegramParameters) async throws -> String {
        let key = method.lowercased()
        guard Self.methods.contains(key) else { throw FakeTelegramFailure.methodNotFound }
        let fault = takeFault(for: key)
        if let fault, let failure = Self.failure(for: fault) { throw failure }
        if key == "getupdates" { return try await getUpdates(parameters) }
        let now = elapsed()
        let result = try mutate { state -> Result<String, any Error> in
            Result { try handleSynchronously(key, parameters, state: &state, now: now) }
        }.get()
        if fault == .garbledSuccess { throw GarbledSuccess(resultJSON: result) }
        return result
    }

    /// A call handled, whose answer ``respond(to:)`` garbles (``FakeTelegramFault/garbledSuccess``).
    private struct GarbledSuccess: Error {
        let resultJSON: String
    }

    private func takeFault(for key: String) -> FakeTelegramFault? {
        state.withLock { state -> FakeTelegramFault? in
            if var queue = state.faults[key], !queue.isEmpty {
                let fault = queue.removeFirst()
                state.faults[key] = queue
                return fault
            }
            // A poller runs all the time: faults meant for "the next call" would mostly land on getUpdates.
            if key != "getupdates", var queue = state.faults[""], !queue.isEmpty {
                let fault = queue.removeFirst()
                state.faults[""] = queue
                return fault
            }
            return nil
        }
    }

    static func failure(for fault: FakeTelegramFault) -> FakeTelegramFailure? {
        switch fault {
        case .tooManyRequests(let retryAfter): .tooManyRequests(retryAfter: retryAfter)
        case .serverError(let status):
            FakeTelegramFailure(
                code: status,
                description: status == 500 ? "Internal Server Error: restart" : "\(reasonPhrase(status))"
            )
        case .blocked: FakeTelegramFailure(code: 403, description: "Forbidden: bot was blocked by the user")
        case .migrated(let chatID): .migrated(to: chatID)
        case .error(let code, let description): FakeTelegramFailure(code: code, description: description)
        // Not a failure: the call is handled, and only its answer is garbled.
        case .garbledSuccess: nil
        }
    }

    private func handleSynchronously(
        _ key: String,
        _ parameters: FakeTelegramParameters,
        state: inout FakeTelegramState,
        now: Double
    ) throws -> String {
        switch key {
        case "getme": return getMe()
        case "deletewebhook":
            if parameters.bool("drop_pending_updates") { state.updates.removeAll() }
            state.webhook = nil
            return "true"
        case "getwebhookinfo": return webhookInfo(state: state)
        case "setwebhook": return try setWebhook(parameters, state: &state)
        case "sendmessage": return try sendMessage(parameters, state: &state, now: now)
        case "editmessagetext": return try editMessageText(parameters, state: &state)
        case "editmessagereplymarkup": return try editMessageReplyMarkup(parameters, state: &state)
        case "deletemessage": return try deleteMessage(parameters, state: &state)
        case "answercallbackquery": return try answerCallbackQuery(parameters, state: &state, now: now)
        case "getchatmember": return try getChatMember(parameters, state: &state)
        case "setmycommands": return try setMyCommands(parameters, state: &state)
        case "getmycommands": return try getMyCommands(parameters, state: &state)
        case "deletemycommands": return try deleteMyCommands(parameters, state: &state)
        case "sendchataction": return try sendChatAction(parameters, state: &state)
        case "setmydescription":
            return try setDescription(parameters, kind: "description", limit: 512, state: &state)
        case "setmyshortdescription":
            return try setDescription(parameters, kind: "short_description", limit: 120, state: &state)
        default: throw FakeTelegramFailure.methodNotFound
        }
    }
}

/// Request parameters with Telegram's lenient typing: every scalar may arrive as text.
struct FakeTelegramParameters {
    let values: [String: FakeTelegramValue]

    init(_ values: [String: FakeTelegramValue]) { self.values = values }

    subscript(name: String) -> FakeTelegramValue? { values[name] }

    func string(_ name: String) -> String? {
        switch values[name] {
        case .string(let text): text
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    func int64(_ name: String) -> Int64? { values[name]?.int64Value }
    func int(_ name: String) -> Int? { values[name]?.intValue }
    func double(_ name: String) -> Double? { values[name]?.doubleValue }
    func bool(_ name: String) -> Bool { values[name]?.boolValue ?? false }
}

/// Wakes long polls and `waitUntil` callers when state changes, without spinning.
///
/// A waiter passes the version it saw together with the state it checked; a change after that resumes it at once,
/// so no notification is lost between checking and sleeping.
final class FakeTelegramSignal: Sendable {
    private struct Waiters {
        var version: UInt64 = 0
        var nextID: UInt64 = 0
        var pending: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var fired: Set<UInt64> = []
    }

    private let waiters = Mutex(Waiters())

    var version: UInt64 { waiters.withLock { $0.version } }

    func notify() {
        let resumed = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            waiters.version &+= 1
            let all = Array(waiters.pending.values)
            waiters.pending.removeAll()
            return all
        }
        for continuation in resumed { continuation.resume() }
    }

    /// Returns after a change past `seen`, at `deadline`, or when the task is cancelled.
    func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        let id = waiters.withLock { waiters -> UInt64 in
            waiters.nextID &+= 1
            return waiters.nextID
        }
        let timer = Task {
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
            self.fire(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = waiters.withLock { waiters -> Bool in
                    if waiters.fired.remove(id) != nil || waiters.version != seen { return true }
                    waiters.pending[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            fire(id)
        }
        timer.cancel()
        waiters.withLock { waiters in _ = waiters.fired.remove(id) }
    }

    private func fire(_ id: UInt64) {
        let continuation = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
            if let continuation = waiters.pending.removeValue(forKey: id) { return continuation }
            waiters.fired.insert(id)
            return nil
        }
        continuation?.resume()
    }
}
