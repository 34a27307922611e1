import Foundation
import Testing

/// `deploy/Containerfile`, checked for structure: no container engine runs where the tests run, so the image is
/// never built here; this keeps the file's promises (two stages, static Swift runtime, non-root user, health
/// check, the texts where the binary finds them) and every path it copies from the checkout true.
@Suite struct ContainerfileTests {
    struct Instruction {
        let keyword: String
        let arguments: String
        let stage: Int
    }

    /// The file's instructions, continuation lines joined and comments dropped, each with its stage (0, 1, …).
    static let instructions: [Instruction] = {
        let url = ShellCommand.checkout.appendingPathComponent("deploy/Containerfile")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var logical = [String]()
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || (trimmed.isEmpty && pending.isEmpty) { continue }
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast() + " "
            } else {
                logical.append(pending + trimmed)
                pending = ""
            }
        }
        var stage = -1
        return logical.compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let keyword = parts.first?.uppercased(), !keyword.isEmpty else { return nil }
            if keyword == "FROM" { stage += 1 }
            return Instruction(keyword: keyword, arguments: parts.count > 1 ? parts[1] : "", stage: stage)
        }
    }()

    static func all(_ keyword: String, stage: Int? = nil) -> [Instruction] {
        instructions.filter { $0.keyword == keyword && (stage == nil || $0.stage == stage) }
    }

    @Test func buildsInTheSwiftImageAndRunsInSlimDebian() throws {
        let stages = Self.all("FROM")
        try #require(stages.count == 2, "two stages: build and run")
        #expect(stages[0].arguments.contains("swift:") && stages[0].arguments.contains("-bookworm"))
        #expect(stages[0].arguments.hasSuffix(" AS build"))
        #expect(stages[1].arguments.contains("debian:bookworm-slim"))
        let builds = Self.all("RUN", stage: 0).filter { $0.arguments.contains("swift build") }
        #expect(
            builds.contains { $0.arguments.contains("-c release") && $0.arguments.contains("--static-swift-stdlib") }
        )
        let installs = Self.all("RUN", stage: 1).map(\.arguments).joined(separator: " ")
        for package in ["libsqlite3-0", "ca-certificates", "tzdata", "locales", "curl"] {
            #expect(installs.contains(" \(package)"), "the runtime stage installs \(package)")
        }
        #expect(!installs.contains("libsqlite3-dev") && !installs.contains("swift"), "no build tools at run time")
    }

    @Test func runsAsItsOwnUserWithDataInAVolume() throws {
        let user = try #require(Self.all("USER", stage: 1).last, "a USER in the runtime stage")
        let name = String(user.arguments.split(separator: ":").first ?? "")
        #expect(!["", "root", "0"].contains(name))
        let setup = Self.all("RUN", stage: 1).map(\.arguments).joined(separator: " ")
        #expect(setup.contains("useradd") && setup.contains(" \(name)"), "the user \(name) is created")
        #expect(setup.contains("-o \(name)") && setup.contains("/data"), "and owns /data")
        #expect(Self.all("VOLUME").map(\.arguments) == ["/data"])
        let environment = Self.all("ENV", stage: 1).map(\.arguments).joined(separator: " ")
        #expect(environment.contains("DATABASE_URL=sqlite:////data/"))
        #expect(environment.contains("API_HOST=0.0.0.0"), "the API is reachable from outside the container")
        #expect(Self.all("EXPOSE").map(\.arguments) == ["8000"])
        #expect(Self.all("ENTRYPOINT").first?.arguments == #"["/usr/local/bin/exchange-bot"]"#)
        #expect(Self.all("CMD", stage: 1).first?.arguments == #"["run"]"#)
    }

    @Test func checksHealthOnHealthz() throws {
        let check = try #require(Self.all("HEALTHCHECK").first)
        let command = try #require(check.arguments.range(of: "CMD ")).upperBound
        let probe = check.arguments[command...]
        #expect(probe.hasPrefix("curl --fail"), "a tool the runtime stage installs")
        #expect(probe.contains("http://127.0.0.1:${API_PORT:-8000}/healthz"))
    }

    /// Every `COPY` from the build context names something in the checkout, and the binary and `locales/` land
    /// where the binary looks for its texts (`../share/exchange-bot/locales` beside the binary's folder).
    @Test func copiesOnlyWhatTheCheckoutHasToWhereTheBinaryFindsIt() throws {
        let copies = Self.all("COPY")
        try #require(!copies.isEmpty)
        var destinations = [String]()
        for copy in copies {
            let words = copy.arguments.split(separator: " ").map(String.init)
            if words.first?.hasPrefix("--from=") == true {
                #expect(words.first == "--from=build", "copies only from the build stage")
                continue
            }
            try #require(words.count >= 2)
            destinations.append(words.last!)
            for source in words.dropLast() {
                let matches = try Self.matches(source)
                #expect(!matches.isEmpty, "COPY \(source): nothing in the checkout matches")
            }
        }
        #expect(destinations.contains("/staging/usr/local/share/exchange-bot/locales"))
        let install = Self.all("RUN", stage: 0).map(\.arguments).joined(separator: " ")
        #expect(install.contains("/staging/usr/local/bin/exchange-bot"))
        #expect(Self.all("COPY", stage: 1).map(\.arguments) == ["--from=build /staging/ /"])
        // What a build sends: the ignore file keeps the local build folder out of the context.
        let ignored = try String(
            contentsOf: ShellCommand.checkout.appendingPathComponent(".dockerignore"),
            encoding: .utf8
        )
        #expect(ignored.split(separator: "\n").contains(".build"))
        #expect(!ignored.split(separator: "\n").contains { ["Sources", "Tests", "locales"].contains($0) })
    }

    /// The checkout's files matching a `COPY` source (a path, or a name with `*` in its last part).
    static func matches(_ source: String) throws -> [String] {
        let url = ShellCommand.checkout.appendingPathComponent(source)
        guard source.contains("*") else {
            return FileManager.default.fileExists(atPath: url.path) ? [source] : []
        }
        let folder = url.deletingLastPathComponent()
        let pattern = url.lastPathComponent
        let prefix = String(pattern.prefix { $0 != "*" })
        let suffix = String(pattern.reversed().prefix { $0 != "*" }.reversed())
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix(prefix) && $0.hasSuffix(suffix) && $0.count >= prefix.count + suffix.count
        }
    }
}
