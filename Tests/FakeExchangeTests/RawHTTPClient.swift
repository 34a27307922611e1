import Foundation
import TestSupport

/// An HTTP/1.1 answer as the raw client read it.
struct RawHTTPResponse: Sendable {
    var status: Int
    /// Header values by lowercased name.
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, nil when it is not JSON.
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
}

/// The shared loopback client, answering with `Data` and JSON for the exchange fakes' tests.
enum RawHTTPClient {
    static func send(
        to origin: URL,
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: String = "",
        timeout: Double = 10
    ) async throws -> RawHTTPResponse {
        let response = try await LoopbackHTTPClient.send(
            to: origin,
            method,
            target,
            headers: headers,
            body: body,
            timeout: timeout
        )
        return RawHTTPResponse(status: response.status, headers: response.headers, body: Data(response.body))
    }
}

/// A parsed JSON document, for reading exchange answers without Foundation's `Any` bridging.
enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let values) = self, values.indices.contains(index) { return values[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// Strings in an array, for permission lists.
    var strings: [String] { array?.compactMap(\.string) ?? [] }
}
