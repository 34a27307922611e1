import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import TestSupport
import Testing

/// The REST API fuzzed from its own OpenAPI document by Schemathesis (`st run … --checks all`), once as a user
/// and once as an admin, against the real `exchange-bot run` with every exchange a strict fake on loopback.
///
/// Documented exceptions (`schemathesis.toml` below): a schema-valid key that its exchange refuses is a 422 on
/// `POST /user/exchanges/` and `PUT /user/exchanges/{id}` (no generated key is a real account), so 422 is an
/// accepted answer to valid data there; and a `PUT` of new credentials without the passphrase that the stored
/// key's exchange needs (or with one it does not take) is a 400, a rule the document cannot tie to a stored key;
/// `GET /admin/audit` answers 422 to a `cursor` it did not write (any string is schema-valid: the cursor is opaque).
@Suite(
    .enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"),
    .enabled(
        if: (try? Python.runBlocking("import schemathesis")) != nil,
        "python3 has no schemathesis (pip install schemathesis)"
    )
)
struct SchemathesisTests {
    static let configuration = """
        [[operations]]
        include-path = "/user/exchanges/"
        include-method = "POST"
        checks = { positive_data_acceptance = { expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"] } }

        [[operations]]
        include-path = "/user/exchanges/{id}"
        include-method = "PUT"
        checks = { positive_data_acceptance = { expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429"] } }

        [[operations]]
        include-path = "/admin/audit"
        include-method = "GET"
        checks = { positive_data_acceptance = { expected-statuses = ["2xx", "401", "403", "404", "422", "429"] } }
        """

    @Test(.timeLimit(.minutes(5)))
    func theDocumentSurvivesAPropertyBasedRunAsUserAndAsAdmin() async throws {
        let folder = TemporaryFolder()
        // The database lives in memory-backed /dev/shm where there is one: a thousand fsynced commits on disk
        // would slow the timer-driven tests that run alongside.
        let database = Self.memoryBackedFolder().map { "\($0)/bot.sqlite" } ?? folder.path("bot.sqlite")
        defer { if database.hasPrefix("/dev/shm/") { Self.remove(folderOf: database) } }
        let key = FernetKey.generate()
        let harness = try ServiceHarness(
            location: .file(path: database),
            ring: try MultiFernet(keys: [key])
        )
        let alice = try await harness.user()
        let admin = try await harness.user("root", admin: true)
        // Keys for ids the run will pick (small integers, and the document's example 12): some approved, so
        // toggling, updating, deciding and deleting reach the service rather than a 404.
        for index in 1...14 {
            let added = try await harness.service.addKey(
                Sample.submission(label: "Seed \(index)", apiKey: "seed-key-\(index)-0000000000"),
                userID: alice.id,
                by: .system
            )
            if index.isMultiple(of: 2) { _ = try await harness.service.approve(keyID: added.id, by: .system) }
        }
        for index in 1...3 {
            _ = try await harness.service.addKey(
                Sample.submission(label: "Admin \(index)", apiKey: "admin-key-\(index)-0000000000"),
                userID: admin.id,
                by: .system
            )
        }
        var exchanges: [FakeExchangeServer] = []
        for exchange in ExchangeID.allCases {
            let server = try await FakeExchangeServer.start(exchange)
            exchanges.append(server)
            // The document's example keys are real accounts here, so its examples are accepted end to end.
            if exchange == .okx {
                server.register(
                    FakeAccount(
                        apiKey: "0f2b6c1e-7c1d-4c53-9d0b-5b6f1f0f6a11",
                        secret: "B3A1C0FFEE0123456789ABCDEF012345",
                        passphrase: "my key passphrase"
                    )
                )
            }
            if exchange == .binance {
                server.register(FakeAccount(apiKey: "new-key-id-0001", secret: "new-secret-0001"))
            }
        }
        try configuration(folder)
        let authority = BearerTokenAuthority(secretKey: "st-secret", maxAge: 3600)
        var reports: [String] = []
        var ran = false
        var errors = ""
        // A random port may be taken: try a few before giving up.
        for _ in 0..<5 where !ran {
            let port = try FreePort.loopback()
            var environment = [
                "BRAIN_CAPITAL_MASTER_KEY": key.base64, "SECRET_KEY": "st-secret", "API_PORT": String(port),
                "DATABASE_URL": "sqlite:///\(database)", "API_RATE_LIMIT": "100000/minute",
                "API_KEY_SUBMIT_LIMIT": "100000/hour", "HEALTH_CHECK_INTERVAL": "0", "EXCHANGE_TIMEOUT": "5",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ]
            for server in exchanges {
                environment["EXCHANGE_\(server.exchange.rawValue.uppercased())_URL"] = server.origin.absoluteString
            }
            let service = try ExchangeBotBinary.launch(["run"], environment: environment, in: folder)
            // Niced, like the fuzzer: the rest of the suite runs alongside, some of it on timers.
            Self.renice(service.process.processIdentifier)
            guard await service.waitFor("listening") else {
                errors = service.errors
                await service.kill(SIGKILL)
                continue
            }
            ran = true
            do {
                for user in [alice, admin] {
                    reports.append(try await run(port: port, token: authority.mint(userID: user.id), in: folder))
                }
            } catch {
                await service.kill(SIGKILL)
                throw error
            }
            await service.kill(SIGTERM)
            errors = service.errors
        }
        for server in exchanges { try await server.stop() }
        #expect(ran, "\(errors.suffix(2000))")
        for report in reports {
            let lines = report.split(separator: "\n", omittingEmptySubsequences: false)
            // The summary (phases, operations, cases generated, failures), for the test log.
            print(lines.suffix(30).joined(separator: "\n"))
            #expect(lines.first == "0", "\(report.suffix(6000))")
        }
        #expect(reports.count == 2)
    }

