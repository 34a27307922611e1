import Foundation

/// The project's shared reference folder (`../shared` beside the checkout), which a clone elsewhere lacks.
public enum SharedTestData {
    /// `../shared/testdata/fernet` if it exists.
    public static let fernetFolder: URL? = {
        var folder = URL(fileURLWithPath: #filePath)
        // Tests/TestSupport/SharedTestData.swift → the package root → its parent.
        for _ in 0..<4 { folder.deleteLastPathComponent() }
        let candidate = folder.appendingPathComponent("shared/testdata/fernet")
        return FileManager.default.fileExists(atPath: candidate.appendingPathComponent("generate.json").path)
            ? candidate : nil
    }()

    /// One vector of the Fernet spec's files (`generate.json`, `verify.json`, `invalid.json`).
    public struct FernetVector: Decodable, Sendable {
        public let token: String
        public let now: String
        public let secret: String
        public let iv: [UInt8]?
        public let src: String?
        public let ttl_sec: Int?
        public let desc: String?

        /// `now` as a date.
        public var date: Date { SharedTestData.date(now) ?? Date(timeIntervalSince1970: 0) }
    }

    public static func fernetVectors(_ name: String) throws -> [FernetVector] {
        guard let folder = fernetFolder else { return [] }
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        return try JSONDecoder().decode([FernetVector].self, from: data)
    }

    /// Parses the vectors' RFC 3339 times such as `1985-10-26T01:20:00-07:00`.
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
