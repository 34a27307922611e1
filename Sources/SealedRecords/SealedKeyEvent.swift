import ExchangeBotCore
import Fernet
import Foundation

/// The outbox's stored form of a ``KeyEvent``, on either engine: what delivery needs (the owner's e-mail address
/// left out), as versioned JSON (``StoredJSON``), sealed with the master key.
public enum SealedKeyEvent {
    public static func seal(_ event: KeyEvent, with ring: MultiFernet, at date: Date = Date()) throws -> String {
        var stored = event
        stored.owner.email = nil
        return ring.encrypt(try StoredJSON.encode(stored), at: date)
    }

    /// Opens a stored event, sealed or clear JSON (rows written before sealing, or by hand); `nil` when no
    /// configured key opens it or it does not decode.
    public static func unseal(_ text: String, with ring: MultiFernet) -> KeyEvent? {
        let json: Data
        if text.hasPrefix("{") {
            json = Data(text.utf8)
        } else if let opened = try? ring.decrypt(text) {
            json = Data(opened)
        } else {
            return nil
        }
        return StoredJSON.decode(KeyEvent.self, from: json)
    }
}
