import ExchangeBotCore
import Foundation
import TestSupport

/// An error answer as the fact sheet (exchanges.md) documents it: HTTP status and the exchange's own code.
struct ExpectedError: Equatable, CustomStringConvertible {
    var status: Int
    var code: String

    init(_ status: Int, _ code: String) {
        self.status = status
        self.code = code
    }

    var description: String { "\(status) \(code)" }
}

/// Permissions as a validator would read them from a permission answer; nil where the exchange does not say.
struct ReadPermissions: Equatable {
    var canTrade: Bool?
    var canWithdraw: Bool?
    var ipRestricted: Bool?
}

/// Per-exchange facts the tests check the fakes against, written from exchanges.md rather than from the fakes.
enum Expectations {
    /// What a request signed with the wrong secret gets: the bad-signature error, except on KuCoin, where the
    /// version-2 passphrase header is itself an HMAC with the secret and so fails first (the passphrase is checked
    /// before the signature).
    static func wrongSecret(_ exchange: ExchangeID) -> ExpectedError {
        exchange == .kucoin ? ExpectedError(401, "400004") : badSignature(exchange)
    }

    static func badSignature(_ exchange: ExchangeID) -> ExpectedError {
        switch exchange {
        case .binance: ExpectedError(400, "-1022")
        case .bybit: ExpectedError(200, "10004")
        case .okx: ExpectedError(401, "50113")
        case .gate: ExpectedError(401, "INVALID_SIGNATURE")
        case .mexc: ExpectedError(400, "700002")
        case .kucoin: ExpectedError(401, "400005")
        case .coinbase: ExpectedError(401, "Unauthorized")
        case .coinbaseexchange: ExpectedError(401, "invalid signature")
        case .kraken: ExpectedError(200, "EAPI:Invalid signature")
        }
    }

    static func unknownKey(_ exchange: ExchangeID) -> ExpectedError {
        switch exchange {
        case .binance: ExpectedError(401, "-2015")
        case .bybit: ExpectedError(200, "10003")
        case .okx: ExpectedError(401, "50111")
        case .gate: ExpectedError(401, "INVALID_KEY")
        case .mexc: ExpectedError(400, "10072")
        case .kucoin: ExpectedError(401, "400003")
        case .coinbase: ExpectedError(401, "Unauthorized")
        case .coinbaseexchange: ExpectedError(401, "Invalid API Key")
        case .kraken: ExpectedError(200, "EAPI:Invalid key")
        }
    }

    static func ipRefused(_ exchange: ExchangeID) -> ExpectedError {
        switch exchange {
        case .binance: ExpectedError(401, "-2015")
        case .bybit: ExpectedError(200, "10010")
        case .okx: ExpectedError(401, "50110")
        case .gate: ExpectedError(403, "IP_FORBIDDEN")
        case .mexc: ExpectedError(400, "700006")
        case .kucoin: ExpectedError(401, "400006")
        case .coinbase: ExpectedError(403, "PERMISSION_DENIED")
        case .coinbaseexchange: ExpectedError(403, "IP address not allowed for this API key")
        case .kraken: ExpectedError(200, "EGeneral:Permission denied")
        }
    }

    /// Nil for Kraken, which checks nonce order rather than the clock.
    static func staleTimestamp(_ exchange: ExchangeID) -> ExpectedError? {
        switch exchange {
        case .binance: ExpectedError(400, "-1021")
        case .bybit: ExpectedError(200, "10002")
        case .okx: ExpectedError(401, "50102")
        case .gate: ExpectedError(401, "REQUEST_EXPIRED")
        case .mexc: ExpectedError(400, "700003")
        case .kucoin: ExpectedError(401, "400002")
        case .coinbase: ExpectedError(401, "Unauthorized")
        case .coinbaseexchange: ExpectedError(401, "request timestamp expired")
        case .kraken: nil
        }
    }

    static func wrongPassphrase(_ exchange: ExchangeID) -> ExpectedError? {
        switch exchange {
        case .okx: ExpectedError(401, "50105")
        case .kucoin: ExpectedError(401, "400004")
        case .coinbaseexchange: ExpectedError(401, "Invalid Passphrase")
        default: nil
        }
    }

    static func rateLimited(_ exchange: ExchangeID) -> ExpectedError {
        switch exchange {
        case .binance: ExpectedError(429, "-1003")
        case .bybit: ExpectedError(429, "10006")
        case .okx: ExpectedError(429, "50011")
        case .gate: ExpectedError(429, "TOO_MANY_REQUESTS")
        case .mexc: ExpectedError(429, "429")
        case .kucoin: ExpectedError(429, "429000")
        case .coinbase: ExpectedError(429, "rate_limit_exceeded")
        case .coinbaseexchange: ExpectedError(429, "Private rate limit exceeded")
        case .kraken: ExpectedError(200, "EAPI:Rate limit exceeded")
        }
    }

    /// The status and code of an answer, read the way each exchange's error body is shaped.
    static func error(_ exchange: ExchangeID, _ response: RawHTTPResponse) -> ExpectedError {
        let json = response.json
        func integer(_ value: JSONValue?) -> String? { value?.number.map { String(Int($0)) } }
        let code: String? =
            switch exchange {
            case .binance, .mexc: integer(json?["code"])
            case .bybit: integer(json?["retCode"])
            case .okx, .kucoin: json?["code"]?.string
            case .gate: json?["label"]?.string
            case .coinbase: json?["error"]?.string ?? response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            case .coinbaseexchange: json?["message"]?.string
            case .kraken: json?["error"]?[0]?.string
            }
        return ExpectedError(response.status, code ?? "<none>")
    }

