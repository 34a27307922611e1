// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 mode comes from the tools version; these make the code stricter.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "exchange-bot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "exchange-bot", targets: ["exchange-bot"]),
        // The libraries the benchmarks (the `Benchmarks/` package) build on; the service needs no library products.
        .library(name: "Fernet", targets: ["Fernet"]),
        .library(name: "ExchangeBotCore", targets: ["ExchangeBotCore"]),
        .library(name: "ExchangeBotStorage", targets: ["ExchangeBotStorage"]),
        .library(name: "PostgresStorage", targets: ["PostgresStorage"]),
        .library(name: "ExchangeKeyCheck", targets: ["ExchangeKeyCheck"]),
        .library(name: "BotConversation", targets: ["BotConversation"]),
        .library(name: "TelegramAPIClient", targets: ["TelegramAPIClient"]),
        .library(name: "TelegramBot", targets: ["TelegramBot"]),
        .library(name: "ExchangeBotApp", targets: ["ExchangeBotApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // MARK: Pure libraries
        .target(
            name: "Fernet",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BearerTokens",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExchangeBotCore",
            dependencies: ["ServiceMetrics"],
            swiftSettings: strictSettings
        ),
        // The names of every metric and the calls that record them (swift-metrics' API; no backend).
        .target(
            name: "ServiceMetrics",
            dependencies: [.product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExchangeSigning",
            dependencies: [
                "ExchangeBotCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "BotConversation",
            dependencies: ["ExchangeBotCore"],
            swiftSettings: strictSettings
        ),

        // MARK: Adapters
        .target(
            name: "SealedRecords",
            dependencies: ["ExchangeBotCore", "Fernet"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExchangeBotStorage",
            dependencies: [
                "ExchangeBotCore",
                "BotConversation",
                "SealedRecords",
                "Fernet",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "PostgresStorage",
            dependencies: [
                "ExchangeBotCore",
                "BotConversation",
                "SealedRecords",
                "Fernet",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "RESTServer",
            dependencies: [
                "ExchangeBotCore",
                "BearerTokens",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "ExchangeKeyCheck",
            dependencies: [
                "ExchangeBotCore",
                "ExchangeSigning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "TelegramAPIClient",
            dependencies: [
                "ServiceMetrics",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "MailComposer",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SMTPClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "EmailNotifications",
            dependencies: [
                "ExchangeBotCore",
                "MailComposer",
                "SMTPClient",
                "Localization",
                "TelegramAPIClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "Localization",
            dependencies: ["TelegramAPIClient"],
            swiftSettings: strictSettings
        ),

        .target(
            name: "TelegramBot",
            dependencies: [
                "ExchangeBotCore",
                "BotConversation",
                "TelegramAPIClient",
                "Localization",
                "ServiceMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Composition
        .target(
            name: "ExchangeBotApp",
            dependencies: [
                "ExchangeBotCore",
                "ExchangeBotStorage",
                "PostgresStorage",
                "Fernet",
                "BearerTokens",
                "RESTServer",
                "ExchangeKeyCheck",
                "BotConversation",
                "TelegramAPIClient",
                "TelegramBot",
                "Localization",
                "MailComposer",
                "SMTPClient",
                "EmailNotifications",
                "ServiceMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exchange-bot",
            dependencies: [
                "ExchangeBotApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        // A test target, so `swift build` never builds it; the other test targets depend on it, and the benchmarks
        // compile the same folder as a target of their own package (`Benchmarks/Sources/BenchmarkFakes`).
        .testTarget(
            name: "TestSupport",
            dependencies: [
                "ExchangeBotCore", "ExchangeBotStorage", "PostgresStorage", "BotConversation", "Fernet",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExchangeSigningTests",
            dependencies: [
                "ExchangeSigning", "ExchangeBotCore", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RESTServerTests",
            dependencies: [
                "RESTServer", "ExchangeBotCore", "ExchangeBotStorage", "BearerTokens", "Fernet", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FakeExchangeTests",
            dependencies: [
                "TestSupport", "ExchangeBotCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExchangeKeyCheckTests",
            dependencies: ["ExchangeKeyCheck", "ExchangeSigning", "ExchangeBotCore", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TelegramAPIClientTests",
            dependencies: ["TelegramAPIClient", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FakeTelegramTests",
            dependencies: [
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BotConversationTests",
            dependencies: ["BotConversation", "ExchangeBotCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "FernetTests", dependencies: ["Fernet", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "BearerTokensTests",
            dependencies: ["BearerTokens", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExchangeBotCoreTests",
            dependencies: ["ExchangeBotCore", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ApprovalServiceTests",
            dependencies: [
                "ExchangeBotCore", "ExchangeBotStorage", "Fernet", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExchangeBotStorageTests",
            dependencies: [
                "ExchangeBotCore", "ExchangeBotStorage", "BotConversation", "Fernet", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: [
                "ExchangeBotCore", "PostgresStorage", "ExchangeBotStorage", "BotConversation", "Fernet", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TelegramBotTests",
            dependencies: [
                "TelegramBot", "BotConversation", "TelegramAPIClient", "ExchangeBotApp", "ExchangeBotCore",
                "Localization",
                "ExchangeBotStorage", "PostgresStorage", "Fernet", "BearerTokens", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MailComposerTests",
            dependencies: ["MailComposer", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SMTPClientTests",
            dependencies: [
                "SMTPClient", "MailComposer", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EmailNotificationsTests",
            dependencies: [
                "EmailNotifications", "SMTPClient", "MailComposer", "ExchangeBotCore", "Localization", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ExchangeBotAppTests",
            dependencies: [
                "ExchangeBotApp", "ExchangeBotCore", "ExchangeBotStorage", "PostgresStorage", "Fernet", "BearerTokens",
                "TestSupport", "MailComposer", "SMTPClient",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
