/// Where a key stands in the approval flow (`user_exchanges.status`).
public enum KeyStatus: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING"
    case approved = "APPROVED"
    case rejected = "REJECTED"
}
