import Foundation

/// The methods each path of the OpenAPI document serves, read from the document itself (the list of routes
/// clients are promised; a test checks every documented operation is routed), so that a known path asked with
/// another method answers 405 with `Allow` rather than 404.
enum DocumentedRoutes {
    private struct Route {
        let segments: [Substring]
        let methods: [String]
    }

    private static let routes: [Route] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)),
            let paths = (document as? [String: Any])?["paths"] as? [String: Any]
        else { return [] }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        return paths.map { path, item in
            var declared = Set(((item as? [String: Any]) ?? [:]).keys.map { $0.uppercased() })
            // The router answers HEAD wherever it answers GET.
            if declared.contains("GET") { declared.insert("HEAD") }
            return Route(segments: path.split(separator: "/"), methods: order.filter(declared.contains))
        }
    }()

    /// The methods served on `path` (trailing slash or not), or `nil` when no documented path matches.
    static func allowedMethods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        return routes.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, actual in
                    template.hasPrefix("{") || template == actual
                }
        }?.methods
    }
}
