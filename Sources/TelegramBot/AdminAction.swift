/// What a button on an admin request means, in its `callback_data` (`apr:12:<revision>`, `rej:12:<revision>`).
///
/// The revision (``ExchangeKey/revision``, 16 hex digits) ties the button to the version of the key its message
/// shows: pressed after the owner changed the credentials, or on a message about a deleted key whose id was
/// reused, it decides nothing.
enum AdminAction: Equatable, Sendable {
    case approve(keyID: Int64, revision: String)
    case reject(keyID: Int64, revision: String)

    var data: String {
        switch self {
        case .approve(let id, let revision): "apr:\(id):\(revision)"
        case .reject(let id, let revision): "rej:\(id):\(revision)"
        }
    }

    /// Parses `callback_data`; anything else is `nil`.
    init?(data: String) {
        let parts = data.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let id = Int64(parts[1]), id > 0, parts[2].count == 16,
            parts[2].allSatisfy(\.isHexDigit)
        else { return nil }
        let revision = String(parts[2])
        switch parts[0] {
        case "apr": self = .approve(keyID: id, revision: revision)
        case "rej": self = .reject(keyID: id, revision: revision)
        default: return nil
        }
    }

    var keyID: Int64 {
        switch self {
        case .approve(let id, _), .reject(let id, _): id
        }
    }

    var revision: String {
        switch self {
        case .approve(_, let revision), .reject(_, let revision): revision
        }
    }
}
