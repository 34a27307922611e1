import ExchangeBotCore
import Foundation

/// An in-memory ``AccountLinkStore`` that follows the port's contract (single-use, expiring codes; one link per
/// Telegram account and per user; platform links it cannot undo), for testing the linking front ends apart from
/// the real stores. Users come from `users`; the audit entries it was given are kept for inspection.
public actor FakeAccountLinks: AccountLinkStore {
    private struct Code {
        var userID: Int64
        var expiresAt: Date
        var used: Bool
    }

    private var codes: [Data: Code] = [:]
    /// Telegram id → user id, made by the bot.
    private var links: [Int64: (userID: Int64, username: String?)] = [:]
    /// User id → Telegram id, made by the platform (`users.telegram_id`).
    private var platformLinks: [Int64: Int64] = [:]
    public private(set) var audits: [AuditEntry] = []
    public private(set) var mailNotices = 0
    private let users: @Sendable (Int64) async throws -> User?

    /// - Parameter users: Reads a user by id (the exchange store's `user(id:)`, say).
    public init(users: @escaping @Sendable (Int64) async throws -> User?) {
        self.users = users
    }

    public func setPlatformLink(userID: Int64, telegramID: Int64) {
        platformLinks[userID] = telegramID
    }

    public func linkedUser(ofTelegram telegramID: Int64) -> Int64? {
        links[telegramID]?.userID ?? platformLinks.first { $0.value == telegramID }?.key
    }

    public func storedCodeHashes() -> [Data] { Array(codes.keys) }

    public func storeLinkCode(hash: Data, userID: Int64, expiresAt: Date, audit: AuditEntry) async throws {
        guard try await users(userID) != nil else { throw ApprovalError.userNotFound }
        codes[hash] = Code(userID: userID, expiresAt: expiresAt, used: false)
        audits.append(audit)
    }

    public func voidLinkCode(hash: Data, at date: Date) async throws -> Bool {
        guard var code = codes[hash], !code.used else { return false }
        code.used = true
        codes[hash] = code
        return true
    }

    public func linkCodeUser(hash: Data, at date: Date) async throws -> User? {
        guard let code = codes[hash], !code.used, code.expiresAt > date,
            let user = try await users(code.userID), user.isActive
        else { return nil }
        return user
    }

    public func link(
        telegramID: Int64,
        telegramUsername: String?,
        codeHash: Data,
        mailNotice: Bool,
        audit: AuditEntry
    ) async throws -> LinkOutcome {
        guard let code = codes[codeHash], !code.used, code.expiresAt > audit.at else { return .refused(.invalidCode) }
        guard let user = try await users(code.userID), user.isActive else { return .refused(.userInactive) }
        if let owner = platformLinks.first(where: { $0.value == telegramID })?.key, owner != user.id {
            return .refused(.platformLinkedElsewhere)
        }
        if let current = links[telegramID], current.userID != user.id { return .refused(.linkedToAnotherUser) }
        codes[codeHash]?.used = true
        let replaced = links.first { $0.value.userID == user.id && $0.key != telegramID }?.key
        if let replaced { links[replaced] = nil }
        links[telegramID] = (user.id, telegramUsername)
        audits.append(audit)
        if mailNotice { mailNotices += 1 }
        return .linked(user: user, movedKeys: 0, droppedKeys: 0, retiredUserID: nil, replacedTelegramID: replaced)
    }

    public func unlink(_ subject: LinkSubject, mailNotice: Bool, audit: AuditEntry) async throws -> UnlinkOutcome {
        let telegramID: Int64?
        switch subject {
        case .telegram(let id):
            telegramID = links[id] == nil ? nil : id
            if telegramID == nil, platformLinks.values.contains(id) { return .platformLink }
        case .user(let userID):
            telegramID = links.first { $0.value.userID == userID }?.key
            if telegramID == nil, platformLinks[userID] != nil { return .platformLink }
        }
        guard let telegramID, let link = links.removeValue(forKey: telegramID) else { return .notLinked }
        audits.append(audit)
        if mailNotice { mailNotices += 1 }
        return .unlinked(userID: link.userID, telegramID: telegramID)
    }

    public func telegramLink(ofUser userID: Int64) async throws -> TelegramLink? {
        if let (telegramID, link) = links.first(where: { $0.value.userID == userID }) {
            return TelegramLink(telegramID: telegramID, telegramUsername: link.username, linkedAt: Date())
        }
        return platformLinks[userID].map { TelegramLink(telegramID: $0, isPlatformLink: true) }
    }
}

/// Codes for tests: random like the real ones, hashed with a cheap stand-in (the store only compares hashes).
public struct FakeLinkCodes: LinkCodeMaker {
    public init() {}

    public func generate() -> (code: String, hash: Data) {
        let code = (0..<43).map { _ in
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".randomElement()!
        }
        let text = String(code)
        return (text, Data(text.utf8.reversed()))
    }

    public func hash(ofCode text: String) -> Data? {
        guard (1...64).contains(text.utf8.count),
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return nil }
        return Data(text.utf8.reversed())
    }
}
