import BotConversation
import ExchangeBotCore
import Foundation
import TelegramAPIClient

/// The open requests as one message: a line per request, ``pageSize`` to a page, a button per request that posts
/// its card, and `◀ 1/3 ▶` to turn pages (the message is edited in place, so paging costs no message of the
/// group's 20 a minute). Each page is read fresh: a request decided meanwhile is gone from it.
struct AdminDigest: Sendable {
    static let pageSize = 10
    let texts: BotTexts

    /// A rendered page.
    struct Page: Equatable, Sendable {
        var text: String
        var buttons: [[OutgoingButton]]
        /// The page shown (from 0): the one asked for, kept within the pages there are.
        var index: Int
        var count: Int
    }

    /// Page `requested` (from 0; past the end shows the last) of `requests`, oldest first.
    func page(_ requested: Int, of requests: [PendingRequest], now: Date) -> Page {
        guard !requests.isEmpty else {
            return Page(text: texts.text("admin.pending_none"), buttons: [], index: 0, count: 0)
        }
        let pages = (requests.count + Self.pageSize - 1) / Self.pageSize
        let index = min(max(requested, 0), pages - 1)
        let shown = Array(requests.dropFirst(index * Self.pageSize).prefix(Self.pageSize))
        var lines = [texts.text("admin.digest_title", ["count": String(requests.count)]), ""]
        lines += shown.map { texts.digestLine($0, now: now) }
        let after = requests.count - (index * Self.pageSize + shown.count)
        if after > 0 {
            lines += ["", texts.text("admin.digest_more", ["count": String(after)])]
        }
        lines += ["", texts.text("admin.digest_hint")]
        var buttons = stride(from: 0, to: shown.count, by: 2).map { start in
            shown[start..<min(start + 2, shown.count)].map { request in
                OutgoingButton(
                    text: "#\(request.key.id) · \(Self.buttonName(request.key))",
                    data: AdminAction.showCard(keyID: request.key.id).data
                )
            }
        }
        if pages > 1 {
            // Wraps around, so both arrows always do something.
            buttons.append([
                OutgoingButton(text: "◀", data: AdminAction.digestPage((index + pages - 1) % pages).data),
                OutgoingButton(text: "\(index + 1)/\(pages)", data: AdminAction.digestPage(index).data),
                OutgoingButton(text: "▶", data: AdminAction.digestPage((index + 1) % pages).data),
            ])
        }
        return Page(
            text: MessageSplitter.split(lines.joined(separator: "\n")).first ?? "",
            buttons: buttons,
            index: index,
            count: pages
        )
    }

    /// The digest's first page as a message for the admin group.
    func message(of requests: [PendingRequest], now: Date) -> OutgoingMessage {
        let first = page(0, of: requests, now: now)
        return OutgoingMessage(to: .adminChat, text: first.text, buttons: first.buttons)
    }

    /// A button's caption is plain text, bounded by Telegram's layout rather than a limit: the exchange's name and a
    /// short label.
    private static func buttonName(_ key: ExchangeKey) -> String {
        let label = key.label.count > 16 ? key.label.prefix(15) + "…" : Substring(key.label)
        return "\(BotTexts.exchangeName(key)) «\(label)»"
    }
}
