import Logging

/// The composition root of `exchange-bot run`: reads the environment, checks the master key, migrates, builds
/// the object graph and runs the long-lived services until SIGTERM or SIGINT.
public enum Application {
    public static func run(_ environment: Environment) async throws {
        let logLevel = Logger.Level(rawValue: try environment.logLevel().rawValue) ?? .info
        let logFormat = try environment.logFormat()
        LoggingSystem.bootstrap { label in
            switch logFormat {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = logLevel
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = logLevel
                return handler
            }
        }
        let runtime = try await Runtime.make(
            environment,
            logger: Logger(label: "exchange-bot"),
            releaseStartupCode: true
        )
        try await runtime.run()
    }
}
