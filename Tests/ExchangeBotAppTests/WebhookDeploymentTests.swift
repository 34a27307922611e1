import Fernet
import Foundation
import TestSupport
import Testing

/// Webhook mode and polling mode with the real `exchange-bot run`: a polling bot says which webhook it replaces;
/// two instances behind a load balancer on one PostgreSQL database take Telegram's posts in turn, and each chat's
/// updates are still handled in order, each once.
@Suite(
    .serialized,
    .enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests")
)
struct WebhookDeploymentTests {
    static let publicURL = "https://bot.example.com/telegram/webhook"
    static let secret = "Deploy_webhook-secret-31"

    @Test func pollingReplacesAWebhookSetOnTheTokenAndSaysWhichHost() async throws {
        let token = "7000015:WEBHOOK-replaced_token"
        let telegram = try await FakeTelegramServer.start(token: token)
        let adminGroup = FakeChat.supergroup(id: -1_001_815_000_001, title: "Approvals")
        telegram.addChat(adminGroup)
        // Another deployment's webhook on the same token.
        let set = try await LoopbackHTTPClient.send(
            to: telegram.baseURL,
            "POST",
            "/bot\(token)/setWebhook",
            headers: [("Content-Type", "application/json")],
            body: #"{"url":"https://old-deployment.example.net/hook/path-token-77","secret_token":"OldSecret_1"}"#
        )
        #expect(set.status == 200)
        let folder = TemporaryFolder()
        let environment = [
            "BRAIN_CAPITAL_MASTER_KEY": FernetKey.generate().base64, "DATABASE_URL": "sqlite:///bot.sqlite",
            "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": telegram.baseURL.absoluteString,
            "ADMIN_CHAT_ID": String(adminGroup.id), "HEALTH_CHECK_INTERVAL": "0", "API_PORT": "0",
        ]
        let process = try ExchangeBotBinary.launch(["run"], environment: environment, in: folder)
        #expect(await telegram.waitUntil(timeout: .seconds(30)) { telegram.isPolling }, "\(process.errors)")
        await process.kill(SIGTERM)
        await telegram.stop()

        let warning = process.errors.split(separator: "\n").first { $0.contains("a webhook was set on this bot token") }
        let line = try #require(warning, "\(process.errors)")
        #expect(line.contains("warning"))
        #expect(line.contains("old-deployment.example.net"))
        #expect(!process.errors.contains("path-token-77"), "only the host is logged")
        #expect(!process.errors.contains("OldSecret_1"))
        #expect(telegram.webhookURL == nil)
        let methods = telegram.calls().map { $0.method.lowercased() }
        let info = try #require(methods.firstIndex(of: "getwebhookinfo"))
        let delete = try #require(methods.firstIndex(of: "deletewebhook"))
        let poll = try #require(methods.firstIndex(of: "getupdates"))
        #expect(info < delete && delete < poll)
        #expect(process.exitStatus == 0, "\(process.errors)")
    }

    /// Two instances behind a load balancer that posts to each in turn, so a chat's consecutive updates reach
    /// different instances; only the instance that handles (here the leader of the PostgreSQL lease) reads the
    /// inbox. Each user sends a burst of alternating `/help` and `/cancel`: the answers must come in that order,
    /// each once.
    @Test(.enabled(if: PostgresTestServer.isAvailable, "PostgreSQL is not installed"))
    func twoInstancesTakePostsInTurnAndEachChatIsHandledInOrderOnce() async throws {
        let deployment = try await Deployment.make()
        let telegram = deployment.telegram
        var instances = [(name: String, process: ExchangeBotBinary.Launched, port: Int)]()
        for name in ["w1", "w2"] {
            let environment = deployment.environment(instance: name).merging([
                "TELEGRAM_WEBHOOK_URL": Self.publicURL, "TELEGRAM_WEBHOOK_SECRET": Self.secret,
            ]) { _, webhook in webhook }
            let process = try ExchangeBotBinary.launch(["run"], environment: environment, in: deployment.folder)
            #expect(await process.waitFor("listening on"), "\(process.errors)")
            let line = process.errors.split(separator: "\n").first { $0.contains("listening on 127.0.0.1:") }
            let port = try #require(line.flatMap { Int($0.split(separator: ":").last ?? "") }, "\(process.errors)")
            instances.append((name, process, port))
        }
        #expect(await telegram.waitUntil(timeout: .seconds(30)) { telegram.webhookURL != nil })
        let origins = instances.map { URL(string: "http://127.0.0.1:\($0.port)")! }
        telegram.balanceWebhook(across: origins)

        let users = (0..<5).map { FakeUser(id: 6_150_000_001 + Int64($0), firstName: "User\($0)", username: nil) }
        let commands = (0..<8).map { $0.isMultiple(of: 2) ? "/help" : "/cancel" }
        for command in commands {
            for user in users { telegram.sendUserMessage(from: user, chat: .privateChat(with: user), text: command) }
        }
        @Sendable func answers(_ user: FakeUser) -> [String] {
            telegram.botMessages(in: user.id).compactMap { message in
                if message.text.contains("How it works") { return "/help" }
                if message.text.contains("nothing to cancel") { return "/cancel" }
                return nil
            }
        }
        let allAnswered = await telegram.waitUntil(timeout: .seconds(90)) {
            users.allSatisfy { answers($0).count >= commands.count }
        }
        #expect(allAnswered)
        // A graceful stop finishes what was handed over: a duplicate would show now.
        for instance in instances {
            await instance.process.kill(SIGTERM)
            #expect(instance.process.exitStatus == 0, "\(instance.process.errors)")
        }
        for user in users {
            #expect(answers(user) == commands, "\(user.id): \(telegram.botMessages(in: user.id).map(\.text))")
        }
        let deliveries = telegram.webhookDeliveries()
        for user in users {
            let ports = Set(deliveries.filter { $0.lane == "chat \(user.id)" && $0.status == 200 }.map(\.url.port))
            #expect(ports == Set(origins.map(\.port)), "\(user.id)'s updates reached both instances")
        }
        #expect(telegram.calls("getUpdates").isEmpty && telegram.calls("deleteWebhook").isEmpty)
        await deployment.stop()
    }
}
