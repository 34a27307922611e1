/// A row the store expected to find in the transaction it is running is not there.
///
/// It cannot happen while this service is the only writer (it just wrote or read the row in the same transaction);
/// it is a typed error rather than a crash because the database may be shared with the Python side.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingRow(table: String, id: Int64)

    public var description: String {
        switch self {
        case .missingRow(let table, let id): "row \(id) of \(table) vanished inside its transaction"
        }
    }
}
