import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A Hummingbird server on 127.0.0.1 at a port the OS picks, for the fakes.
///
/// It runs inside a `ServiceGroup` and stops with a graceful shutdown: the server stops accepting, finishes what
/// it holds and closes. Cancelling the task that runs the server instead can race a connection being accepted and
/// trap inside NIO ("Deinited NIOAsyncWriter without calling finish()"), which takes the whole test process down.
public final class LoopbackServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String { "the loopback server stopped before it was listening" }
    }

    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// A test that forgets ``stop()`` must not leave a listener running for the rest of the test process.
    deinit {
        let group = group
        Task { await group.triggerGracefulShutdown() }
    }

    public static func start(
        label: String,
        respond: @escaping @Sendable (Request) async -> Response
    ) async throws -> LoopbackServer {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await respond(request) },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var port = 0
        for await bound in ports { port = bound }
        guard port > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw StartError()
        }
        return LoopbackServer(port: port, group: group, task: task)
    }

    /// Stops accepting, gives requests in flight a second to finish (a fake told to be slow may hold one far
    /// longer), then cancels what is left; returns when the server is closed. Cancelling only after the graceful
    /// shutdown began means no connection is being accepted any more.
    public func stop() async {
        await group.triggerGracefulShutdown()
        let task = task
        let watchdog = Task {
            try await Task.sleep(for: .seconds(1))
            task.cancel()
        }
        _ = try? await task.value
        watchdog.cancel()
    }
}
