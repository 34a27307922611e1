import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Gives back the memory that start-up code holds once the service is ready.
///
/// Start-up runs a great deal of code once (argument parsing, the master-key check, migrations, the Swift
/// runtime's first look at every type), and the kernel maps its pages, plus neighbours it reads ahead, into the
/// process. They stay counted in its resident set until memory runs short, although nothing uses them again: about
/// 15 MB of a 40 MB idle footprint. Asking the kernel to page out the executable's read-only mappings
/// (`MADV_PAGEOUT`, Linux 5.4+) releases them at once; the pages the service still runs are faulted back from the
/// page cache as it works. Nothing here touches data: the mappings are read-only code and constants of the file.
/// Elsewhere, or on an older kernel, it does nothing.
enum StartupCodeRelease {
    /// `MADV_PAGEOUT` from `<linux/mman.h>`, which not every C library header exposes.
    private static let pageOut: Int32 = 21

    /// Returns the kilobytes of mappings advised, or `nil` where this is not supported.
    @discardableResult
    static func run() -> Int? {
        #if os(Linux)
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        else { return nil }
        var advised = 0
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5...].joined(separator: " ") == executable,
                !fields[1].contains("w")
            else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt(String($0), radix: 16) }
            guard bounds.count == 2, bounds[1] > bounds[0], let start = UnsafeMutableRawPointer(bitPattern: bounds[0])
            else { continue }
            if madvise(start, Int(bounds[1] - bounds[0]), pageOut) == 0 {
                advised += Int(bounds[1] - bounds[0]) / 1024
            }
        }
        return advised
        #else
        return nil
        #endif
    }
}
