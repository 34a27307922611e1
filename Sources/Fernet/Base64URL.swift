/// URL-safe base64 with padding, as Python's `base64.urlsafe_b64encode` writes it.
///
/// Written by hand (table-driven, one pass) because it is most of the cost of a Fernet call when done through
/// Foundation's standard alphabet and a character swap. Decoding is strict on purpose: only the URL-safe
/// alphabet, a length that is a multiple of four, padding only at the end, and zero bits where the last
/// character has spare ones. Python accepts some malformed inputs that this rejects; no well-formed token or key
/// is affected.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Sextet values by ASCII byte; 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        Array(bytes).withUnsafeBytes { encode($0) }
    }

    static func encode(_ input: UnsafeRawBufferPointer) -> String {
        let outputCount = (input.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: outputCount) { output in
            alphabet.withUnsafeBufferPointer { table in
                var out = 0
                var index = 0
                while index + 3 <= input.count {
                    let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    output[out] = table[Int(chunk >> 18 & 0x3F)]
                    output[out + 1] = table[Int(chunk >> 12 & 0x3F)]
                    output[out + 2] = table[Int(chunk >> 6 & 0x3F)]
                    output[out + 3] = table[Int(chunk & 0x3F)]
                    index += 3
                    out += 4
                }
                let remaining = input.count - index
                if remaining > 0 {
                    let second = remaining == 2 ? UInt32(input[index + 1]) : 0
                    let chunk = UInt32(input[index]) << 16 | second << 8
                    output[out] = table[Int(chunk >> 18 & 0x3F)]
                    output[out + 1] = table[Int(chunk >> 12 & 0x3F)]
                    output[out + 2] = remaining == 2 ? table[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "=")
                    output[out + 3] = UInt8(ascii: "=")
                    out += 4
                }
                return out
            }
        }
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode($0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode($0) }
    }

    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        guard count > 0, count % 4 == 0 else { return nil }
        var padding = 0
        if input[count - 1] == UInt8(ascii: "=") { padding += 1 }
        if input[count - 2] == UInt8(ascii: "=") { padding += 1 }
        var output = [UInt8]()
        output.reserveCapacity(count / 4 * 3 - padding)
        return values.withUnsafeBufferPointer { table -> [UInt8]? in
            var index = 0
            while index < count {
                let isLast = index + 4 == count
                let a = table[Int(input[index])]
                let b = table[Int(input[index + 1])]
                let c = isLast && padding == 2 ? 0 : table[Int(input[index + 2])]
                let d = isLast && padding >= 1 ? 0 : table[Int(input[index + 3])]
                guard a < 64, b < 64, c < 64, d < 64 else { return nil }
                let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output.append(UInt8(chunk >> 16 & 0xFF))
                if isLast && padding == 2 {
                    // Canonical: the bits of the second character past the first byte must be zero.
                    guard b & 0x0F == 0 else { return nil }
                } else if isLast && padding == 1 {
                    output.append(UInt8(chunk >> 8 & 0xFF))
                    guard c & 0x03 == 0 else { return nil }
                } else {
                    output.append(UInt8(chunk >> 8 & 0xFF))
                    output.append(UInt8(chunk & 0xFF))
                }
                index += 4
            }
            return output
        }
    }
}
