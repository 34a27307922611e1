import Foundation
import TestSupport
import Testing

/// `setup-and-run.sh`, run in a copy of the checkout where `swift`, the dependency installer and the binary are
/// stand-ins: the master key and REST secret must never appear on a command line (`ps` shows those to every
/// local user), the env file must be private, and every run (not only the first) must create private files.
@Suite(.serialized) struct SetupScriptTests {
    static let fakeKey = "FakeMasterKey0123456789abcdefghijklmnopqrstu="

    static let available = ShellCommand.find("bash") != nil && Python.executable != nil
    static let straceWorks: Bool = {
        guard let strace = ShellCommand.find("strace"), let truePath = ShellCommand.find("true") else { return false }
        return (try? ShellCommand.run(strace, ["-qq", "-o", "/dev/null", truePath]).status) == 0
    }()

    /// A copy of the script in a folder laid out like the checkout, with stand-ins for what it calls.
    static func makeTree() throws -> TemporaryFolder {
        let folder = TemporaryFolder()
        let manager = FileManager.default
        for sub in ["scripts", "deploy", "fakebin", "bin"] {
            try manager.createDirectory(atPath: folder.path(sub), withIntermediateDirectories: true)
        }
        try manager.copyItem(
            atPath: ShellCommand.checkout.appendingPathComponent("scripts/setup-and-run.sh").path,
            toPath: folder.path("scripts/setup-and-run.sh")
        )
        try manager.copyItem(
            atPath: ShellCommand.checkout.appendingPathComponent("deploy/exchange-bot.env.example").path,
            toPath: folder.path("deploy/exchange-bot.env.example")
        )
        let files = [
            "scripts/swift-env.sh": #"export PATH="$PWD/fakebin:$PATH""#,
            "scripts/install-dependencies.sh": "#!/bin/sh\nexit 0",
            "fakebin/swift": """
            #!/bin/sh
            for argument in "$@"; do
                [ "$argument" = --show-bin-path ] && { echo "$(cd "$(dirname "$0")/.." && pwd)/bin"; exit 0; }
            done
            exit 0
            """,
            "bin/exchange-bot": """
            #!/bin/sh
            root="$(cd "$(dirname "$0")/.." && pwd)"
            case "$1" in
                generate-key) echo "a new key:"; echo "\(fakeKey)" ;;
                migrate|run) umask >> "$root/umask-$1" ;;
            esac
            """,
        ]
        for (path, text) in files {
            try (text + "\n").write(toFile: folder.path(path), atomically: true, encoding: .utf8)
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path(path))
        }
        return folder
    }

    /// Runs the script from a permissive umask (022), as a login shell would, optionally under `strace`.
    static func runScript(in folder: TemporaryFolder, trace: String? = nil) throws -> ShellCommand.Result {
        let sh = try #require(ShellCommand.find("sh"))
        let start = [sh, "-c", "umask 022; exec bash scripts/setup-and-run.sh"]
        let command =
            if let trace, let strace = ShellCommand.find("strace") {
                [strace, "-f", "-qq", "-s", "65536", "-e", "trace=execve", "-o", trace] + start
            } else {
                start
            }
        return try ShellCommand.run(command[0], Array(command.dropFirst()), in: folder.url)
    }

    static func envValue(_ name: String, in folder: TemporaryFolder) throws -> String {
        let text = try String(contentsOfFile: folder.path("exchange-bot.env"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("\(name)=") })
        return String(line.dropFirst(name.count + 1))
    }

    @Test(.enabled(if: available, "bash or python3 is missing: setup-and-run.sh was not exercised"))
    func everyRunIsPrivateAndTheEnvFileIsMode600() throws {
        let folder = try Self.makeTree()
        let first = try Self.runScript(in: folder)
        #expect(first.status == 0, "\(first.output)")
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path("exchange-bot.env"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try Self.envValue("BRAIN_CAPITAL_MASTER_KEY", in: folder) == Self.fakeKey)
        #expect(try Self.envValue("SECRET_KEY", in: folder).count >= 43)
        let example = try String(
            contentsOfFile: folder.path("deploy/exchange-bot.env.example"),
            encoding: .utf8
        )
        let written = try String(contentsOfFile: folder.path("exchange-bot.env"), encoding: .utf8)
        #expect(
            written.split(separator: "\n", omittingEmptySubsequences: false).count
                == example.split(separator: "\n", omittingEmptySubsequences: false).count
        )

        // The second run finds the env file, so it writes no secret; the service must still start with umask 077.
        let second = try Self.runScript(in: folder)
        #expect(second.status == 0, "\(second.output)")
        #expect(try Self.envValue("BRAIN_CAPITAL_MASTER_KEY", in: folder) == Self.fakeKey)
        for command in ["migrate", "run"] {
            let umasks = try String(contentsOfFile: folder.path("umask-\(command)"), encoding: .utf8)
                .split(separator: "\n")
            #expect(umasks == ["0077", "0077"], "\(command): \(umasks)")
        }
    }

    @Test(
        .enabled(if: available, "bash or python3 is missing: setup-and-run.sh was not exercised"),
        .enabled(if: straceWorks, "strace is missing or may not trace here: command lines were not inspected")
    )
    func noSecretOnAnyCommandLine() throws {
        let folder = try Self.makeTree()
        let trace = folder.path("execve.trace")
        let result = try Self.runScript(in: folder, trace: trace)
        #expect(result.status == 0, "\(result.output)")
        let commandLines = try String(contentsOfFile: trace, encoding: .utf8)
        #expect(commandLines.contains("execve("), "the trace holds no command line")
        let secret = try Self.envValue("SECRET_KEY", in: folder)
        #expect(!commandLines.contains(Self.fakeKey), "the master key was on a command line")
        #expect(!commandLines.contains(secret), "the REST secret was on a command line")
    }
}
