// swift-tools-version:6.1
import PackageDescription

/// The benchmarks, a package of their own so that building the service (`swift build` in the main package) builds
/// none of them. They use the main package's libraries and compile its test fakes (`Tests/TestSupport`, linked here
/// as `Sources/BenchmarkFakes`) as a target of this package, since a package's test targets are not products.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The main package, by path. Its identity is its folder's name, which differs between clones; `name:` fixes the
/// name the targets below use for it.
let service = "exchange-bot"

let package = Package(
    name: "exchange-bot-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "exchange-bot-bench", targets: ["exchange-bot-bench"]),
        .executable(name: "exchange-bot-validation-bench", targets: ["exchange-bot-validation-bench"]),
        .executable(name: "exchange-bot-telegram-bench", targets: ["exchange-bot-telegram-bench"]),
        .executable(name: "exchange-bot-update-bench", targets: ["exchange-bot-update-bench"]),
        .executable(name: "exchange-bot-echo", targets: ["exchange-bot-echo"]),
    ],
    dependencies: [
        .package(name: service, path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        /// The main package's `Tests/TestSupport` (a symlink): fake exchanges, fake Bot API, loopback HTTP.
        .target(
            name: "BenchmarkFakes",
            dependencies: [
                .product(name: "ExchangeBotCore", package: service),
                .product(name: "ExchangeBotStorage", package: service),
                .product(name: "PostgresStorage", package: service),
                .product(name: "BotConversation", package: service),
                .product(name: "Fernet", package: service),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        /// Simulated Telegram users and process statistics, shared by the Telegram benchmarks.
        .target(
            name: "BenchmarkDriver",
            dependencies: ["BenchmarkFakes"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exchange-bot-bench",
            dependencies: [
                .product(name: "Fernet", package: service),
                .product(name: "ExchangeBotCore", package: service),
                .product(name: "ExchangeBotStorage", package: service),
                .product(name: "ExchangeBotApp", package: service),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exchange-bot-telegram-bench",
            dependencies: [
                "BenchmarkFakes", "BenchmarkDriver", "EchoBot",
                .product(name: "ExchangeBotApp", package: service),
                .product(name: "TelegramBot", package: service),
                .product(name: "TelegramAPIClient", package: service),
                .product(name: "BotConversation", package: service),
                .product(name: "ExchangeBotCore", package: service),
                .product(name: "ExchangeBotStorage", package: service),
                .product(name: "Fernet", package: service),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exchange-bot-validation-bench",
            dependencies: [
                "BenchmarkFakes",
                .product(name: "ExchangeKeyCheck", package: service),
                .product(name: "ExchangeBotCore", package: service),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "exchange-bot-update-bench",
            dependencies: [
                "BenchmarkFakes", "BenchmarkDriver",
                .product(name: "ExchangeBotCore", package: service),
                .product(name: "PostgresStorage", package: service),
                .product(name: "Fernet", package: service),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        /// The least a long-polling bot does per update, on the product's client: the Telegram benchmarks' baseline.
        .target(
            name: "EchoBot",
            dependencies: [
                .product(name: "TelegramAPIClient", package: service),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        /// `EchoBot` as a process: the floor `exchange-bot-update-bench` can run beside the service.
        .executableTarget(
            name: "exchange-bot-echo",
            dependencies: ["EchoBot", .product(name: "TelegramAPIClient", package: service)],
            swiftSettings: strictSettings
        ),
    ]
)
