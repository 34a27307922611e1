import ExchangeBotCore
import ExchangeSigning
import Foundation
import Synchronization

/// The ``CredentialValidator`` on real exchange APIs.
///
/// For a key it makes the one authenticated call of its exchange that proves key, secret and passphrase and reads
/// the key's permissions, then applies the product's policy: the key must be able to trade, must not be able to
/// withdraw (unless `ALLOW_WITHDRAW_KEYS`), a key whose withdrawal right the exchange does not report is refused
/// or accepted with a warning (`UNKNOWN_WITHDRAW_POLICY`), and a key without an IP whitelist is accepted with a
/// warning. A timestamp refusal is answered by reading the exchange's clock, correcting the offset and retrying
/// once.
public struct ExchangeValidator: CredentialValidator {
    private let transport: any ExchangeTransport
    private let endpoints: ExchangeEndpoints
    private let timeout: Duration
    private let allowWithdrawKeys: Bool
    private let unknownWithdrawPolicy: UnknownWithdrawPolicy
    private let clock: any WallClock
    private let offsets = ClockOffsets()
    private let nonces = NonceSource()

    public init(
        transport: any ExchangeTransport,
        endpoints: ExchangeEndpoints,
        timeout: Duration = .seconds(10),
        allowWithdrawKeys: Bool = false,
        unknownWithdrawPolicy: UnknownWithdrawPolicy = .warn,
        clock: any WallClock = SystemClock()
    ) {
        self.unknownWithdrawPolicy = unknownWithdrawPolicy
        self.transport = transport
        self.endpoints = endpoints
        self.timeout = timeout
        self.allowWithdrawKeys = allowWithdrawKeys
        self.clock = clock
    }

    public func validate(_ credentials: Credentials) async throws(CredentialError) -> ValidationReport {
        let exchange = credentials.exchange
        guard let origin = endpoints.origin(for: exchange) else { throw .sandboxUnavailable(exchange) }
        let adapter = Self.adapter(for: exchange)
        let signer = ExchangeSigning.signer(for: exchange)
        var nonce = nonces.next(at: clock.now())
        var request = adapter.permissionRequest(sandbox: endpoints.sandbox, nonce: nonce)
        var correctedClock = false
        for _ in 0..<4 {
            let time = clock.now().addingTimeInterval(offsets[exchange])
            let signed: ExchangeRequest
            do {
                signed = try signer.sign(request, credentials: credentials, at: time)
            } catch {
                throw Self.credentialError(for: error)
            }
            let response = try await send(signed, to: origin)
            switch adapter.interpret(response, credentials: credentials, nonce: nonce).bounded {
            case .report(let report):
                return try apply(policy: report, exchange: exchange)
            case .follow(let next):
                request = next
            case .refused(.clockSkew) where !correctedClock:
                correctedClock = true
                guard try await correctClock(of: adapter, at: origin) else { throw .clockSkew }
                nonce = nonces.next(at: clock.now())
                request = adapter.permissionRequest(sandbox: endpoints.sandbox, nonce: nonce)
            case .refused(.authenticationFailed) where !correctedClock:
                // Coinbase answers a JWT outside its validity window with the same bare 401 as a wrong key: if
                // our clock is off, correct it and try once more; if not, the key is at fault.
                correctedClock = true
                let previous = offsets[exchange]
                guard (try? await correctClock(of: adapter, at: origin)) == true, abs(offsets[exchange] - previous) > 5
                else { throw .authenticationFailed }
                request = adapter.permissionRequest(sandbox: endpoints.sandbox, nonce: nonce)
            case .refused(let error):
                throw error
            }
        }
        throw .unexpectedResponse("too many redirections between endpoints")
    }

    // MARK: - Policy

