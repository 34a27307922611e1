import Foundation

/// URL-safe base64 with padding, as Python's `base64.urlsafe_b64encode` writes it.
///
/// Decoding is strict on purpose: only the URL-safe alphabet, a length that is a multiple of four, padding only at
/// the end, and a canonical encoding (no stray bits in the last character). Python accepts some malformed inputs
/// that this rejects; no well-formed token or key is affected.
enum Base64URL {
    static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var text = Data(bytes).base64EncodedString()
        text = String(
            text.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "+": "-"
                case "/": "_"
                default: Character(scalar)
                }
            }
        )
        return text
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count % 4 == 0 else { return nil }
        var standard = [UInt8]()
        standard.reserveCapacity(utf8.count)
        var paddingCount = 0
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "="):
                paddingCount += 1
                standard.append(byte)
                continue
            case UInt8(ascii: "-"):
                standard.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"):
                standard.append(UInt8(ascii: "/"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                standard.append(byte)
            default:
                return nil
            }
            // A data character after padding is malformed.
            if paddingCount > 0 { return nil }
        }
        guard paddingCount <= 2, let data = Data(base64Encoded: Data(standard)) else { return nil }
        // Foundation tolerates non-zero trailing bits ("QR==" decodes like "QQ=="); a canonical
        // re-encoding rejects them.
        guard Data(standard) == data.base64EncodedData() else { return nil }
        return data
    }
}
