/// The `result` of `getUpdates`, decoded element by element.
///
/// A single bad element must not cost the whole batch (and with it the bot: the poller would ask for the same
/// batch forever). Each element is read on its own; one that fails keeps its `update_id` as
/// ``Update/Kind/undecodable(_:)``. An element without a readable `update_id` cannot be confirmed by itself and
/// is only counted; confirming any later update skips it too.
struct UpdateBatch: Decodable, Sendable {
    var updates: [Update] = []
    var withoutID = 0

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            /// `Element` never throws, so the container always advances past a bad element.
            let element = try container.decode(Element.self)
            if let update = element.update {
                updates.append(update)
            } else {
                withoutID += 1
            }
        }
    }

    /// One element on its own: also how a webhook post is read (``Update/lenient(json:)``).
    struct Element: Decodable {
        var update: Update?

        init(from decoder: any Decoder) {
            do {
                update = try Update(from: decoder)
            } catch {
                let id = try? decoder.container(keyedBy: Update.Key.self).decode(Int64.self, forKey: .updateID)
                update = id.map { Update(updateID: $0, kind: .undecodable(Self.reason(error))) }
            }
        }

        /// The coding path and the decoder's complaint; it names fields, not their values.
        static func reason(_ error: any Error) -> String {
            guard let error = error as? DecodingError else { return String(describing: type(of: error)) }
            let context: DecodingError.Context
            switch error {
            case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found):
                context = found
            case .keyNotFound(let key, let found):
                let path = (found.codingPath + [key]).map(\.stringValue).joined(separator: ".")
                return "\(path): missing"
            @unknown default:
                return "undecodable"
            }
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "\(path): \(context.debugDescription)"
        }
    }
}
