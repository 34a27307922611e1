/// Bot API JSON as Telegram sends it, written from the API documentation's field lists (with fields this client
/// ignores left in, as real answers have them).
enum Samples {
    static let alice = #"""
        {
            "id": 123456789, "is_bot": false, "first_name": "Alice", "last_name": "Smith", "username": "alice",
            "language_code": "ru", "is_premium": true
        }
        """#

    static let bot = #"""
        {"id": 7000000001, "is_bot": true, "first_name": "Exchange Bot", "username": "exchange_bot"}
        """#

    static let admin = #"""
        {"id": 987654321, "is_bot": false, "first_name": "Bob", "language_code": "en"}
        """#

    static let adminGroup = #"""
        {"id": -1001234567890, "title": "Exchange admins", "type": "supergroup", "is_forum": false}
        """#

    static let alicesChat = #"""
        {"id": 123456789, "first_name": "Alice", "last_name": "Smith", "username": "alice", "type": "private"}
        """#

    static let privateMessage = #"""
        {
            "update_id": 100000001,
            "message": {
                "message_id": 12, "from": \#(alice), "chat": \#(alicesChat), "date": 1718000000, "text": "/add",
                "entities": [{"offset": 0, "length": 4, "type": "bot_command"}]
            }
        }
        """#

    static let groupReply = #"""
        {
            "update_id": 100000002,
            "message": {
                "message_id": 345, "from": \#(admin), "chat": \#(adminGroup), "date": 1718000100,
                "reply_to_message": {
                    "message_id": 340, "from": \#(bot), "chat": \#(adminGroup), "date": 1718000090,
                    "text": "Please send the reason for rejecting request #42",
                    "reply_markup": {
                        "inline_keyboard": [[
                            {"text": "Open", "url": "https://t.me/exchange_bot"},
                            {"text": "App", "web_app": {"url": "https://example.org"}}
                        ]]
                    },
                    "reply_to_message": {
                        "message_id": 300, "chat": \#(adminGroup), "date": 1718000000, "text": "deeper"
                    }
                },
                "text": "IP whitelist missing",
                "link_preview_options": {"is_disabled": true}
            }
        }
        """#

    static let callbackInaccessible = #"""
        {
            "update_id": 100000003,
            "callback_query": {
                "id": "4382bfdwdsb323b2d9", "from": \#(admin),
                "message": {"chat": \#(adminGroup), "message_id": 77, "date": 0},
                "chat_instance": "-8573451234567890123", "data": "approve:42"
            }
        }
        """#

    static let callbackAccessible = #"""
        {
            "update_id": 100000004,
            "callback_query": {
                "id": "4382bfdwdsb323b2da", "from": \#(admin),
                "message": {
                    "message_id": 78, "from": \#(bot), "chat": \#(adminGroup), "date": 1718000200,
                    "text": "Request #43",
                    "reply_markup": {
                        "inline_keyboard": [[
                            {"text": "Approve", "callback_data": "approve:43"},
                            {"text": "Reject", "callback_data": "reject:43"}
                        ]]
                    }
                },
                "chat_instance": "-8573451234567890123", "data": "reject:43"
            }
        }
        """#

    static let myChatMemberBlocked = #"""
        {
            "update_id": 100000005,
            "my_chat_member": {
                "chat": {"id": 123456789, "first_name": "Alice", "type": "private"},
                "from": \#(alice), "date": 1718000500,
                "old_chat_member": {"user": \#(bot), "status": "member"},
                "new_chat_member": {"user": \#(bot), "status": "kicked", "until_date": 0}
            }
        }
        """#

    static let messageReaction = #"""
        {
            "update_id": 100000006,
            "message_reaction": {
                "chat": \#(adminGroup), "message_id": 78, "user": \#(admin), "date": 1718000600,
                "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]
            }
        }
        """#

    static let groupMigrated = #"""
        {
            "update_id": 100000007,
            "message": {
                "message_id": 1, "from": \#(admin), "date": 1718000700,
                "chat": {"id": -4001234567, "title": "Exchange admins", "type": "group"},
                "migrate_to_chat_id": -1001987654321
            }
        }
        """#

    static let supergroupFromMigration = #"""
        {
            "update_id": 100000008,
            "message": {
                "message_id": 1, "from": \#(admin), "sender_chat": \#(adminGroup), "date": 1718000701,
                "chat": {"id": -1001987654321, "title": "Exchange admins", "type": "supergroup"},
                "migrate_from_chat_id": -4001234567
            }
        }
        """#

    /// `message_id` of the wrong type: a known kind that cannot be read.
    static let malformedMessage = #"""
        {
            "update_id": 100000010,
            "message": {"message_id": "twelve", "chat": {"id": 1, "type": "private"}, "date": 1}
        }
        """#

    static let getMe = #"""
        {
            "id": 7000000001, "is_bot": true, "first_name": "Exchange Bot", "username": "exchange_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false
        }
        """#

    static let sentMessage = #"""
        {
            "message_id": 501, "from": \#(bot), "date": 1718001000, "text": "Hello",
            "chat": {"id": 123456789, "first_name": "Alice", "type": "private"}
        }
        """#

    static let administrator = #"""
        {
            "user": \#(admin), "status": "administrator", "can_be_edited": false, "is_anonymous": false,
            "can_manage_chat": true, "can_delete_messages": true, "can_restrict_members": true
        }
        """#

    static let restrictedOutside = #"""
        {"user": \#(admin), "status": "restricted", "is_member": false, "until_date": 0, "can_send_messages": false}
        """#
}
