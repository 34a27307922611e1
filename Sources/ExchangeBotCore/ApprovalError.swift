/// Every way an action on keys can be refused or fail, with a stable code and a message for people.
///
/// No case carries a secret: inputs that are echoed back (an unknown exchange name) are shortened first.
public enum ApprovalError: Error, Sendable, Equatable {
    case invalidInput(field: InputField, problem: String)
    case unknownExchange(String)
    case passphraseRequired(ExchangeID)
    case passphraseNotAccepted(ExchangeID)
    case duplicateKey(existingID: Int64)
    case keyNotFound
    case userNotFound
    case userInactive
    /// The user started more key checks (each a signed call to an exchange) than `API_KEY_SUBMIT_LIMIT` allows.
    case tooManyKeyChecks(retryAfterSeconds: Int)
    /// Only APPROVED keys can be activated.
    case notApproved(KeyStatus)
    case alreadyDecided(KeyStatus, by: String?)
    /// The decision was made on a request that shows an older version of the key (its credentials changed since).
    case requestOutdated
    case validationFailed(CredentialError)
    /// The stored secret of a key cannot be opened with the configured master keys.
    case secretUnreadable
    case storageFailure

    /// The fields of a key submission, named as the REST API names them.
    public enum InputField: String, Sendable {
        case exchange = "exchange_name"
        case label
        case apiKey = "api_key"
        case apiSecret = "api_secret"
        case passphrase
        case message = "notification_message"
        case reason
    }

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidInput: "invalid_input"
        case .unknownExchange: "unknown_exchange"
        case .passphraseRequired: "passphrase_required"
        case .passphraseNotAccepted: "passphrase_not_accepted"
        case .duplicateKey: "duplicate_key"
        case .keyNotFound: "not_found"
        case .userNotFound: "user_not_found"
        case .userInactive: "user_inactive"
        case .tooManyKeyChecks: "too_many_key_checks"
        case .notApproved: "not_approved"
        case .alreadyDecided: "already_decided"
        case .requestOutdated: "request_outdated"
        case .validationFailed(let error): error.code
        case .secretUnreadable: "secret_unreadable"
        case .storageFailure: "storage_failure"
        }
    }

    /// What to tell the person who asked.
    public var message: String {
        switch self {
        case .invalidInput(let field, let problem):
            "\(field.rawValue): \(problem)"
        case .unknownExchange(let name):
            "Unknown exchange \"\(name)\". Supported: "
                + ExchangeID.allCases.map(\.rawValue).joined(separator: ", ") + "."
        case .passphraseRequired(let exchange):
            "\(exchange.displayName) keys need the passphrase you chose when you created the key."
        case .passphraseNotAccepted(let exchange):
            "\(exchange.displayName) keys have no passphrase; leave it out."
        case .duplicateKey(let existingID):
            "You already added this API key for this exchange (key #\(existingID))."
        case .keyNotFound:
            "No such key."
        case .userNotFound:
            "No such user."
        case .userInactive:
            "This account is deactivated."
        case .tooManyKeyChecks(let seconds):
            "Too many key checks in a short time. Try again in \(Self.minutes(ceilingOf: seconds)) minute(s)."
        case .notApproved(let status):
            "Only approved keys can be activated; this key is \(status.rawValue)."
        case .requestOutdated:
            "The key changed after this request was posted; decide on its newest request."
        case .alreadyDecided(let status, let by):
            "This key was already \(status == .approved ? "approved" : "rejected")"
                + (by.map { " by \($0)" } ?? "") + "."
        case .validationFailed(let error):
            error.message
        case .secretUnreadable:
            "The stored secret of this key cannot be opened with the configured master key."
        case .storageFailure:
            "Internal storage error. Nothing was changed; try again."
        }
    }

    /// Whole minutes to wait, rounded up and clamped to a day: the seconds come from arithmetic on stored dates
    /// and must not overflow.
    public static func minutes(ceilingOf seconds: Int) -> Int {
        max(1, (min(max(seconds, 0), 86_400) + 59) / 60)
    }
}