    func apply(policy report: ValidationReport, exchange: ExchangeID) throws(CredentialError) -> ValidationReport {
        var report = report
        if report.canTrade == false { throw .tradePermissionMissing }
        if report.canWithdraw == true {
            guard allowWithdrawKeys else { throw .withdrawalEnabled }
            report.warnings.append("The key can withdraw funds (accepted because ALLOW_WITHDRAW_KEYS is on).")
        }
        // Gate without the `account` permission (or not listing the key), Coinbase Exchange: no one can tell
        // whether the key withdraws. MEXC reports the account's right: `false` bounds the key's, and `true` is
        // read as "can withdraw" (refused above) rather than "unknown", the stricter of the two readings.
        let withdrawalUnknown = report.canWithdraw == nil
        report.withdrawalRightUnknown = withdrawalUnknown
        if withdrawalUnknown {
            guard unknownWithdrawPolicy == .warn else { throw .withdrawalUnknown }
            report.warnings.append(
                "Withdrawal right unknown: \(exchange.displayName) does not report whether this key can withdraw. "
                    + "Check on the exchange that withdrawals are disabled for it."
            )
        }
        if report.canTrade == nil {
            report.warnings.append(
                "\(exchange.displayName) does not report whether the key can trade; check it is enabled."
            )
        }
        if report.ipRestricted == false {
            report.warnings.append(
                "The key has no IP whitelist: anyone holding it can use it, and \(exchange.displayName) may expire "
                    + "such keys. Restrict it to our server's IP."
            )
        }
        report.warnings = Array(NSOrderedSet(array: report.warnings).array as? [String] ?? report.warnings)
        return report
    }

    // MARK: - I/O

    private func send(_ request: ExchangeRequest, to origin: URL) async throws(CredentialError) -> ExchangeHTTPResponse
    {
        do {
            return try await transport.send(request, to: origin, timeout: timeout)
        } catch {
            switch error {
            case .timeout: throw .timeout
            case .responseTooLarge: throw .unexpectedResponse("an answer larger than 1 MB")
            case .unreachable: throw .exchangeUnavailable("cannot connect")
            }
        }
    }

    /// The largest difference between our clock and an exchange's that a correction accepts. Receive windows are
    /// seconds wide; a server time further off than a day is a broken answer (or a broken host clock), and
    /// signing with it would only earn more refusals.
    static let maxClockOffset: TimeInterval = 86_400

    /// Reads the exchange's clock and keeps the difference, so later requests are stamped in its time. `false`
    /// when the answer holds no time; a time that is not finite or lies more than ``maxClockOffset`` from ours is
    /// an unexpected response, never an offset to sign with.
    private func correctClock(of adapter: any ExchangeAdapter, at origin: URL) async throws(CredentialError) -> Bool {
        let before = clock.now()
        let response = try await send(adapter.serverTimeRequest, to: origin)
        let after = clock.now()
        guard let serverTime = adapter.serverTime(from: response) else { return false }
        let midpoint = before.addingTimeInterval(after.timeIntervalSince(before) / 2)
        let offset = serverTime.timeIntervalSince(midpoint)
        guard offset.isFinite, abs(offset) <= Self.maxClockOffset else {
            throw .unexpectedResponse("a server time not within a day of ours")
        }
        offsets[adapter.exchange] = offset
        return true
    }

    static func credentialError(for error: SigningError) -> CredentialError {
        switch error {
        case .missingPassphrase: .invalidPassphrase
        case .secretNotBase64, .notAnECP256PrivateKey, .missingKeyOrSecret: .invalidSecret
        case .wrongExchange, .signingFailed, .missingNonce, .receiveWindowOutOfRange, .timeOutOfRange:
            .unexpectedResponse("the request could not be signed")
        }
    }

    static func adapter(for exchange: ExchangeID) -> any ExchangeAdapter {
        switch exchange {
        case .binance: BinanceAdapter()
        case .bybit: BybitAdapter()
        case .okx: OKXAdapter()
        case .gate: GateAdapter()
        case .mexc: MEXCAdapter()
        case .kucoin: KuCoinAdapter()
        case .coinbase: CoinbaseAdapter()
        case .coinbaseexchange: CoinbaseExchangeAdapter()
        case .kraken: KrakenAdapter()
        }
    }
}

/// Per-exchange differences between our clock and the exchange's, learnt from timestamp refusals.
final class ClockOffsets: Sendable {
    private let offsets = Mutex<[ExchangeID: TimeInterval]>([:])

    subscript(exchange: ExchangeID) -> TimeInterval {
        get { offsets.withLock { $0[exchange] ?? 0 } }
        set { offsets.withLock { $0[exchange] = newValue } }
    }
}

/// Strictly increasing millisecond nonces (Kraken refuses a nonce not above the last one it saw for a key).
final class NonceSource: Sendable {
    private let last = Mutex<UInt64>(0)

    /// A clock before 1970 or beyond `UInt64` milliseconds counts as 0: the counter still grows.
    func next(at date: Date) -> UInt64 {
        let now = UInt64(exactly: (date.timeIntervalSince1970 * 1000).rounded(.down)) ?? 0
        return last.withLock { last in
            last = max(now, last == .max ? last : last + 1)
            return last
        }
    }
}
