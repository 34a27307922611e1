import ArgumentParser
import ExchangeBotApp
import Foundation

/// `exchange-bot`: the command line. Each subcommand hands over to ``Commands`` and prints what it returns.
@main
struct ExchangeBot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-bot",
        abstract: "Connects users' exchange API keys safely: a Telegram bot, admin approvals and a REST API.",
        discussion: "Configuration comes from the environment; see deploy/exchange-bot.env.example.",
        subcommands: [Run.self, Migrate.self, GenerateKey.self, RotateKey.self, Token.self, LinkCode.self]
    )
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate, then run the bot (TELEGRAM_BOT_TOKEN), the REST API (SECRET_KEY) and the health monitor."
    )

    func run() async throws {
        try await report {
            try await Application.run(Environment())
            return []
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")

    func run() async throws {
        try await report { try await Commands.migrate(Environment()) }
    }
}

struct GenerateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-key",
        abstract: "Print a new Fernet key (on the last line)."
    )

    func run() async throws {
        try await report { Commands.generateKey() }
    }
}

struct RotateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Re-encrypt every stored secret under the first key of BRAIN_CAPITAL_MASTER_KEY, in one transaction."
    )

    func run() async throws {
        try await report { try await Commands.rotateKey(Environment()) }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a REST bearer token for a user (on the last line)."
    )

    @Argument(help: "The user's id (users.id).")
    var userID: Int64

    func run() async throws {
        try await report { try await Commands.token(Environment(), userID: userID) }
    }
}

struct LinkCode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link-code",
        abstract:
            "Print a one-time code (on the last line) that links a Telegram account to a user, valid LINK_CODE_TTL s."
    )

    @Argument(help: "The user's id (users.id).")
    var userID: Int64

    func run() async throws {
        try await report { try await Commands.linkCode(Environment(), userID: userID) }
    }
}

/// Runs a command, printing its lines to standard output; an error goes to standard error as one line and the
/// process exits 1.
private func report(_ body: () async throws -> [String]) async throws {
    do {
        for line in try await body() { print(line) }
    } catch {
        FileHandle.standardError.write(Data("error: \(Commands.describe(error))\n".utf8))
        throw ExitCode.failure
    }
}
