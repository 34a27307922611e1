import Foundation

/// A row of the seed's `users` table.
public struct User: Sendable, Equatable, Codable {
    public var id: Int64
    public var username: String?
    public var email: String?
    public var telegramID: Int64?
    public var languageCode: String?
    public var isAdmin: Bool
    public var isActive: Bool
    public var createdAt: Date?

    public init(
        id: Int64,
        username: String? = nil,
        email: String? = nil,
        telegramID: Int64? = nil,
        languageCode: String? = nil,
        isAdmin: Bool = false,
        isActive: Bool = true,
        createdAt: Date? = nil
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.telegramID = telegramID
        self.languageCode = languageCode
        self.isAdmin = isAdmin
        self.isActive = isActive
        self.createdAt = createdAt
    }
}
