import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import RESTServer
import TestSupport
import Testing

/// The REST API on a real approval service and in-memory SQLite store, with a fake exchange validator.
struct APIHarness {
    static let secretKey = "test-secret-key"
    let services: ServiceHarness
    let authority = BearerTokenAuthority(secretKey: APIHarness.secretKey, maxAge: 3600)
    let logs = InMemoryLogHandler()
    let rateLimit: (requests: Int, perSeconds: Int)
    let trustedProxies: [IPAddressRange]
    let limits: ConnectionLimits
    /// The service the routes use: the harness's, or one with a key-check budget.
    let service: ApprovalService
    /// `/user/telegram-link`'s service: on the harness's SQLite store, or on `links`.
    let linking: AccountLinking?
    let botUsername: String?

    init(
        rateLimit: (requests: Int, perSeconds: Int) = (10_000, 60),
        trustedProxies: [IPAddressRange] = [],
        keyCheckBudget: KeyCheckBudget? = nil,
        limits: ConnectionLimits = ConnectionLimits(),
        links: ((SQLiteExchangeStore) -> (any AccountLinkStore)?)? = nil,
        botUsername: String? = nil
    ) throws {
        services = try ServiceHarness()
        self.rateLimit = rateLimit
        self.trustedProxies = trustedProxies
        self.limits = limits
        service = ApprovalService(
            store: services.store,
            validator: services.validator,
            notifier: services.notifier,
            clock: services.clock,
            keyCheckBudget: keyCheckBudget
        )
        let store = services.store
        let clock = services.clock
        linking = (links ?? { $0 })(store).map { links in
            AccountLinking(links: links, users: store, codes: LinkCodes(), clock: clock)
        }
        self.botUsername = botUsername
    }

    var dependencies: APIDependencies {
        APIDependencies(
            service: service,
            store: services.store,
            authority: authority,
            rateLimit: rateLimit,
            trustedProxies: trustedProxies,
            linking: linking,
            botUsername: { [botUsername] in botUsername }
        )
    }

    /// The operations routes' view of the service: a database that answers, no bot.
    var ops: OpsDependencies {
        OpsDependencies(
            databaseIsReachable: { true },
            botState: { "disabled" },
            role: { "single" },
            metrics: { Array("# no metrics in this harness\n".utf8) }
        )
    }

    var logger: Logger { Logger(label: "api-test") { _ in logs } }

    var application: some ApplicationProtocol {
        Application(router: APIServer.router(dependencies, ops: ops, logger: logger), logger: logger)
    }

    /// The application as `run` serves it: real sockets, with the connection limits.
    var served: some ApplicationProtocol {
        APIServer.application(dependencies, ops: ops, host: "127.0.0.1", port: 0, limits: limits, logger: logger)
    }

    func token(_ user: User, at date: Date = Date()) -> String {
        authority.mint(userID: user.id, at: date)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await application.test(.router, body)
    }

    /// Runs `body` against the served application on a real loopback socket.
    func testLive(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await served.test(.live, body)
    }
}

extension TestClientProtocol {
    /// Sends JSON with a bearer token and returns status, headers and the decoded body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method,
        _ uri: String,
        token: String? = nil,
        json: String? = nil,
        headers extraHeaders: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        var headers = extraHeaders
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        {
            response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }
}

/// Parses a JSON object or array for assertions.
func object(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

func array(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
}

/// Checks the standard error body and returns its detail.
@discardableResult
func expectError(
    _ response: (status: HTTPResponse.Status, headers: HTTPFields, body: String),
    _ status: HTTPResponse.Status,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
    #expect(response.status == status, "\(response.body)", sourceLocation: sourceLocation)
    let body = try object(response.body)
    #expect(body["code"] as? String == String(status.code), sourceLocation: sourceLocation)
    #expect(body["error"] as? String == status.reasonPhrase, sourceLocation: sourceLocation)
    #expect(Set(body.keys) == ["error", "detail", "code"], sourceLocation: sourceLocation)
    return body["detail"] as? String ?? ""
}

let okxBody =
    #"{"exchange_name":"okx","label":"Main <&> 🚀","api_key":"okx-key-0000000001","api_secret":"okx-secret-VALUE-42","passphrase":"okx-pass-phrase"}"#

/// The service's link codes (BearerTokens' ``LinkCode``), as the composition root adapts them.
struct LinkCodes: LinkCodeMaker {
    func generate() -> (code: String, hash: Data) {
        let code = LinkCode.generate()
        return (code.text, code.hash)
    }

    func hash(ofCode text: String) -> Data? {
        LinkCode(parsing: text)?.hash
    }
}
