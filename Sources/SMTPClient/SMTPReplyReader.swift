import NIOCore

/// Reads the server's replies off the channel: lines up to CRLF, gathered into multi-line replies, handed out one
/// per ``next(timeout:)``.
///
/// All state is touched on the channel's event loop only (the client calls through `eventLoop.flatSubmit`), hence
/// `@unchecked Sendable`. A reply that does not come within its timeout fails with a transient error and closes
/// the connection; a line or a reply that grows without end fails instead of taking memory.
final class SMTPReplyReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    static let maximumLineLength = 2048
    static let maximumLines = 200

    private var buffer = ByteBuffer()
    private var lines = [String]()
    private var code: Int?
    private var replies = CircularBuffer<SMTPReply>()
    private var waiting: EventLoopPromise<SMTPReply>?
    /// Why the connection is unusable, once it is.
    private(set) var failure: SMTPError?
    private var channel: (any Channel)?

    /// Whether bytes or a whole reply arrived that no one asked for yet (after STARTTLS's 220 that would be
    /// plain-text injection).
    var hasUnreadInput: Bool { buffer.readableBytes > 0 || !replies.isEmpty || code != nil }

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        channel = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        parse()
        if buffer.readableBytes > Self.maximumLineLength {
            fail(SMTPError(.transient, "the server sent a reply line longer than \(Self.maximumLineLength) bytes"))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPError.from(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError(.transient, "the server closed the connection"))
        context.fireChannelInactive()
    }

    /// The next reply; fails after `timeout` (and closes the connection).
    func next(timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let reply = replies.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting = promise
        let timer = eventLoop.scheduleTask(in: timeout) { [self] in
            fail(SMTPError(.transient, "the server did not answer within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    private func fail(_ error: SMTPError) {
        guard failure == nil else { return }
        failure = error
        buffer.clear()
        if let waiting {
            self.waiting = nil
            waiting.fail(error)
        }
        channel?.close(promise: nil)
    }

    private func parse() {
        while failure == nil, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = buffer.readableBytesView.distance(from: buffer.readableBytesView.startIndex, to: newline) + 1
            let bytes = buffer.readBytes(length: length) ?? []
            var line = String(
                decoding: bytes.dropLast(bytes.count >= 2 && bytes[bytes.count - 2] == 13 ? 2 : 1),
                as: UTF8.self
            )
            let digits = line.prefix(3)
            guard digits.count == 3, digits.allSatisfy(\.isASCII), let lineCode = Int(digits),
                (200...599).contains(lineCode) || (100...199).contains(lineCode)
            else {
                fail(SMTPError(.transient, "the server sent something that is not an SMTP reply"))
                return
            }
            let separator = line.dropFirst(3).first
            guard separator == nil || separator == " " || separator == "-", code == nil || code == lineCode else {
                fail(SMTPError(.transient, "the server sent a malformed multi-line reply"))
                return
            }
            line = String(line.dropFirst(4))
            code = lineCode
            lines.append(line)
            if lines.count > Self.maximumLines {
                fail(SMTPError(.transient, "the server sent a reply of more than \(Self.maximumLines) lines"))
                return
            }
            if separator != "-" {
                deliver(SMTPReply(code: lineCode, lines: lines))
                lines = []
                code = nil
            }
        }
    }

    private func deliver(_ reply: SMTPReply) {
        if let waiting {
            self.waiting = nil
            waiting.succeed(reply)
        } else {
            replies.append(reply)
        }
    }
}
