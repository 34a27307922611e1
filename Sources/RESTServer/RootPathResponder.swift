import Hummingbird

/// Serves a router under ``APIRootPath`` as well as at `/`: a request whose target starts with the prefix is
/// handed to the router with the prefix taken off, any other request as it came.
///
/// It wraps the whole router rather than adding each route twice, so every route (those of other files included,
/// now and later) answers under the prefix, with the same middleware, the same 404/405 answers and the same
/// rate-limit buckets. (A router middleware could not do this: Hummingbird runs those after the route is chosen.)
public struct RootPathRouting<Inner: HTTPResponderBuilder>: HTTPResponderBuilder {
    public let rootPath: APIRootPath
    public let inner: Inner

    public init(rootPath: APIRootPath, inner: Inner) {
        self.rootPath = rootPath
        self.inner = inner
    }

    public func buildResponder() -> RootPathResponder<Inner.Responder> {
        RootPathResponder(rootPath: rootPath, inner: inner.buildResponder())
    }
}

/// The responder ``RootPathRouting`` builds.
public struct RootPathResponder<Inner: HTTPResponder>: HTTPResponder {
    public typealias Context = Inner.Context
    let rootPath: APIRootPath
    let inner: Inner

    public func respond(to request: Request, context: Context) async throws -> Response {
        guard let path = request.head.path, let stripped = rootPath.strip(path) else {
            return try await inner.respond(to: request, context: context)
        }
        var head = request.head
        head.path = stripped
        return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }
}
