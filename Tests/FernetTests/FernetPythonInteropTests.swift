import Foundation
import TestSupport
import Testing

@testable import Fernet

/// Python `cryptography` as an independent oracle: tokens travel both ways.
@Suite(.enabled(if: Python.cryptographyAvailable, "\(Python.skipReason): Python interop not checked"))
struct FernetPythonInteropTests {
    @Test func pythonOpensSwiftTokens() async throws {
        let key = FernetKey.generate()
        let secret = "sk-\(UUID().uuidString)-ünïcødé"
        let token = Fernet(key: key).encrypt(secret, at: Date(timeIntervalSince1970: 1_700_000_000))
        let output = try await Python.run(
            """
            import sys
            from cryptography.fernet import Fernet
            f = Fernet(sys.argv[1].encode())
            print(f.decrypt(sys.argv[2].encode()).decode())
            print(f.extract_timestamp(sys.argv[2].encode()))
            """,
            arguments: [key.base64, token]
        )
        #expect(output == "\(secret)\n1700000000")
    }

    @Test func swiftOpensPythonTokens() async throws {
        let output = try await Python.run(
            """
            from cryptography.fernet import Fernet, MultiFernet
            old, new = Fernet.generate_key(), Fernet.generate_key()
            token = Fernet(old).encrypt_at_time("päss-123".encode(), 1234567890)
            rotated = MultiFernet([Fernet(new), Fernet(old)]).rotate(token)
            print(old.decode()); print(new.decode()); print(token.decode()); print(rotated.decode())
            """
        )
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == 4)
        let old = try FernetKey(base64: lines[0])
        let new = try FernetKey(base64: lines[1])
        #expect(try Fernet(key: old).decryptString(lines[2]) == "päss-123")
        #expect(try Fernet(key: old).extractTimestamp(lines[2]) == 1_234_567_890)
        #expect(try Fernet(key: new).decryptString(lines[3]) == "päss-123")
        #expect(try Fernet(key: new).extractTimestamp(lines[3]) == 1_234_567_890)
    }

    @Test func pythonOpensSwiftRotations() async throws {
        let old = FernetKey.generate()
        let new = FernetKey.generate()
        let token = Fernet(key: old).encrypt("rotate-me", at: Date(timeIntervalSince1970: 42))
        let rotated = try MultiFernet(keys: [new, old]).rotate(token)
        let output = try await Python.run(
            """
            import sys
            from cryptography.fernet import Fernet
            f = Fernet(sys.argv[1].encode())
            print(f.decrypt(sys.argv[2].encode()).decode(), f.extract_timestamp(sys.argv[2].encode()))
            """,
            arguments: [new.base64, rotated]
        )
        #expect(output == "rotate-me 42")
    }

    @Test func keysGeneratedOnEitherSideWork() async throws {
        let swiftKey = FernetKey.generate()
        let pythonKey = try await Python.run(
            "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
        )
        #expect(try FernetKey(base64: pythonKey).base64 == pythonKey)
        _ = try await Python.run(
            "import sys; from cryptography.fernet import Fernet; Fernet(sys.argv[1].encode())",
            arguments: [swiftKey.base64]
        )
    }
}
