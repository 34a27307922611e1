import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON body within the context's size limit, turning every decoding problem into a 400 that names the
/// field, never quoting the input (which may hold a secret).
enum RequestBody {
    static func decode<T: Decodable>(
        _ type: T.Type,
        from request: Request,
        context: APIRequestContext,
        optional: Bool = false
    )
        async throws -> T?
    {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "Request body larger than \(context.maxUploadSize / 1024) KB")
        }
        if buffer.readableBytes == 0 || String(buffer: buffer).allSatisfy(\.isWhitespace) {
            if optional { return nil }
            throw APIError(.badRequest, "A JSON body is required")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.keyNotFound(let key, _) {
            throw APIError(.unprocessableContent, "Field `\(key.stringValue)` is required")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.unprocessableContent, "Field `\(field.isEmpty ? "body" : field)` has the wrong type")
        } catch {
            throw APIError(.badRequest, "The body is not valid JSON")
        }
    }
}
