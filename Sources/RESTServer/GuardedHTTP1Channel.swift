import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1.1 child channel with ``ConnectionLimits``: its idle timeout, plus what Hummingbird 2 does
/// not offer, a deadline for a request's head and for its body, and a cap on open connections.
///
/// Hummingbird's idle timer only counts decoded HTTP parts, so a client that trickles a head byte by byte, or a
/// body one byte before each idle timeout, keeps its connection forever; ``RequestDeadlines`` watches the raw
/// bytes and the decoded parts to close those. A connection over the cap is answered 503 (the standard error
/// body, `Retry-After`) and closed, instead of waiting unseen in the accept backlog.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let counter: ConnectionCounter

    static func builder(_ limits: ConnectionLimits, counter: ConnectionCounter = ConnectionCounter())
        -> HTTPServerBuilder
    {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(responder: responder, limits: limits, counter: counter)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = counter.admit(limit: limits.maxConnections)
        if admitted {
            let counter = counter
            channel.closeFuture.whenComplete { _ in counter.release() }
        }
        let deadlines = NIOLoopBound(RequestDeadlines(limits), eventLoop: channel.eventLoop)
        let http = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [RequestPartWatch(deadlines.value)],
                idleTimeout: TimeAmount(limits.idleTimeout)
            )
        )
        return channel.eventLoop.makeCompletedFuture {
            // First in the pipeline: it sees the raw bytes before the HTTP decoder.
            if admitted {
                try channel.pipeline.syncOperations.addHandler(FirstByteWatch(deadlines.value))
            } else {
                try channel.pipeline.syncOperations.addHandler(ConnectionRefusal())
            }
        }.flatMap { http.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}

/// The deadlines of one connection, shared by its two watchers; confined to the connection's event loop.
final class RequestDeadlines {
    let limits: ConnectionLimits
    var readingRequest = false
    var head: Scheduled<Void>?
    var body: Scheduled<Void>?

    init(_ limits: ConnectionLimits) {
        self.limits = limits
    }

    func arm(_ timeout: Duration, closing context: ChannelHandlerContext) -> Scheduled<Void> {
        context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            context.close(promise: nil)
        }
    }

    func cancelAll() {
        head?.cancel()
        body?.cancel()
        head = nil
        body = nil
    }
}

/// Starts the head deadline at the first byte of a request (an idle keep-alive connection is the idle timeout's).
final class FirstByteWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let deadlines: RequestDeadlines

    init(_ deadlines: RequestDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !deadlines.readingRequest, deadlines.head == nil {
            deadlines.head = deadlines.arm(deadlines.limits.headerTimeout, closing: context)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.cancelAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlines.cancelAll()
    }
}

/// Ends the head deadline at a decoded head and bounds the body from there to its end.
final class RequestPartWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    let deadlines: RequestDeadlines

    init(_ deadlines: RequestDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadlines.head?.cancel()
            deadlines.head = nil
            deadlines.readingRequest = true
            deadlines.body = deadlines.arm(deadlines.limits.bodyTimeout, closing: context)
        case .end:
            deadlines.body?.cancel()
            deadlines.body = nil
            deadlines.readingRequest = false
        case .body:
            break
        }
        context.fireChannelRead(data)
    }
}

/// Answers a connection over the cap with 503 and closes it, reading nothing it sent.
final class ConnectionRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let response: String = {
        let body = #"{"error":"Service Unavailable","detail":"Too many open connections; retry shortly","code":"503"}"#
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body
    }()

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private var refused = false

    private func refuse(_ context: ChannelHandlerContext) {
        guard !refused else { return }
        refused = true
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.response))).assumeIsolated().whenComplete {
            _ in context.close(promise: nil)
        }
    }
}
