/// The bytes of DATA: line endings made CRLF, a leading `.` doubled (RFC 5321 §4.5.2), and the final `.` line.
enum SMTPData {
    static func encode(_ message: String) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(message.utf8.count + 64)
        var atLineStart = true
        var previousWasCR = false
        for byte in message.utf8 {
            switch byte {
            case UInt8(ascii: "\n"):
                if !previousWasCR { output += [13, 10] }
                atLineStart = true
                previousWasCR = false
                continue
            case UInt8(ascii: "\r"):
                output += [13, 10]
                atLineStart = true
                previousWasCR = true
                continue
            default:
                previousWasCR = false
            }
            if atLineStart && byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = false
        }
        if !atLineStart { output += [13, 10] }
        output += Array(".\r\n".utf8)
        return output
    }
}
