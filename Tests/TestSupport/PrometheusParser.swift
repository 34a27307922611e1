import Foundation

/// Reads a `/metrics` answer with Python's `prometheus_client` parser
/// (`prometheus_client.parser.text_string_to_metric_families`): an independent reader of the exposition format.
///
/// Tests check ``available`` and skip, printing why, where python3 or the module is missing (no PyPI here).
public enum PrometheusParser {
    /// One sample: the family's type, the sample's full name, its labels and value.
    public struct Sample: Sendable, Decodable, Equatable {
        public let type: String
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public static let available: Bool = {
        guard Python.executable != nil else { return false }
        return (try? Python.runBlocking("import prometheus_client.parser")) != nil
    }()

    public static var skipReason: String {
        Python.executable == nil
            ? "python3 is not on PATH" : "python3 has no `prometheus_client` module (pip install prometheus_client)"
    }

    /// Every sample of `text`; throws when the parser refuses it.
    public static func samples(_ text: String) async throws -> [Sample] {
        let folder = TemporaryFolder()
        let file = folder.path("metrics.txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let json = try await Python.run(
            """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
                for s in family.samples:
                    out.append({"type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """,
            arguments: [file]
        )
        return try JSONDecoder().decode([Sample].self, from: Data(json.utf8))
    }
}

extension [PrometheusParser.Sample] {
    /// The sum of the samples named `name` whose labels include `labels`.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .map(\.value).reduce(0, +)
    }
}
