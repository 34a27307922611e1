import Foundation

extension Update {
    /// One update as a webhook posts it, read as leniently as an element of a `getUpdates` batch: a payload of a
    /// known kind that cannot be read becomes ``Kind/undecodable(_:)`` with its `update_id`, so it can be
    /// acknowledged and skipped. `nil` when the body has no readable `update_id` (or is not JSON at all).
    public static func lenient(json: Data) -> Update? {
        (try? JSONDecoder().decode(UpdateBatch.Element.self, from: json))?.update
    }
}
