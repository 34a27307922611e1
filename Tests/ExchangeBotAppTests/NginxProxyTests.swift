import BearerTokens
import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The shipped `deploy/nginx/exchange-bot.conf` in front of the real `exchange-bot run`, as the seed's nginx stands
/// in front of its API: `API_ROOT_PATH=/api/exchanges`, `TRUSTED_PROXIES=127.0.0.1/32`, clients calling through
/// nginx with curl (which can call from another loopback address, 127.0.0.2, as a distinct client).
@Suite(
    .enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"),
    .enabled(if: NginxServer.executable != nil, "nginx is not installed (scripts/install-dependencies.sh installs it)"),
    .enabled(
        if: ShellCommand.find("curl") != nil,
        "curl is not installed (scripts/install-dependencies.sh installs it)"
    )
)
struct NginxProxyTests {
    static let rootPath = "/api/exchanges"

    @Test func theShippedConfigurationServesTheAPIUnderItsPrefixAndLimitsByForwardedAddress() async throws {
        let folder = TemporaryFolder()
        let key = FernetKey.generate()
        let place = try await EngineDatabase.make(.sqlite, folder: folder, key: key)
        let user = try await place.createUser("alice")
        let exchange = try await FakeExchangeServer.start(.okx)
        let account = FakeAccount.random(for: .okx, ipRestricted: false)
        exchange.register(account)
        let token = BearerTokenAuthority(secretKey: "nginx-secret", maxAge: 3600).mint(userID: user.id)
        let ports = NginxServer.Ports(
            tls: try FreePort.loopback(),
            plain: try FreePort.loopback(),
            backend: try FreePort.loopback()
        )
        let shipped = try String(contentsOf: NginxServer.shippedConfiguration, encoding: .utf8)
        let configuration = try NginxServer.testConfiguration(from: shipped, ports: ports, logs: folder.path("nginx"))
        let environment = [
            "BRAIN_CAPITAL_MASTER_KEY": key.base64, "SECRET_KEY": "nginx-secret", "API_PORT": String(ports.backend),
            "DATABASE_URL": place.url, "EXCHANGE_OKX_URL": exchange.origin.absoluteString,
            "API_ROOT_PATH": Self.rootPath, "TRUSTED_PROXIES": "127.0.0.1/32", "API_RATE_LIMIT": "3/minute",
        ]
        let api = "http://127.0.0.1:\(ports.tls)\(Self.rootPath)"
        let outcome = try await ExchangeBotBinary.whileRunning(
            ["run"],
            environment: environment,
            in: folder,
            readyWhen: "listening"
        ) {
            let nginx = try await NginxServer.start(serverConfiguration: configuration, in: folder.path("nginx"))
            do {
                try await Self.driveTheAPI(api: api, token: token, account: account)
                try await Self.checkTheRateLimitBuckets(api: api)
                try await Self.checkTheOtherLocations(api: api, plainPort: ports.plain)
            } catch {
                Issue.record("\(error)\n--- nginx:\n\(nginx.errors)")
            }
            await nginx.stop()
        }
        try await exchange.stop()
        #expect(outcome.ran, "the service did not start: \(outcome.result.errors)")
        // The service's access log names the forwarded clients, not nginx.
        for client in ["198.51.100.1", "198.51.100.2", "127.0.0.2", "127.0.0.3"] {
            #expect(outcome.result.errors.contains(client), "no request from \(client) in the access log")
        }
        #expect(!outcome.result.errors.contains(account.secret))
    }

    /// A key added and listed with a bearer token, through nginx, under the prefix; the documents name the prefix.
    static func driveTheAPI(api: String, token: String, account: FakeAccount) async throws {
        let body = try JSONSerialization.data(withJSONObject: [
            "exchange_name": "okx", "label": "Through nginx", "api_key": account.apiKey, "api_secret": account.secret,
            "passphrase": account.passphrase ?? "",
        ])
        let created = try await Curl.send(
            "POST",
            api + "/user/exchanges/",
            headers: ["Authorization: Bearer \(token)", "Content-Type: application/json"],
            body: String(decoding: body, as: UTF8.self)
        )
        #expect(created.status == 201, "\(created.body)")
        let listed = try await Curl.send("GET", api + "/user/exchanges/", headers: ["Authorization: Bearer \(token)"])
        #expect(listed.status == 200, "\(listed.body)")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]])
        #expect(
            keys.count == 1 && keys.first?["label"] as? String == "Through nginx"
                && keys.first?["status"] as? String == "PENDING"
        )
        #expect(listed.headers["x-ratelimit-limit"] == "3")

