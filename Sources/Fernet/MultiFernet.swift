import Foundation

/// A ring of Fernet keys, like Python's `MultiFernet`: the first key encrypts, every key may decrypt.
///
/// This is how the master key rotates: put the new key first in `BRAIN_CAPITAL_MASTER_KEY`, run `rotate-key`,
/// then drop the old key.
public struct MultiFernet: Sendable {
    public let fernets: [Fernet]

    public init(keys: [FernetKey]) throws(FernetError) {
        guard !keys.isEmpty else { throw .noKeys }
        fernets = keys.map(Fernet.init(key:))
    }

    /// Parses a comma-separated list of base64 keys (the form of `BRAIN_CAPITAL_MASTER_KEY`).
    public init(commaSeparated text: String) throws(FernetError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !parts.isEmpty, !(parts.count == 1 && parts[0].isEmpty) else { throw .noKeys }
        var keys = [FernetKey]()
        for part in parts {
            keys.append(try FernetKey(base64: part))
        }
        try self.init(keys: keys)
    }

    /// The key that encrypts.
    public var primary: Fernet { fernets[0] }

    public func encrypt(_ plaintext: some DataProtocol, at date: Date = Date()) -> String {
        primary.encrypt(plaintext, at: date)
    }

    public func encrypt(_ plaintext: String, at date: Date = Date()) -> String {
        primary.encrypt(plaintext, at: date)
    }

    /// Decrypts with the first key whose HMAC matches.
    public func decrypt(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date()) throws(FernetError)
        -> Data
    {
        let parsed = try ParsedToken(token)
        if let ttl {
            try parsed.checkTime(ttl: ttl, now: Fernet.seconds(now))
        }
        return try open(parsed).plaintext
    }

    public func decryptString(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date())
        throws(FernetError) -> String
    {
        let data = try decrypt(token, ttl: ttl, now: now)
        guard let text = String(data: data, encoding: .utf8) else { throw .malformedToken }
        return text
    }

    /// Which key of the ring opens the token (0 is the primary), or `nil` if none does.
    public func keyIndex(opening token: some StringProtocol) -> Int? {
        guard let parsed = try? ParsedToken(token) else { return nil }
        return try? open(parsed).keyIndex
    }

    /// Re-encrypts a token under the primary key, keeping its original timestamp, with a fresh IV and no TTL
    /// check (Python's `MultiFernet.rotate`).
    ///
    /// With `verifying`, the new token is opened again with the primary key and compared with the plaintext
    /// before it is returned, so a rotation never writes a token it cannot read back.
    public func rotate(_ token: some StringProtocol, verifying: Bool = false) throws(FernetError) -> String {
        try rotateReportingKey(token, verifying: verifying).token
    }

    /// ``rotate(_:verifying:)``, also saying which key of the ring opened the original (0 = already primary).
    public func rotateReportingKey(_ token: some StringProtocol, verifying: Bool = false) throws(FernetError)
        -> (token: String, previousKeyIndex: Int)
    {
        let parsed = try ParsedToken(token)
        let (plaintext, index) = try open(parsed)
        let rotated = primary.seal(plaintext, timestamp: parsed.timestamp, iv: Fernet.randomIV())
        if verifying {
            guard try primary.open(ParsedToken(rotated)) == plaintext else { throw .invalidSignature }
        }
        return (rotated, index)
    }

    private func open(_ parsed: ParsedToken) throws(FernetError) -> (plaintext: Data, keyIndex: Int) {
        for (index, fernet) in fernets.enumerated() {
            do {
                return (try fernet.open(parsed), index)
            } catch .invalidSignature {
                continue
            }
        }
        throw .invalidSignature
    }
}
