import Hummingbird

/// Resolves the client's address once, first of all, for the access log and the per-address rate limit.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.clientAddress = resolver.resolve(peer: context.remoteAddress, headers: request.headers)
        return try await next(request, context)
    }
}
