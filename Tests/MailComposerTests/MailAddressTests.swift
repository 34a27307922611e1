import MailComposer
import Testing

/// `MAIL_DEFAULT_SENDER`'s forms, and the addresses refused.
@Suite struct MailAddressTests {
    @Test func readsTheSenderForms() throws {
        let named = try MailAddress(parsing: "Exchange Bot <bot@example.com>")
        #expect(named.displayName == "Exchange Bot" && named.address == "bot@example.com")
        let quoted = try MailAddress(parsing: "\"Doe, \\\"J\\\"\" <j.doe+keys@mail.example.org>")
        #expect(quoted.displayName == "Doe, \"J\"" && quoted.address == "j.doe+keys@mail.example.org")
        let bare = try MailAddress(parsing: "  bot@example.com ")
        #expect(bare.displayName == nil && bare.address == "bot@example.com")
        #expect(bare.domain == "example.com")
    }

    @Test(arguments: [
        "nobody", "@example.com", "bot@", "a\r\n@example.com", "bot@example.com\r\nBcc: evil@example.net",
        "<bot@example.com", "a<b@example.com", "bot@exa mple.com", "bot@-example.com", "bot@example..com",
        "a..b@example.com", "пользователь@example.com", "bot@пример.рф", "Name\r\nBcc: evil@x.org <bot@example.com>",
        "Name <bot@example.com\r\n>", "bot@example.com>", "\u{0}@example.com",
    ])
    func refusesAddressesThatCouldInjectOrNotBeSent(_ text: String) {
        #expect(throws: MailAddress.Invalid.self) { try MailAddress(parsing: text) }
    }

    @Test func masksForLogs() {
        #expect(MailAddress.masked("alice@example.com") == "a…@example.com")
        #expect(MailAddress.masked("nonsense") == "…")
    }
}