        let document = try await Curl.send("GET", api + "/openapi.json")
        let servers = (try JSONSerialization.jsonObject(with: Data(document.body.utf8)) as? [String: Any])?["servers"]
        #expect((servers as? [[String: String]]) == [["url": rootPath]], "\(document.body.prefix(300))")
        for page in ["/docs", "/redoc"] {
            let html = try await Curl.send("GET", api + page)
            #expect(html.status == 200 && html.body.contains("/openapi.json"), "\(page)")
            #expect(html.headers["content-security-policy"]?.contains("default-src 'none'") == true, "\(page)")
        }
        let health = try await Curl.send("GET", api + "/healthz")
        #expect(health.status == 200, "\(health.body)")
        // The same routes without the prefix still answer (a client on the host calling the service directly).
        let unprefixed = try await Curl.send("GET", api.replacingOccurrences(of: rootPath, with: "") + "/healthz")
        #expect(unprefixed.status == 404, "nginx forwards only /api/exchanges/ (and the webhook)")
    }

    /// `API_RATE_LIMIT` (3/minute) for requests that fail authentication is kept per forwarded client address.
    static func checkTheRateLimitBuckets(api: String) async throws {
        let target = api + "/user/exchanges/"
        let bad = "Authorization: Bearer not-a-token"
        // A trusted hop in front of nginx (127.0.0.1) forwarding two clients: one bucket each.
        var first = [Int]()
        for _ in 0..<4 {
            first.append(try await Curl.send("GET", target, headers: [bad, "X-Forwarded-For: 198.51.100.1"]).status)
        }
        #expect(first == [401, 401, 401, 429])
        let second = try await Curl.send("GET", target, headers: [bad, "X-Forwarded-For: 198.51.100.2"])
        #expect(second.status == 401, "another forwarded client has a budget of its own")
        #expect(second.headers["retry-after"] == nil)

        // Clients calling nginx directly (127.0.0.2, 127.0.0.3 are not trusted): nginx appends their address, and
        // whatever X-Forwarded-For they write themselves buys no fresh budget.
        var forged = [Int]()
        for index in 0..<4 {
            let header = "X-Forwarded-For: 203.0.113.\(index + 1)"
            forged.append(try await Curl.send("GET", target, from: "127.0.0.2", headers: [bad, header]).status)
        }
        #expect(forged == [401, 401, 401, 429])
        let neighbour = try await Curl.send("GET", target, from: "127.0.0.3", headers: [bad])
        #expect(neighbour.status == 401)
    }

    /// The redirect to HTTPS, the webhook location, and metrics kept to the host.
    static func checkTheOtherLocations(api: String, plainPort: Int) async throws {
        let redirect = try await Curl.send("GET", "http://127.0.0.1:\(plainPort)\(rootPath)/docs")
        #expect(redirect.status == 301)
        #expect(redirect.headers["location"]?.hasPrefix("https://") == true)
        #expect(redirect.headers["location"]?.hasSuffix("\(rootPath)/docs") == true)

        let origin = api.replacingOccurrences(of: rootPath, with: "")
        // Not in webhook mode: the service itself answers (its JSON error body), so nginx forwarded the POST.
        let webhook = try await Curl.send(
            "POST",
            origin + "/telegram/webhook",
            headers: ["Content-Type: application/json"],
            body: "{}"
        )
        #expect(webhook.body.contains("\"error\""), "\(webhook.status) \(webhook.body)")
        let webhookGet = try await Curl.send("GET", origin + "/telegram/webhook")
        #expect(webhookGet.status == 403, "only POST reaches the webhook")

        let metrics = try await Curl.send("GET", api + "/metrics")
        #expect(metrics.status == 200, "\(metrics.body.prefix(200))")
        let outsider = try await Curl.send("GET", api + "/metrics", from: "127.0.0.2")
        #expect(outsider.status == 403)
    }

    /// The shipped file as it is, TLS included, is accepted by `nginx -t` once its placeholder certificate paths
    /// name a real (self-signed) certificate.
    @Test(.enabled(if: ShellCommand.find("openssl") != nil, "openssl is not installed"))
    func theShippedTLSServerIsValidNginx() throws {
        let folder = TemporaryFolder()
        let made = try ShellCommand.run(
            ShellCommand.find("openssl")!,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=api.example.com",
                "-keyout", folder.path("key.pem"), "-out", folder.path("cert.pem"),
            ]
        )
        #expect(made.status == 0, "\(made.output)")
        let shipped = try String(contentsOf: NginxServer.shippedConfiguration, encoding: .utf8)
        for placeholder in ["/etc/ssl/certs/api.example.com.fullchain.pem", "/etc/ssl/private/api.example.com.key"] {
            #expect(shipped.contains(placeholder), "the placeholder \(placeholder) moved; update this test")
        }
        let servers =
            shipped
            .replacingOccurrences(of: "/etc/ssl/certs/api.example.com.fullchain.pem", with: folder.path("cert.pem"))
            .replacingOccurrences(of: "/etc/ssl/private/api.example.com.key", with: folder.path("key.pem"))
            .replacingOccurrences(of: "/var/log/nginx/", with: folder.path("") + "/")
        try servers.write(toFile: folder.path("exchange-bot.conf"), atomically: true, encoding: .utf8)
        try NginxServer.mainConfiguration(including: folder.path("exchange-bot.conf"), folder: folder.path(""))
            .write(toFile: folder.path("nginx.conf"), atomically: true, encoding: .utf8)
        let checked = try NginxServer.check(folder.path("nginx.conf"), in: folder.path(""))
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("test is successful"), "\(checked.output)")
    }
}
