import Foundation

/// JSON this service writes into its own tables (validation reports, outbox events), with its format's version.
///
/// The version is one more field beside the value's own, `formatVersion`, so a row stays plain JSON of the value:
/// an older build of this service still reads it (unknown fields are ignored), and rows written before the field
/// existed read as version 0, whose layout version 1 kept. A row from a newer format than this build knows is not
/// guessed at: it reads as unreadable (a report as absent; an outbox event is parked until a build that knows the
/// format starts). A change to the stored layout of a value (renaming a field, reshaping an enum case) bumps
/// ``currentVersion`` and teaches ``decode(_:from:)`` the old one.
///
/// Engine-independent, so both stores (SQLite and PostgreSQL) write the same format.
public enum StoredJSON {
    public static let currentVersion = 1

    public static func encode(_ value: some Encodable) throws -> Data {
        try JSONEncoder().encode(Versioned(value: value, version: currentVersion))
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) -> Value? {
        guard let stored = try? JSONDecoder().decode(Versioned<Value>.self, from: data),
            (0...currentVersion).contains(stored.version)
        else { return nil }
        return stored.value
    }
}

/// A value and its format version, encoded as the value's own JSON object with one more field.
private struct Versioned<Value> {
    enum CodingKeys: String, CodingKey { case formatVersion }

    var value: Value
    var version: Int
}

extension Versioned: Encodable where Value: Encodable {
    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .formatVersion)
    }
}

extension Versioned: Decodable where Value: Decodable {
    init(from decoder: any Decoder) throws {
        version = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .formatVersion) ?? 0
        value = try Value(from: decoder)
    }
}