    /// Lowers a process's priority with `renice` where there is one (a missing tool only costs speed).
    static func renice(_ pid: Int32) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/renice") else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/renice")
        process.arguments = ["-n", "10", "-p", String(pid)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
    }

    static func memoryBackedFolder() -> String? {
        let path = "/dev/shm/exchange-bot-st-\(UUID().uuidString)"
        return (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)) != nil
            ? path : nil
    }

    static func remove(folderOf file: String) {
        try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent)
    }

    func configuration(_ folder: TemporaryFolder) throws {
        try Self.configuration.write(toFile: folder.path("schemathesis.toml"), atomically: true, encoding: .utf8)
    }

    /// One bounded run; returns its exit status on the first line, then the end of its report. (``Python/run``
    /// waits off the cooperative threads, which the fake exchanges answer on.)
    func run(port: Int, token: String, in folder: TemporaryFolder) async throws -> String {
        let configuration = folder.path("schemathesis.toml")
        return try await Python.run(
            """
            import os, shutil, subprocess, sys
            port, token, config = sys.argv[1], sys.argv[2], sys.argv[3]
            command = [shutil.which("schemathesis") or shutil.which("st"), "--config-file", config, "run",
                       f"http://127.0.0.1:{port}/openapi.json", "--checks", "all",
                       "--header", f"Authorization: Bearer {token}", "--max-examples", "50", "--seed", "20261206",
                       "--request-timeout", "10", "--workers", "1", "--no-shrink"]
            try:
                # Niced: the rest of the suite runs alongside, some of it on timers.
                # Its caches go to the run's own folder, not the checkout.
                result = subprocess.run(command, capture_output=True, text=True, timeout=480,
                                        cwd=os.path.dirname(config), preexec_fn=lambda: os.nice(10))
                print(result.returncode)
                print((result.stdout + result.stderr)[-8000:])
            except subprocess.TimeoutExpired as expired:
                print("timeout")
                print(str(expired.stdout)[-4000:])
            """,
            arguments: [String(port), token, configuration]
        )
    }
}
