/// What a button in the admin group means, in its `callback_data`: a decision on a request (`apr:12:<revision>`,
/// `rej:12:<revision>`, `rjq:12:<revision>:ip`), a page of the open requests' digest (`pnd:2`) or a request's card
/// asked for from the digest (`crd:12`).
///
/// The revision (``ExchangeKey/revision``, 16 hex digits) ties a decision to the version of the key its message
/// shows: pressed after the owner changed the credentials, or on a message about a deleted key whose id was
/// reused, it decides nothing.
enum AdminAction: Equatable, Sendable {
    case approve(keyID: Int64, revision: String)
    case reject(keyID: Int64, revision: String)
    /// Reject with one of the usual reasons, without typing it.
    case quickReject(keyID: Int64, revision: String, reason: QuickReason)
    /// Shows page `page` (from 0) of the digest in the message pressed.
    case digestPage(Int)
    /// Posts the request card of a key listed in the digest.
    case showCard(keyID: Int64)

    /// The reasons offered as buttons beside a typed one.
    enum QuickReason: String, CaseIterable, Sendable {
        case noIPWhitelist = "ip"
        case withdrawalsEnabled = "wd"
        case wrongAccount = "acct"
        case duplicate = "dup"

        /// The locale key of the reason the owner reads (in the admins' language, as a typed reason would be).
        var textKey: String {
            switch self {
            case .noIPWhitelist: "admin.quick_reason.no_ip"
            case .withdrawalsEnabled: "admin.quick_reason.withdrawals"
            case .wrongAccount: "admin.quick_reason.wrong_account"
            case .duplicate: "admin.quick_reason.duplicate"
            }
        }
    }

    var data: String {
        switch self {
        case .approve(let id, let revision): "apr:\(id):\(revision)"
        case .reject(let id, let revision): "rej:\(id):\(revision)"
        case .quickReject(let id, let revision, let reason): "rjq:\(id):\(revision):\(reason.rawValue)"
        case .digestPage(let page): "pnd:\(page)"
        case .showCard(let id): "crd:\(id)"
        }
    }

    /// Parses `callback_data`; anything else is `nil`.
    init?(data: String) {
        let parts = data.split(separator: ":", omittingEmptySubsequences: false)
        switch (parts.first, parts.count) {
        case ("pnd", 2):
            guard let page = Int(parts[1]), (0...10_000).contains(page) else { return nil }
            self = .digestPage(page)
        case ("crd", 2):
            guard let id = Int64(parts[1]), id > 0 else { return nil }
            self = .showCard(keyID: id)
        case ("apr", 3), ("rej", 3), ("rjq", 4):
            guard let id = Int64(parts[1]), id > 0, parts[2].count == 16, parts[2].allSatisfy(\.isHexDigit) else {
                return nil
            }
            let revision = String(parts[2])
            switch parts[0] {
            case "apr": self = .approve(keyID: id, revision: revision)
            case "rej": self = .reject(keyID: id, revision: revision)
            default:
                guard let reason = QuickReason(rawValue: String(parts[3])) else { return nil }
                self = .quickReject(keyID: id, revision: revision, reason: reason)
            }
        default:
            return nil
        }
    }

    /// The key a decision or a card is about; `nil` for a digest page.
    var keyID: Int64? {
        switch self {
        case .approve(let id, _), .reject(let id, _), .quickReject(let id, _, _), .showCard(let id): id
        case .digestPage: nil
        }
    }

    /// Whether pressing it changes a key (or asks how to): what only admins may do. Reading the digest or a card
    /// is for admins too (see ``AdminDesk``), but a refusal of those is not audited.
    var decides: Bool {
        switch self {
        case .approve, .reject, .quickReject: true
        case .digestPage, .showCard: false
        }
    }
}
