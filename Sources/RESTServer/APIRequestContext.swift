import ExchangeBotCore
import Hummingbird
import NIOCore
import Synchronization

/// The per-request context of the REST API: who is calling, from where, and a body limit of 64 KB.
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The client's address (the peer, or whom a trusted proxy forwards for); set by ``ClientAddressMiddleware``.
    public var clientAddress: IPAddress?
    /// The authenticated user; set by ``BearerAuthMiddleware``.
    public var user: User?
    /// Shared with the outer middleware (the access log), which cannot see values set further in.
    public let identity: RequestIdentity

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        identity = RequestIdentity()
    }

    public var maxUploadSize: Int { 64 * 1024 }

    /// The caller as the approval service records it.
    var caller: Caller {
        Caller(userID: user?.id, displayName: user?.username)
    }
}

/// The authenticated user id of a request, readable by middleware outside the one that sets it.
public final class RequestIdentity: Sendable {
    private let box = Mutex<Int64?>(nil)

    public init() {}

    public var userID: Int64? {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }
}