    static func permissions(_ exchange: ExchangeID, _ json: JSONValue) -> ReadPermissions {
        switch exchange {
        case .binance:
            return ReadPermissions(
                canTrade: json["enableSpotAndMarginTrading"]?.bool,
                canWithdraw: json["enableWithdrawals"]?.bool,
                ipRestricted: json["ipRestrict"]?.bool
            )
        case .bybit:
            let result = json["result"]
            let permissions = result?["permissions"]
            return ReadPermissions(
                canTrade: result?["readOnly"]?.number == 0
                    && permissions?["Spot"]?.strings.contains("SpotTrade") == true,
                canWithdraw: permissions?["Wallet"]?.strings.contains("Withdraw"),
                ipRestricted: result?["ips"].map { $0.strings != ["*"] }
            )
        case .okx:
            let data = json["data"]?[0]
            let perm = data?["perm"]?.string?.split(separator: ",").map(String.init) ?? []
            return ReadPermissions(
                canTrade: perm.contains("trade"),
                canWithdraw: perm.contains("withdraw"),
                ipRestricted: data?["ip"]?.string.map { !$0.isEmpty }
            )
        case .gate:
            let key = json[0]
            let perms = key?["perms"]?.array ?? []
            func writable(_ name: String) -> Bool {
                perms.contains { $0["name"]?.string == name && $0["read_only"]?.bool == false }
            }
            return ReadPermissions(
                canTrade: writable("spot"),
                canWithdraw: writable("wallet"),
                ipRestricted: key?["ip_whitelist"]?.array.map { !$0.isEmpty }
            )
        case .mexc:
            return ReadPermissions(canTrade: json["canTrade"]?.bool, canWithdraw: json["canWithdraw"]?.bool)
        case .kucoin:
            let data = json["data"]
            let permission = data?["permission"]?.string?.split(separator: ",").map(String.init) ?? []
            return ReadPermissions(
                canTrade: permission.contains("Spot"),
                canWithdraw: permission.contains("Transfer"),
                ipRestricted: data?["ipWhitelist"]?.string.map { !$0.isEmpty }
            )
        case .coinbase:
            return ReadPermissions(canTrade: json["can_trade"]?.bool, canWithdraw: json["can_transfer"]?.bool)
        case .coinbaseexchange:
            return ReadPermissions(canTrade: json[0]?["trading_enabled"]?.bool)
        case .kraken:
            let result = json["result"]
            let permissions = result?["permissions"]?.strings ?? []
            return ReadPermissions(
                canTrade: permissions.contains("modify-trades"),
                canWithdraw: permissions.contains("withdraw-funds"),
                ipRestricted: result?["ipAllowlist"]?.array.map { !$0.isEmpty }
            )
        }
    }

    /// What the permission answer can say about an account, given what each exchange reports.
    static func visiblePermissions(_ exchange: ExchangeID, _ account: FakeAccount) -> ReadPermissions {
        switch exchange {
        case .mexc, .coinbase: ReadPermissions(canTrade: account.canTrade, canWithdraw: account.canWithdraw)
        case .coinbaseexchange: ReadPermissions(canTrade: account.canTrade)
        default:
            ReadPermissions(
                canTrade: account.canTrade,
                canWithdraw: account.canWithdraw,
                ipRestricted: account.ipRestricted
            )
        }
    }

    static func timePath(_ exchange: ExchangeID) -> String {
        switch exchange {
        case .binance, .mexc: "/api/v3/time"
        case .bybit: "/v5/market/time"
        case .okx: "/api/v5/public/time"
        case .gate: "/api/v4/spot/time"
        case .kucoin: "/api/v1/timestamp"
        case .coinbase: "/api/v3/brokerage/time"
        case .coinbaseexchange: "/time"
        case .kraken: "/0/public/Time"
        }
    }

    /// The server time in milliseconds from a time answer (Kraken and Coinbase Exchange give seconds).
    static func serverTimeMillis(_ exchange: ExchangeID, _ json: JSONValue) -> Double? {
        switch exchange {
        case .binance, .mexc: json["serverTime"]?.number
        case .bybit: json["time"]?.number
        case .okx: json["data"]?[0]?["ts"]?.string.flatMap(Double.init)
        case .gate: json["server_time"]?.number
        case .kucoin: json["data"]?.number
        case .coinbase: json["epochMillis"]?.string.flatMap(Double.init)
        case .coinbaseexchange: json["epoch"]?.number.map { $0 * 1000 }
        case .kraken: json["result"]?["unixtime"]?.number.map { $0 * 1000 }
        }
    }
}

/// Runs `body` with a fresh fake and always stops it.
func withFake<T>(
    _ exchange: ExchangeID,
    latency: Double = 0,
    _ body: (FakeExchangeServer) async throws -> T
) async throws -> T {
    let server = try await FakeExchangeServer.start(exchange, latency: latency)
    do {
        let result = try await body(server)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}
