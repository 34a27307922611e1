import NIOCore
import NIOPosix
import NIOSSL

/// One connection to the server: commands out, replies in, and the TLS upgrade of STARTTLS.
struct SMTPConnection: Sendable {
    let channel: any Channel
    let reader: SMTPReplyReader
    let replyTimeout: TimeAmount
    private(set) var isEncrypted: Bool

    static func open(
        host: String,
        port: Int,
        implicitTLS: NIOSSLContext?,
        group: any EventLoopGroup,
        connectTimeout: TimeAmount,
        replyTimeout: TimeAmount
    ) async throws -> SMTPConnection {
        let reader = SMTPReplyReader()
        let serverName = Self.serverName(host)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
            .connect(host: host, port: port).get()
        return SMTPConnection(
            channel: channel,
            reader: reader,
            replyTimeout: replyTimeout,
            isEncrypted: implicitTLS != nil
        )
    }

    /// The name for SNI and certificate checks; `nil` for an IP address, which NIOSSL then checks against the
    /// certificate's IP addresses.
    static func serverName(_ host: String) -> String? {
        let isAddress =
            host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
        return isAddress ? nil : host
    }

    /// Whether the peer is this machine (127.0.0.0/8, ::1, or an IPv4-mapped loopback).
    var peerIsLoopback: Bool {
        guard let address = channel.remoteAddress?.ipAddress else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.lowercased().hasPrefix("::ffff:127.")
    }

    var localAddressLiteral: String {
        guard let address = channel.localAddress?.ipAddress else { return "[127.0.0.1]" }
        return address.contains(":") ? "[IPv6:\(address)]" : "[\(address)]"
    }

    func nextReply() async throws -> SMTPReply {
        let (reader, timeout) = (reader, replyTimeout)
        return try await channel.eventLoop.flatSubmit { reader.next(timeout: timeout, on: channel.eventLoop) }.get()
    }

    /// Writes `line` + CRLF.
    func write(_ line: String) async throws {
        try await write(bytes: Array((line + "\r\n").utf8))
    }

    /// A write to a connection the reader saw fail (a TLS handshake refused, say) reports the reader's reason,
    /// not NIO's "I/O on closed channel".
    func write(bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        } catch {
            let reader = reader
            throw (try? await channel.eventLoop.submit { reader.failure }.get()) ?? SMTPError.from(error)
        }
    }

    /// Sends `line` and returns the reply.
    func command(_ line: String) async throws -> SMTPReply {
        try await write(line)
        return try await nextReply()
    }

    /// Puts TLS under the reader, after the server's 220 to STARTTLS. Refuses if the server already sent more:
    /// those bytes came in clear and could be an attacker's answer to the first encrypted command.
    mutating func startTLS(_ context: NIOSSLContext, host: String) async throws {
        let (reader, channel) = (reader, channel)
        let serverName = Self.serverName(host)
        try await channel.eventLoop.submit {
            guard !reader.hasUnreadInput else {
                throw SMTPError(.permanent, "the server sent data in clear after agreeing to STARTTLS")
            }
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: context, serverHostname: serverName),
                position: .first
            )
        }.get()
        isEncrypted = true
    }

    func close() async {
        try? await channel.close()
    }
}
