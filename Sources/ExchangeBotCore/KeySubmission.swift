import Foundation

/// What a user typed to add or update a key, before any check: every field is untrusted.
public struct KeySubmission: Sendable, Equatable {
    public var exchange: String
    public var label: String
    public var apiKey: String
    public var apiSecret: SecretString
    public var passphrase: SecretString?

    public init(exchange: String, label: String, apiKey: String, apiSecret: SecretString, passphrase: SecretString?) {
        self.exchange = exchange
        self.label = label
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.passphrase = passphrase
    }
}

/// The input rules for keys, pure so both front ends and the tests share them.
public enum KeyRules {
    public static let maxLabelLength = 100
    public static let maxFieldLength = 500
    /// Coinbase's EC private key in PEM is longer than the seed's 500-character columns.
    public static let maxPEMLength = 4_096
    public static let maxMessageLength = 1_000

    /// Resolves an exchange name (aliases included).
    public static func exchange(_ text: String) throws(ApprovalError) -> ExchangeID {
        guard let id = ExchangeID(normalizing: text) else {
            throw .unknownExchange(String(text.prefix(40)))
        }
        return id
    }

    /// Trims a label and checks it is 1–100 characters of visible text.
    ///
    /// Control characters, line and paragraph separators and format characters (general category Cf: the bidi
    /// overrides and isolates that make a label read backwards in the admin group, zero-width spaces) are refused:
    /// a label is shown to admins who decide on the key, and must read as what it is. The one exception is the
    /// zero-width joiner inside an emoji sequence (👨‍💻), which draws a single emoji.
    public static func label(_ text: String) throws(ApprovalError) -> String {
        let label = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty else { throw .invalidInput(field: .label, problem: "must not be empty") }
        guard label.unicodeScalars.count <= maxLabelLength else {
            throw .invalidInput(field: .label, problem: "must be at most \(maxLabelLength) characters")
        }
        guard !label.unicodeScalars.contains(where: isLineBreakOrControl) else {
            throw .invalidInput(field: .label, problem: "must be a single line of text")
        }
        guard label.allSatisfy(isVisible) else {
            throw .invalidInput(
                field: .label,
                problem: "must not contain invisible formatting characters (such as text direction marks)"
            )
        }
        return label
    }

    private static func isLineBreakOrControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// No format character, except a zero-width joiner in a character that starts with an emoji.
    private static func isVisible(_ character: Character) -> Bool {
        let startsWithEmoji = character.unicodeScalars.first.map { $0.properties.isEmoji && !$0.isASCII } ?? false
        return character.unicodeScalars.allSatisfy { scalar in
            guard scalar.properties.generalCategory == .format else { return true }
            return scalar == "\u{200D}" && startsWithEmoji
        }
    }

    /// Checks and normalises credentials for an exchange.
    public static func credentials(
        exchange: ExchangeID,
        apiKey rawKey: String,
        apiSecret rawSecret: SecretString,
        passphrase rawPassphrase: SecretString?
    ) throws(ApprovalError) -> Credentials {
        let apiKey = rawKey.trimmingCharacters(in: .whitespacesAndNewlines)
        try checkToken(apiKey, field: .apiKey, limit: maxFieldLength)

        let secret: String
        if exchange.secretIsPEM {
            secret = normalisePEM(rawSecret.exposedValue)
            guard !secret.isEmpty else { throw .invalidInput(field: .apiSecret, problem: "must not be empty") }
            guard secret.utf8.count <= maxPEMLength else {
                throw .invalidInput(field: .apiSecret, problem: "is too long for a private key")
            }
            guard secret.contains("-----BEGIN") && secret.contains("PRIVATE KEY-----") else {
                throw .invalidInput(
                    field: .apiSecret,
                    problem: "must be the key's private key, from -----BEGIN EC PRIVATE KEY----- to the END line"
                )
            }
        } else {
            secret = rawSecret.exposedValue.trimmingCharacters(in: .whitespacesAndNewlines)
            try checkToken(secret, field: .apiSecret, limit: maxFieldLength)
        }

        let passphrase = rawPassphrase.map { $0.exposedValue.trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 }
        switch (exchange.requiresPassphrase, passphrase) {
        case (true, nil): throw .passphraseRequired(exchange)
        case (false, .some): throw .passphraseNotAccepted(exchange)
        case (true, .some(let value)):
            guard value.utf8.count <= maxFieldLength else {
                throw .invalidInput(field: .passphrase, problem: "must be at most \(maxFieldLength) characters")
            }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidInput(field: .passphrase, problem: "must be a single line of text")
            }
        case (false, nil): break
        }
        return Credentials(
            exchange: exchange,
            apiKey: apiKey,
            apiSecret: SecretString(secret),
            passphrase: passphrase.map(SecretString.init)
        )
    }

    /// Checks an optional free text (an admin's message or reason): at most 1,000 characters.
    public static func note(_ text: String?, field: ApprovalError.InputField) throws(ApprovalError) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.unicodeScalars.count <= maxMessageLength else {
            throw .invalidInput(field: field, problem: "must be at most \(maxMessageLength) characters")
        }
        return text
    }

    /// Key ids and HMAC secrets are single tokens: printable, no spaces.
    private static func checkToken(_ value: String, field: ApprovalError.InputField, limit: Int)
        throws(ApprovalError)
    {
        guard !value.isEmpty else { throw .invalidInput(field: field, problem: "must not be empty") }
        guard value.utf8.count <= limit else {
            throw .invalidInput(field: field, problem: "must be at most \(limit) characters")
        }
        guard
            !value.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            })
        else {
            throw .invalidInput(field: field, problem: "must not contain spaces or line breaks")
        }
    }

    /// CDP keys are often pasted from their JSON file, with literal `\n` between the PEM lines.
    private static func normalisePEM(_ text: String) -> String {
        text.replacingOccurrences(of: "\\n", with: "\n")
            .replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
