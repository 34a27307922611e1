import Crypto
import Foundation

/// Coinbase Advanced Trade with CDP keys: a fresh ES256 JWT per request in `Authorization: Bearer`, checked with
/// the key's public key (exchanges.md §9.1, §10).
struct FakeCoinbase: FakeExchangeRules {
    /// The host the JWT's `uri` claim names: the real one, whatever host the fake listens on.
    static let signedHost = "api.coinbase.com"
    /// The longest lifetime accepted (the official SDK issues nbf + 120 s).
    static let maximumLifetime = 120.0

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private struct Claims: Decodable {
        var sub: String?
        var iss: String?
        var nbf: Double?
        var exp: Double?
        var uri: String?
    }

    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /api/v3/brokerage/time":
            let iso = FakeClockFormats.isoMillis(context.nowMillis)
            return .json(
                200,
                [
                    "iso": .string(iso),
                    "epochSeconds": .string(String(context.nowMillis / 1000)),
                    "epochMillis": .string(String(context.nowMillis)),
                ],
                .serverTime
            )
        case "GET /api/v3/brokerage/key_permissions":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account):
                return .json(
                    200,
                    [
                        "can_view": true,
                        "can_trade": .bool(account.canTrade),
                        "can_transfer": .bool(account.canWithdraw),
                        "portfolio_uuid": "8c0b2a4e-6c1d-4f3e-9a37-3b1d2f5e7a90",
                        "portfolio_type": "DEFAULT",
                    ],
                    .accepted
                )
            }
        default:
            return .notFound
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        guard let authorization = request.header("authorization"), authorization.hasPrefix("Bearer ") else {
            return .failure(unauthorized(.missingCredentials))
        }
        let token = authorization.dropFirst("Bearer ".count)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let decoder = JSONDecoder()
        guard parts.count == 3,
            let headerData = FakeCrypto.base64URLDecode(parts[0]),
            let claimsData = FakeCrypto.base64URLDecode(parts[1]),
            let signatureData = FakeCrypto.base64URLDecode(parts[2]),
            let header = try? decoder.decode(Header.self, from: headerData),
            let claims = try? decoder.decode(Claims.self, from: claimsData)
        else {
            return .failure(unauthorized(.missingCredentials))
        }
        guard let keyName = claims.sub, let registered = context.account(keyName),
            let publicKey = registered.publicKey
        else {
            return .failure(unauthorized(.unknownKey))
        }
        guard registered.account.ipAllowed else {
            return .failure(
                .json(
                    403,
                    [
                        "error": "PERMISSION_DENIED",
                        "error_details": .string("IP address \(context.clientIP) is not in the API key's allowlist"),
                        "message": .string("IP address \(context.clientIP) is not in the API key's allowlist"),
                    ],
                    .ipRefused,
                    code: "PERMISSION_DENIED"
                )
            )
        }
        guard let notBefore = claims.nbf, let expiry = claims.exp, notBefore <= context.nowSeconds,
            context.nowSeconds < expiry, expiry - notBefore <= Self.maximumLifetime
        else {
            return .failure(unauthorized(.staleTimestamp))
        }
        let signingInput = Data(token[..<parts[1].endIndex].utf8)
        guard header.alg == "ES256", header.kid == keyName,
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureData),
            publicKey.isValidSignature(signature, for: signingInput)
        else {
            return .failure(unauthorized(.badSignature))
        }
        guard claims.iss == "cdp" || claims.iss == "coinbase-cloud",
            claims.uri == "\(request.method) \(Self.signedHost)\(request.path)"
        else {
            return .failure(unauthorized(.badSignature))
        }
        return .success(registered.account)
    }

    /// Coinbase answers a bad, expired or mis-addressed JWT with a bare 401.
    private func unauthorized(_ outcome: FakeOutcome) -> FakeReply {
        .text(401, "Unauthorized\n", outcome)
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        .json(
            429,
            ["error": "rate_limit_exceeded", "error_details": "Too many requests", "message": "Too many requests"],
            .rateLimited,
            code: "rate_limit_exceeded"
        )
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        .json(
            status,
            ["error": "INTERNAL", "error_details": "internal error", "message": "internal error"],
            .down,
            code: "INTERNAL"
        )
    }
}
