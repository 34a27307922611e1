import ExchangeBotCore
import ExchangeSigning
import Foundation
import Synchronization

/// The ``CredentialValidator`` on real exchange APIs.
///
/// For a key it makes the one authenticated call of its exchange that proves key, secret and passphrase and reads
/// the key's permissions, then applies the product's policy: the key must be able to trade, must not be able to
/// withdraw (unless `ALLOW_WITHDRAW_KEYS`), and a key without an IP whitelist is accepted with a warning. A
/// timestamp refusal is answered by reading the exchange's clock, correcting the offset and retrying once.
public struct ExchangeValidator: CredentialValidator {
    private let transport: any ExchangeTransport
    private let endpoints: ExchangeEndpoints
    private let timeout: Duration
    private let allowWithdrawKeys: Bool
    private let clock: any WallClock
    private let offsets = ClockOffsets()
    private let nonces = NonceSource()

    public init(
        transport: any ExchangeTransport,
        endpoints: ExchangeEndpoints,
        timeout: Duration = .seconds(10),
        allowWithdrawKeys: Bool = false,
        clock: any WallClock = SystemClock()
    ) {
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
            switch adapter.interpret(response, credentials: credentials, nonce: nonce) {
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

    /// Reads the exchange's clock and keeps the difference, so later requests are stamped in its time. `false`
    /// when the exchange's time cannot be read.
    private func correctClock(of adapter: any ExchangeAdapter, at origin: URL) async throws(CredentialError) -> Bool {
        let before = clock.now()
        let response = try await send(adapter.serverTimeRequest, to: origin)
        let after = clock.now()
        guard let serverTime = adapter.serverTime(from: response) else { return false }
        let midpoint = before.addingTimeInterval(after.timeIntervalSince(before) / 2)
        offsets[adapter.exchange] = serverTime.timeIntervalSince(midpoint)
        return true
    }

    static func credentialError(for error: SigningError) -> CredentialError {
        switch error {
        case .missingPassphrase: .invalidPassphrase
        case .secretNotBase64, .notAnECP256PrivateKey, .missingKeyOrSecret: .invalidSecret
        case .wrongExchange, .signingFailed, .missingNonce, .receiveWindowOutOfRange:
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

    func next(at date: Date) -> UInt64 {
        let now = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        return last.withLock { last in
            last = max(now, last + 1)
            return last
        }
    }
}
