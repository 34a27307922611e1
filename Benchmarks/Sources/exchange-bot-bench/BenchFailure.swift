/// A benchmark result that cannot be trusted (wrong data after a rotation, a baseline that misbehaved).
///
/// Thrown rather than printed so that `main` stops the run and exits non-zero: a fast figure for broken work
/// is worse than no figure.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
