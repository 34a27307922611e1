import ExchangeBotCore

/// Bounds on text an exchange wrote that we pass on to a user or an admin: error labels, account types,
/// permission names.
///
/// Such text reaches Telegram messages, REST responses and the audit log, so an exchange (or anyone in the path
/// who can forge its answer) must not be able to post a page of text, break lines, reorder the message with bidi
/// controls or hide characters in it. Every such string is stripped of control, format and separator characters
/// and cut to a bound; lists are cut to a bound too.
enum ExchangeText {
    /// The most characters any one echoed text keeps, including the ellipsis that marks a cut.
    static let maxCharacters = 200
    /// The most characters of a single name (a permission, an account type, an error label).
    static let maxNameCharacters = 64
    /// The most permission names a report keeps.
    static let maxNames = 32

    /// `text` without hidden characters (see ``isHidden(_:)``), cut to `limit` characters and `4 × limit` Unicode
    /// scalars (so stacked combining marks stay bounded too), ending in "…" when it was cut.
    static func bounded(_ text: String, limit: Int = maxCharacters) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isHidden(scalar) {
            kept.append(scalar)
        }
        let clean = String(kept)
        if clean.count <= limit, kept.count <= 4 * limit { return clean }
        var result = ""
        var characters = 0
        var scalars = 0
        for character in clean {
            characters += 1
            scalars += character.unicodeScalars.count
            guard characters < limit, scalars < 4 * limit else { break }
            result.append(character)
        }
        return result + "…"
    }

    /// Characters that break, reorder or hide text: controls (C0, C1, DEL), format characters (bidi overrides and
    /// isolates, zero-width joiners and spaces), line and paragraph separators, private-use characters.
    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse: true
        default: false
        }
    }

    /// A name from the exchange (a permission, an account type, an error label), bounded for display.
    static func name(_ text: String) -> String {
        bounded(text, limit: maxNameCharacters)
    }

    /// The report with every text the exchange wrote bounded.
    static func bounded(_ report: ValidationReport) -> ValidationReport {
        var report = report
        report.accountType = report.accountType.map(name)
        report.permissions = report.permissions.prefix(maxNames).map(name).filter { !$0.isEmpty }
        report.warnings = report.warnings.map { bounded($0) }
        return report
    }

    /// The error with its free-text detail bounded.
    static func bounded(_ error: CredentialError) -> CredentialError {
        switch error {
        case .exchangeUnavailable(let detail): .exchangeUnavailable(bounded(detail))
        case .unexpectedResponse(let detail): .unexpectedResponse(bounded(detail))
        default: error
        }
    }
}

extension Interpretation {
    /// The interpretation with every exchange-written text bounded (see ``ExchangeText``).
    var bounded: Interpretation {
        switch self {
        case .report(let report): .report(ExchangeText.bounded(report))
        case .refused(let error): .refused(ExchangeText.bounded(error))
        case .follow: self
        }
    }
}
