import Foundation

/// How long a store remembers the id of an update it received, so that the same update posted again is not stored,
/// and so not handled, a second time (see ``BotStore/receive(_:nextOffset:)``).
///
/// In webhook mode Telegram posts an update again whenever it did not get the 200 answer: the answer lost after the
/// commit (a proxy's timeout, a connection reset), possibly minutes later and to another instance. Its row left the
/// inbox when it was handled, so the inbox's own key no longer recognises it. (Long polling never needs this: the
/// stored offset confirms what was received.)
///
/// Why 48 hours: Telegram keeps an update it could not deliver for at most 24 hours, so no re-post comes later than
/// a day after the first one; twice that leaves room for clocks and for the hourly tidying. And it must stay well
/// under a week: after a week without updates Telegram picks the next `update_id` at random, and a remembered id
/// must then not refuse a genuinely new update.
public enum SeenUpdates {
    public static let retention: TimeInterval = 48 * 3600
}
