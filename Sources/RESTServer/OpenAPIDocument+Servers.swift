import Foundation

/// The OpenAPI document as served: its `servers` entry names ``APIRootPath`` when one is set, so clients that
/// read it (Schemathesis, generators, the `/docs` page) call the API under the prefix a reverse proxy forwards.
extension OpenAPIDocument {
    /// The `servers` entry of the written document: relative, the document's own origin (OpenAPI's default).
    static let rootServers = #""servers": [{ "url": "/" }]"#

    /// ``json`` with its `servers` entry set to `rootPath` (unchanged when there is none).
    static func json(servedUnder rootPath: APIRootPath) -> String {
        guard !rootPath.isEmpty else { return json }
        // The prefix holds only unreserved characters (``APIRootPath``), so it needs no JSON escaping.
        return json.replacingOccurrences(of: rootServers, with: #""servers": [{ "url": "\#(rootPath.value)" }]"#)
    }
}
