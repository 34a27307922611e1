import BenchmarkFakes
import ExchangeBotCore
import ExchangeKeyCheck
import Foundation

// `exchange-bot-validation-bench`: validates 1,000 keys spread over the nine fake exchanges (each answering after
// 50 ms), 64 at a time, through the production validator and HTTP client, and compares throughput and latency
// with the floor that the fakes' latency sets: 64 keys per 50 ms at best, and no key faster than 50 ms. Three
// rounds show whether memory stays flat.

let options = ValidationBenchOptions(CommandLine.arguments.dropFirst())
let latency = options.latencySeconds
var servers = [ExchangeID: FakeExchangeServer]()
for exchange in ExchangeID.allCases {
    servers[exchange] = try await FakeExchangeServer.start(exchange, latency: latency)
}
let accounts: [(ExchangeID, FakeAccount)] = (0..<options.keys).map { index in
    let exchange = ExchangeID.allCases[index % ExchangeID.allCases.count]
    let account = FakeAccount.random(for: exchange)
    servers[exchange]!.register(account)
    return (exchange, account)
}
let transport = AsyncHTTPTransport()
let validator = ExchangeValidator(
    transport: transport,
    endpoints: ExchangeEndpoints(overrides: servers.mapValues(\.origin)),
    timeout: .seconds(10)
)

print(
    "exchange-bot-validation-bench: \(options.keys) keys over \(servers.count) fake exchanges, \(options.concurrency) at a time, \(Int(latency * 1000)) ms fake latency"
)
let floorThroughput = Double(options.concurrency) / latency
print(String(format: "floor: %.0f keys/s (concurrency / latency), latency %.1f ms\n", floorThroughput, latency * 1000))
print("round  keys/s   vs floor  p50 ms  p99 ms  max ms  failures  RSS MB")

var lastThroughput = 0.0
var lastP50 = 0.0
var lastP99 = 0.0
for round in 1...options.rounds {
    // The fakes record every request; dropping the records keeps the RSS column about the client.
    for server in servers.values { server.clearRequests() }
    let start = ContinuousClock.now
    let outcomes = await ValidationRun.run(accounts, concurrency: options.concurrency) { exchange, account in
        let credentials = Credentials(
            exchange: exchange,
            apiKey: account.apiKey,
            apiSecret: SecretString(account.secret),
            passphrase: account.passphrase.map(SecretString.init)
        )
        return (try? await validator.validate(credentials)) != nil
    }
    let elapsed = (ContinuousClock.now - start).seconds
    let latencies = outcomes.map(\.seconds).sorted()
    let failures = outcomes.filter { !$0.succeeded }.count
    lastThroughput = Double(accounts.count) / elapsed
    lastP50 = latencies[latencies.count / 2] * 1000
    lastP99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))] * 1000
    print(
        String(
            format: "%5d  %6.0f  %7.1f%%  %6.1f  %6.1f  %6.1f  %8d  %6.1f",
            round,
            lastThroughput,
            lastThroughput / floorThroughput * 100,
            lastP50,
            lastP99,
            (latencies.last ?? 0) * 1000,
            failures,
            ResidentMemory.currentMegabytes
        )
    )
    if failures > 0 {
        print("FAILED: \(failures) validations failed; the figures above are not comparable")
        exit(1)
    }
}
print(String(format: "\npeak RSS: %.1f MB", ResidentMemory.peakMegabytes))
let throughputMet = lastThroughput >= floorThroughput * 0.9
let latencyMet = lastP50 <= latency * 1000 * 1.1
print(
    String(
        format: "validation throughput: %.0f keys/s, floor %.0f keys/s, %.1f%% of floor (goal >= 90%%: %@)",
        lastThroughput,
        floorThroughput,
        lastThroughput / floorThroughput * 100,
        throughputMet ? "met" : "not met"
    )
)
print(
    String(
        format: "validation latency: p50 %.1f ms, p99 %.1f ms, floor %.1f ms (goal p50 within 10%%: %@)",
        lastP50,
        lastP99,
        latency * 1000,
        latencyMet ? "met" : "not met"
    )
)
try await transport.shutdown()
for server in servers.values { try await server.stop() }
