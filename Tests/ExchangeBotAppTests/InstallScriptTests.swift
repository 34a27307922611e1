import Foundation
import TestSupport
import Testing

/// `install-systemd.sh` must not overwrite a unit the operator edited.
@Suite struct InstallScriptTests {
    static let script = ShellCommand.checkout.appendingPathComponent("deploy/install-systemd.sh").path

    /// Sources the script (which defines its functions without running) and calls `install_unit`.
    func installUnit(_ new: String, _ target: String, force: Bool) throws -> ShellCommand.Result {
        let bash = try #require(ShellCommand.find("bash"))
        return try ShellCommand.run(
            bash,
            [
                "-c", #"source "$1"; set +e; install_unit "$2" "$3" "$4"; echo "status=$?""#, "install-test",
                Self.script, new, target, force ? "yes" : "no",
            ]
        )
    }

    @Test(.enabled(if: ShellCommand.find("bash") != nil, "bash is not installed"))
    func anEditedUnitIsKeptUnlessForced() throws {
        let folder = TemporaryFolder()
        let new = folder.path("new.service")
        let target = folder.path("exchange-bot.service")
        try "[Service]\nExecStart=/new\n".write(toFile: new, atomically: true, encoding: .utf8)

        #expect(try installUnit(new, target, force: false).output.contains("status=0"))
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("/new"))

        let edited = "[Service]\nExecStart=/new\nEnvironment=LOCAL=1\n"
        try edited.write(toFile: target, atomically: true, encoding: .utf8)
        let kept = try installUnit(new, target, force: false)
        #expect(kept.output.contains("status=3") && kept.output.contains("--force"), "\(kept.output)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == edited)
        #expect(try String(contentsOfFile: target + ".dist", encoding: .utf8).contains("/new"))

        #expect(try installUnit(new, target, force: true).output.contains("status=0"))
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("/new"))
        #expect(try String(contentsOfFile: target + ".bak", encoding: .utf8) == edited)
        #expect(!FileManager.default.fileExists(atPath: target + ".dist"))
    }
}
