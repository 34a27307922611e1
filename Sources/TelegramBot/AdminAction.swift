/// What a button on an admin request means, in its `callback_data` (`apr:12`, `rej:12`).
enum AdminAction: Equatable, Sendable {
    case approve(keyID: Int64)
    case reject(keyID: Int64)

    var data: String {
        switch self {
        case .approve(let id): "apr:\(id)"
        case .reject(let id): "rej:\(id)"
        }
    }

    /// Parses `callback_data`; anything else is `nil`.
    init?(data: String) {
        let parts = data.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int64(parts[1]), id > 0 else { return nil }
        switch parts[0] {
        case "apr": self = .approve(keyID: id)
        case "rej": self = .reject(keyID: id)
        default: return nil
        }
    }

    var keyID: Int64 {
        switch self {
        case .approve(let id), .reject(let id): id
        }
    }
}
