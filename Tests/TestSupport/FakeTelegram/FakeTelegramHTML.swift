/// Telegram's `parse_mode=HTML` reader, after TDLib's `parse_html` (the error texts and byte offsets are its own),
/// with the stricter rules the fact sheet states: only the documented tags, properly nested and closed.
enum FakeTelegramHTML {
    struct ParseError: Error, Equatable {
        /// The part after "can't parse entities: ".
        var message: String
    }

    struct Result: Equatable {
        /// The text a client shows: tags removed, entities decoded.
        var text: String
        /// `MessageEntity` objects, offsets and lengths in UTF-16 code units.
        var entities: [FakeTelegramValue]
    }

    /// Tags the Bot API documents for HTML; anything else is "Unsupported start tag".
    static let supportedTags: Set<String> = [
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
        "blockquote",
    ]

    private struct OpenTag {
        var name: String
        var argument: String
        var utf16Offset: Int
        var byteOffset: Int
    }

    static func parse(_ text: String, rejectsBareAmpersand: Bool) throws(ParseError) -> Result {
        let bytes = Array(text.utf8)
        let count = bytes.count
        var output: [UInt8] = []
        var utf16Offset = 0
        var open: [OpenTag] = []
        var entities: [(type: String, offset: Int, length: Int, extra: [String: FakeTelegramValue])] = []
        var index = 0

        func append(_ byte: UInt8) {
            output.append(byte)
            if byte & 0xC0 != 0x80 { utf16Offset += byte >= 0xF0 ? 2 : 1 }
        }
        func append(_ scalar: Unicode.Scalar) {
            for byte in String(scalar).utf8 { append(byte) }
        }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        func lowered(_ slice: ArraySlice<UInt8>) -> String { String(decoding: slice, as: UTF8.self).lowercased() }

        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                if let (scalar, next) = decodeEntity(bytes, at: index) {
                    append(scalar)
                    index = next
                    continue
                }
                if rejectsBareAmpersand {
                    throw ParseError(
                        message: "Character '&' at byte offset \(index) does not start an HTML entity; "
                            + "replace it with &amp;"
                    )
                }
            }
            if byte != UInt8(ascii: "<") {
                append(byte)
                index += 1
                continue
            }
            let tagStart = index
            index += 1
            if index >= count || bytes[index] != UInt8(ascii: "/") {
                let nameStart = index
                while index < count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                if index >= count { throw ParseError(message: "Unclosed start tag at byte offset \(tagStart)") }
                let name = lowered(bytes[nameStart..<index])
                guard supportedTags.contains(name) else {
                    throw ParseError(message: "Unsupported start tag \"\(name)\" at byte offset \(tagStart)")
                }
                var argument = ""
                while index < count, bytes[index] != UInt8(ascii: ">") {
                    while index < count, isSpace(bytes[index]) { index += 1 }
                    if index >= count { break }
                    if bytes[index] == UInt8(ascii: ">") { break }
                    let attributeStart = index
                    while index < count, !isSpace(bytes[index]),
                        !"=>/\"'".utf8.contains(bytes[index])
                    {
                        index += 1
                    }
                    let attribute = lowered(bytes[attributeStart..<index])
                    if attribute.isEmpty {
                        throw ParseError(
                            message: "Empty attribute name in the tag \"\(name)\" at byte offset \(tagStart)"
                        )
                    }
                    while index < count, isSpace(bytes[index]) { index += 1 }
                    if index >= count { break }
                    if bytes[index] != UInt8(ascii: "=") {
                        if name == "blockquote" && attribute == "expandable" { argument = "1" }
                        continue
                    }
                    index += 1
                    while index < count, isSpace(bytes[index]) { index += 1 }
                    if index >= count { break }
                    var value = ""
                    if bytes[index] != UInt8(ascii: "\"") && bytes[index] != UInt8(ascii: "'") {
                        let tokenStart = index
                        while index < count, isTokenByte(bytes[index]) { index += 1 }
                        value = lowered(bytes[tokenStart..<index])
                        if index < count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") {
                            throw ParseError(message: "Unexpected end of name token at byte offset \(index)")
                        }
                    } else {
                        let quote = bytes[index]
                        index += 1
                        var valueBytes: [UInt8] = []
                        while index < count, bytes[index] != quote {
                            if bytes[index] == UInt8(ascii: "&"), let (scalar, next) = decodeEntity(bytes, at: index) {
                                valueBytes += Array(String(scalar).utf8)
                                index = next
                                continue
                            }
                            valueBytes.append(bytes[index])
                            index += 1
                        }
                        if index < count { index += 1 }
                        value = String(decoding: valueBytes, as: UTF8.self)
                    }
                    switch (name, attribute) {
                    case ("a", "href"): argument = value
                    case ("code", "class") where value.hasPrefix("language-"):
                        argument = String(value.dropFirst("language-".count))
                    case ("span", "class") where value.hasPrefix("tg-"): argument = String(value.dropFirst(3))
                    case ("blockquote", "expandable"): argument = "1"
                    default: break
                    }
                }
                if index >= count { throw ParseError(message: "Unclosed start tag at byte offset \(tagStart)") }
                if name == "span" && argument != "spoiler" {
                    throw ParseError(
                        message: "Tag \"span\" must have class \"tg-spoiler\" at byte offset \(tagStart)"
                    )
                }
                open.append(OpenTag(name: name, argument: argument, utf16Offset: utf16Offset, byteOffset: tagStart))
            } else {
                guard let top = open.last else {
                    throw ParseError(message: "Unexpected end tag at byte offset \(tagStart)")
                }
                index += 1
                let nameStart = index
                while index < count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                let endName = lowered(bytes[nameStart..<index])
                while index < count, isSpace(bytes[index]) { index += 1 }
                if index >= count || bytes[index] != UInt8(ascii: ">") {
                    throw ParseError(message: "Unclosed end tag at byte offset \(tagStart)")
                }
                if !endName.isEmpty && endName != top.name {
                    throw ParseError(
                        message: "Unmatched end tag at byte offset \(tagStart), expected \"</\(top.name)>\", "
                            + "found \"</\(endName)>\""
                    )
                }
                open.removeLast()
                let length = utf16Offset - top.utf16Offset
                if top.name == "pre", let last = entities.last, last.type == "code",
                    last.offset == top.utf16Offset, last.length == length
                {
                    // `<pre><code class="language-x">` is one pre entity with a language.
                    entities[entities.count - 1].type = "pre"
                } else if length > 0, let (type, extra) = entityType(for: top) {
                    entities.append((type, top.utf16Offset, length, extra))
                }
            }
            index += 1
        }
        if let unclosed = open.last {
            throw ParseError(message: "Can't find end tag corresponding to start tag \"\(unclosed.name)\"")
        }
        let raw = String(decoding: output, as: UTF8.self)
        return trimmed(raw, entities: entities)
    }

    /// The entity a closed tag makes; `<a>` without a URL makes none, as in Telegram.
    private static func entityType(for tag: OpenTag) -> (String, [String: FakeTelegramValue])? {
        switch tag.name {
        case "b", "strong": ("bold", [:])
        case "i", "em": ("italic", [:])
        case "u", "ins": ("underline", [:])
        case "s", "strike", "del": ("strikethrough", [:])
        case "span", "tg-spoiler": ("spoiler", [:])
        case "a": tag.argument.isEmpty ? nil : ("text_link", ["url": .string(tag.argument)])
        case "code": tag.argument.isEmpty ? ("code", [:]) : ("code", ["language": .string(tag.argument)])
        case "pre": ("pre", [:])
        case "blockquote": tag.argument.isEmpty ? ("blockquote", [:]) : ("expandable_blockquote", [:])
        default: nil
        }
    }

    /// Telegram strips leading and trailing whitespace from the parsed text and shifts entities to match.
    static func trimmed(
        _ text: String,
        entities: [(type: String, offset: Int, length: Int, extra: [String: FakeTelegramValue])]
    ) -> Result {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, scalars[start].properties.isWhitespace { start += 1 }
        while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        let result = String(view)
        let leading = scalars[0..<start].reduce(0) { $0 + ($1.value > 0xFFFF ? 2 : 1) }
        let total = result.utf16.count
        var values: [FakeTelegramValue] = []
        let sorted = entities.sorted { ($0.offset, -$0.length) < ($1.offset, -$1.length) }
        for entity in sorted {
            let from = max(0, entity.offset - leading)
            let to = min(total, entity.offset + entity.length - leading)
            guard to > from else { continue }
            var members = entity.extra
            if entity.type == "code" { members["language"] = nil }
            members["type"] = .string(entity.type)
            members["offset"] = .integer(Int64(from))
            members["length"] = .integer(Int64(to - from))
            values.append(.object(members))
        }
        return Result(text: result, entities: values)
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` and numeric entities (decimal or hex, `;` required); nil for anything else.
    static func decodeEntity(_ bytes: [UInt8], at start: Int) -> (Unicode.Scalar, Int)? {
        var index = start + 1
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "#") {
            index += 1
            var radix: UInt32 = 10
            if index < bytes.count, bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X") {
                radix = 16
                index += 1
            }
            var value: UInt32 = 0
            let digitsStart = index
            while index < bytes.count, let digit = hexDigit(bytes[index]), digit < radix {
                value = value * radix + digit
                if value > 0x10FFFF { return nil }
                index += 1
            }
            guard index > digitsStart, index < bytes.count, bytes[index] == UInt8(ascii: ";"), value != 0,
                let scalar = Unicode.Scalar(value)
            else { return nil }
            return (scalar, index + 1)
        }
        let nameStart = index
        while index < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[index] | 0x20),
            bytes[index] & 0x80 == 0
        {
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { return nil }
        let scalar: Unicode.Scalar? =
            switch String(decoding: bytes[nameStart..<index], as: UTF8.self) {
            case "lt": "<"
            case "gt": ">"
            case "amp": "&"
            case "quot": "\""
            default: nil
            }
        return scalar.map { ($0, index + 1) }
    }

    /// Letters, digits, `.` and `-`: what an unquoted attribute value may hold.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
