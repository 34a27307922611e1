import BearerTokens
import ExchangeBotCore
import Foundation

/// Link codes as ``AccountLinking`` makes and reads them: BearerTokens' ``LinkCode`` (random, stored hashed).
public struct RandomLinkCodes: LinkCodeMaker {
    public init() {}

    public func generate() -> (code: String, hash: Data) {
        let code = LinkCode.generate()
        return (code.text, code.hash)
    }

    public func hash(ofCode text: String) -> Data? {
        LinkCode(parsing: text)?.hash
    }
}
