import Foundation

/// Everything one run measured, and how it is printed: a table for people, then one line per goal in a fixed
/// form (`name: swift …, python …, ratio …x (goal >= Nx: met)`) that scripts can grep.
struct BenchReport {
    /// Swift must do at least this many Fernet operations per Python one.
    static let fernetGoal = 5.0
    /// Python's rotation must take at least this many times as long as Swift's.
    static let rotationGoal = 3.0

    var context: [String]
    var swiftFernet: FernetThroughput.Result
    var pythonFernet: FernetThroughput.Result?
    var rows: Int
    var swiftRotation: RotationBenchmark.Result
    var pythonRotation: PythonBaseline.Rotation?
    /// Why there are no Python figures, when there are none.
    var skipReason: String?
    var notes: [String]

    /// One compared figure.
    private struct Line {
        var name: String
        var label: String
        var swift: String
        var python: String?
        var ratio: Double?
        var goal: Double
        var summary: String
    }

    func render() -> String {
        let lines = comparisonLines()
        var output = context.map { "  " + $0 }
        output.insert("exchange-bot-bench: Swift vs Python cryptography, measured in this run on this machine", at: 0)
        output.append("")

        let header = ["measurement", "swift", "python", "ratio", "goal", "status"]
        let rows = lines.map { line in
            [
                line.label,
                line.swift,
                line.python ?? "skipped",
                line.ratio.map { String(format: "%.2fx", $0) } ?? "n/a",
                ">= \(Self.number(line.goal))x",
                status(line),
            ]
        }
        output += Self.table([header] + rows)
        output.append("")
        output += notes.map { "  " + $0 }
        if let skipReason {
            output.append("  python baseline skipped: \(skipReason)")
        }
        output.append("")
        output += lines.map(\.summary)
        return output.joined(separator: "\n")
    }

    private func comparisonLines() -> [Line] {
        let encrypt = fernetLine("fernet.encrypt", swift: swiftFernet.encrypt, python: pythonFernet?.encrypt)
        let decrypt = fernetLine("fernet.decrypt", swift: swiftFernet.decrypt, python: pythonFernet?.decrypt)
        return [encrypt, decrypt, rotationLine()]
    }

    private func fernetLine(_ name: String, swift: Throughput, python: Throughput?) -> Line {
        let ratio = python.map { swift.perSecond / $0.perSecond }
        var line = Line(
            name: name,
            label: "\(name) (64-byte secret)",
            swift: "\(Self.grouped(swift.perSecond)) ops/s",
            python: python.map { "\(Self.grouped($0.perSecond)) ops/s" },
            ratio: ratio,
            goal: Self.fernetGoal,
            summary: ""
        )
        let pythonText = python.map { "python \(Self.plain($0.perSecond)) ops/s" } ?? "python skipped"
        line.summary = "\(name): swift \(Self.plain(swift.perSecond)) ops/s, \(pythonText), \(ratioText(line))"
        return line
    }

    private func rotationLine() -> Line {
        func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }
        func rate(_ value: Double) -> Double { Double(rows) / value }
        let python = pythonRotation?.seconds
        var line = Line(
            name: "rotation",
            label: "rotation (\(Self.grouped(Double(rows))) rows)",
            swift: "\(seconds(swiftRotation.seconds)), \(Self.grouped(rate(swiftRotation.seconds))) rows/s",
            python: python.map { "\(seconds($0)), \(Self.grouped(rate($0))) rows/s" },
            ratio: python.map { $0 / swiftRotation.seconds },
            goal: Self.rotationGoal,
            summary: ""
        )
        let swiftText = "swift \(seconds(swiftRotation.seconds)) (\(Self.plain(rate(swiftRotation.seconds))) rows/s)"
        let pythonText = python.map { "python \(seconds($0)) (\(Self.plain(rate($0))) rows/s)" } ?? "python skipped"
        line.summary = "rotation: \(swiftText), \(pythonText), \(ratioText(line))"
        return line
    }

    private func status(_ line: Line) -> String {
        guard let ratio = line.ratio else { return "not checked" }
        return ratio >= line.goal ? "met" : "not met"
    }

    private func ratioText(_ line: Line) -> String {
        let goal = "goal >= \(Self.number(line.goal))x"
        guard let ratio = line.ratio else { return "ratio n/a (\(goal): not checked, python baseline skipped)" }
        return "ratio \(String(format: "%.2fx", ratio)) (\(goal): \(ratio >= line.goal ? "met" : "not met"))"
    }

    // MARK: - Formatting

    /// Figures right-aligned between a left-aligned first and (unpadded) last column, two spaces apart.
    private static func table(_ cells: [[String]]) -> [String] {
        let widths = cells[0].indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        let lines = cells.map { row in
            row.enumerated().map { column, cell in
                if column == row.count - 1 { return cell }
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            .joined(separator: "  ")
        }
        return [lines[0], rule] + lines.dropFirst()
    }

    /// `1234567.8` as `1,234,568`.
    static func grouped(_ value: Double) -> String {
        let digits = Array(plain(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// `1234567.8` as `1234568`.
    static func plain(_ value: Double) -> String {
        String(Int(value.rounded()))
    }

    /// `5.0` as `5`, `2.5` as `2.5`.
    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
