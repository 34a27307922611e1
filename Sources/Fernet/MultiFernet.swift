import Foundation

/// A ring of Fernet keys, like Python's `MultiFernet`: the first key encrypts, every key may decrypt.
///
/// This is how the master key rotates: put the new key first in `BRAIN_CAPITAL_MASTER_KEY`, run `rotate-key`,
/// then drop the old key. The per-token methods take `String`: the generic forms forward to them, so a rotation
/// over many rows runs only specialised code.
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
    public func decrypt(_ token: String, ttl: Int64? = nil, now: Date = Date()) throws(FernetError) -> Data {
        let parsed = try ParsedToken(token)
        if let ttl {
            try parsed.checkTime(ttl: ttl, now: Fernet.seconds(now))
        }
        let padded = try openPadded(parsed).padded
        return padded.prefix(padded.count - (try Fernet.paddingCount(padded)))
    }

    @inlinable
    public func decrypt(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date()) throws(FernetError)
        -> Data
    {
        try decrypt(String(token), ttl: ttl, now: now)
    }

    public func decryptString(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date())
        throws(FernetError) -> String
    {
        let data = try decrypt(String(token), ttl: ttl, now: now)
        guard let text = String(data: data, encoding: .utf8) else { throw .malformedToken }
        return text
    }

    /// Which key of the ring opens the token (0 is the primary), or `nil` if none does.
    public func keyIndex(opening token: String) -> Int? {
        guard let parsed = try? ParsedToken(token) else { return nil }
        return try? openPadded(parsed).keyIndex
    }

    @inlinable
    public func keyIndex(opening token: some StringProtocol) -> Int? {
        keyIndex(opening: String(token))
    }

    /// Re-encrypts a token under the primary key, keeping its original timestamp, with a fresh IV and no TTL
    /// check (Python's `MultiFernet.rotate`).
    ///
    /// With `verifying`, the new token is opened again with the primary key and compared with the plaintext
    /// before it is returned, so a rotation never writes a token it cannot read back.
    public func rotate(_ token: String, verifying: Bool = false) throws(FernetError) -> String {
        try rotateReportingKey(token, verifying: verifying).token
    }

    @inlinable
    public func rotate(_ token: some StringProtocol, verifying: Bool = false) throws(FernetError) -> String {
        try rotate(String(token), verifying: verifying)
    }

    /// ``rotate(_:verifying:)``, also saying which key of the ring opened the original (0 = already primary).
    public func rotateReportingKey(_ token: String, verifying: Bool = false) throws(FernetError)
        -> (token: String, previousKeyIndex: Int)
    {
        let parsed = try ParsedToken(token)
        let (padded, index) = try openPadded(parsed)
        let rotated = padded.withUnsafeBytes { bytes in
            primary.sealPadded(bytes, timestamp: parsed.timestamp, iv: Fernet.randomIV())
        }
        // The padding was checked on both sides, so equal padded blocks are equal plaintexts.
        if verifying {
            guard try primary.openPadded(ParsedToken(rotated)) == padded else { throw .invalidSignature }
        }
        return (rotated, index)
    }

    @inlinable
    public func rotateReportingKey(_ token: some StringProtocol, verifying: Bool = false) throws(FernetError)
        -> (token: String, previousKeyIndex: Int)
    {
        try rotateReportingKey(String(token), verifying: verifying)
    }

    /// The padded plaintext and the index of the first key whose HMAC matches.
    private func openPadded(_ parsed: ParsedToken) throws(FernetError) -> (padded: Data, keyIndex: Int) {
        for (index, fernet) in fernets.enumerated() {
            do {
                return (try fernet.openPadded(parsed), index)
            } catch .invalidSignature {
                continue
            }
        }
        throw .invalidSignature
    }
}
