import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of the REST API, written by hand (and checked against the routes by the tests); the
/// page that renders it is ``DocsPage``.
enum OpenAPIDocument {
    static func response(json: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: json))
        )
    }

    /// The document, with the input patterns of ``SchemaPatterns`` filled in.
    static let json: String = {
        var text = template
        let patterns = [
            "LABEL": SchemaPatterns.label, "REASON": SchemaPatterns.requiredNote,
            "MESSAGE": SchemaPatterns.optionalNote, "NONBLANK": SchemaPatterns.nonBlank, "BLANK": SchemaPatterns.blank,
        ]
        for (name, pattern) in patterns {
            // A JSON string: escape the backslashes (and quotes, though no pattern holds one).
            let escaped = pattern.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            text = text.replacingOccurrences(of: "@\(name)@", with: escaped)
        }
        return text
    }()

    private static let template = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Exchange Bot API",
            "version": "1.0.0",
            "description": "Exchange API keys of copy-trading users: add (validated against the exchange, stored encrypted as PENDING), list, activate, update, delete; admins approve or reject. Compatible with the seed system's FastAPI endpoints. Paths are accepted with and without a trailing slash. Every error has the body {\"error\", \"detail\", \"code\"}. A method a documented path does not serve answers 405 with Allow. Requests are limited per user (API_RATE_LIMIT), and per client address for those that fail authentication; a connection idle for 30 s, or slower than 10 s to send a request head or 30 s to send its body, is closed, and beyond 256 open connections a new one is answered 503."
          },
          "servers": [{ "url": "/" }],
          "security": [{ "bearer": [] }],
          "paths": {
            "/user/exchanges/": {
              "get": {
                "operationId": "listExchanges",
                "summary": "List your exchange keys",
                "responses": {
                  "200": {
                    "description": "Your keys, oldest first",
                    "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Exchange" } } } }
                  },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              },
              "post": {
                "operationId": "addExchange",
                "summary": "Add an exchange key",
                "description": "Checks the key with its exchange (it authenticates, it can trade, it cannot withdraw), encrypts the secret and passphrase, and stores it as PENDING and inactive until an admin approves it.",
                "requestBody": {
                  "required": true,
                  "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ExchangeCreate" },
                    "example": { "exchange_name": "okx", "label": "Main account", "api_key": "0f2b6c1e-7c1d-4c53-9d0b-5b6f1f0f6a11", "api_secret": "B3A1C0FFEE0123456789ABCDEF012345", "passphrase": "my key passphrase" }
                  } }
                },
                "responses": {
                  "201": { "description": "Stored as PENDING", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Exchange" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/Unprocessable" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" },
                  "502": { "$ref": "#/components/responses/BadGateway" },
                  "504": { "$ref": "#/components/responses/GatewayTimeout" }
                }
              }
            },
            "/user/exchanges/{id}": {
              "parameters": [{ "$ref": "#/components/parameters/ExchangeId" }],
              "put": {
                "operationId": "updateExchange",
                "summary": "Change a key's label and/or credentials",
                "description": "New credentials (api_key and api_secret together, plus passphrase where the exchange needs one) are validated like a new key and send it back to PENDING and inactive. A new label alone keeps the status.",
                "requestBody": {
                  "required": true,
                  "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ExchangeUpdate" },
                    "example": { "label": "Spot account", "api_key": "new-key-id-0001", "api_secret": "new-secret-0001" }
                  } }
                },
                "responses": {
                  "200": { "description": "Updated", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Exchange" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/Unprocessable" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" },
                  "502": { "$ref": "#/components/responses/BadGateway" },
                  "504": { "$ref": "#/components/responses/GatewayTimeout" }
                }
              },
              "delete": {
                "operationId": "deleteExchange",
                "summary": "Delete one of your keys",
                "responses": {
                  "200": { "description": "Deleted", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Outcome" },
                    "example": { "success": true, "message": "Exchange deleted successfully", "exchange": null } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/user/exchanges/{id}/toggle": {
              "parameters": [{ "$ref": "#/components/parameters/ExchangeId" }],
              "patch": {
                "operationId": "toggleExchange",
                "summary": "Activate or deactivate a key",
                "description": "Only APPROVED keys can be activated; deactivation always works. Without a body the key flips.",
                "requestBody": {
                  "required": false,
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Toggle" }, "example": { "is_active": true } } }
                },
                "responses": {
                  "200": { "description": "Changed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Outcome" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/Unprocessable" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/admin/exchanges/pending": {
              "get": {
                "operationId": "listPending",
                "summary": "Keys waiting for a decision (admins)",
                "responses": {
                  "200": { "description": "Oldest first", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Pending" } } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/admin/exchanges/{id}/approve": {
              "parameters": [{ "$ref": "#/components/parameters/ExchangeId" }],
              "post": {
                "operationId": "approveExchange",
                "summary": "Approve a PENDING key (admins)",
                "description": "The owner is notified, with the optional message. Only one decision ever wins: a second one answers 409 naming who decided.",
                "requestBody": {
                  "required": false,
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Approve" }, "example": { "notification_message": "Welcome aboard!" } } }
                },
                "responses": {
                  "200": { "description": "Approved", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Outcome" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/Unprocessable" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/admin/exchanges/{id}/reject": {
              "parameters": [{ "$ref": "#/components/parameters/ExchangeId" }],
              "post": {
                "operationId": "rejectExchange",
                "summary": "Reject a PENDING key (admins)",
                "description": "The reason is stored in error_message and sent to the owner.",
                "requestBody": {
                  "required": true,
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Reject" }, "example": { "reason": "The key can withdraw funds." } } }
                },
                "responses": {
                  "200": { "description": "Rejected", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Outcome" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "413": { "$ref": "#/components/responses/TooLarge" },
                  "422": { "$ref": "#/components/responses/Unprocessable" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/admin/audit": {
              "get": {
                "operationId": "listAudit",
                "summary": "The audit log, newest first (admins)",
                "description": "Every action and refusal on keys, link codes and links, with who did it and from which channel (rest, telegram, cli, system: told apart by how each records its actor). Filters combine; user_id matches rows the user acted in or about a key they own. Page with next_cursor until it is null. Rows never hold a secret.",
                "parameters": [
                  { "name": "key_id", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807 }, "description": "Rows about this key (also once it is deleted)" },
                  { "name": "user_id", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807 }, "description": "Rows this user acted in, or about a key they own" },
                  { "name": "since", "in": "query", "required": false, "schema": { "type": "string", "format": "date-time" }, "description": "Rows written at or after this moment (RFC 3339; a date alone is midnight UTC)", "example": "2026-12-01T00:00:00Z" },
                  { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                  { "name": "cursor", "in": "query", "required": false, "schema": { "type": "string" }, "description": "The next_cursor of the previous page; anything else is a 422" }
                ],
                "responses": {
                  "200": { "description": "One page, newest first", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AuditPage" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "422": { "description": "A parameter does not read (key_id, user_id, limit, since or cursor)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" },
                    "example": { "error": "Unprocessable Content", "detail": "limit must be an integer from 1 to 200", "code": "422" } } } },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/user/telegram-link": {
              "post": {
                "operationId": "issueTelegramLinkCode",
                "summary": "Get a one-time code that links a Telegram account to your account",
                "description": "The code is single use and valid LINK_CODE_TTL seconds (600 by default). Open url (https://t.me/<bot>?start=<code>; null while the bot's username is unknown) in Telegram, or send /start <code> to the bot in a private chat, and confirm with the Link button. A new code does not cancel older ones.",
                "responses": {
                  "201": { "description": "A new code", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TelegramLinkCode" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "get": {
                "operationId": "getTelegramLink",
                "summary": "Whether a Telegram account is linked to your account (its id and username only)",
                "responses": {
                  "200": { "description": "The link, or linked false", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TelegramLink" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              },
              "delete": {
                "operationId": "unlinkTelegram",
                "summary": "Unlink the Telegram account linked to your account",
                "description": "Idempotent: with nothing linked the answer is the same 200 with linked false. A link the platform made (users.telegram_id) is not removed here: 409.",
                "responses": {
                  "200": { "description": "Nothing is linked any more", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TelegramLink" },
                    "example": { "linked": false, "telegram_id": null, "telegram_username": null } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "$ref": "#/components/responses/Forbidden" },
                  "409": { "description": "The link is the platform's (users.telegram_id)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" },
                  "503": { "$ref": "#/components/responses/Unavailable" }
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "health",
                "summary": "Liveness: the process serves; a status per part (degraded when the database does not answer)",
                "security": [],
                "responses": {
                  "200": { "description": "Alive", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" },
                    "example": { "status": "ok", "database": "ok", "bot": "polling", "role": "leader" } } } },
                  "503": { "description": "Too many connections (the listener's cap)" }
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "ready",
                "summary": "Readiness: database reachable, bot polling or webhook set (or standby on a follower), master key checked",
                "security": [],
                "responses": {
                  "200": { "description": "Ready", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Readiness" },
                    "example": { "status": "ready", "database": "ok", "bot": "polling", "master_key": "ok", "role": "leader" } } } },
                  "503": { "description": "Not ready", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Readiness" } } } }
                }
              }
            },
            "/metrics": {
              "get": { "operationId": "metrics", "summary": "Prometheus metrics (text exposition format 0.0.4)", "security": [], "responses": { "200": { "description": "Metrics", "content": { "text/plain": {} } } } }
            },
            "/openapi.json": {
              "get": { "operationId": "openapi", "summary": "This document", "security": [], "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": {} } } } }
            },
            "/docs": {
              "get": { "operationId": "docs", "summary": "A page that renders this document, with a form per operation to try it", "security": [], "responses": { "200": { "description": "HTML", "content": { "text/html": {} } } } }
            },
            "/redoc": {
              "get": { "operationId": "redoc", "summary": "The same page as a read-only reference", "security": [], "responses": { "200": { "description": "HTML", "content": { "text/html": {} } } } }
            }
          },
          "components": {
            "securitySchemes": {
              "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "base64(\"{user_id}:{timestamp}:{hex(HMAC-SHA256(SECRET_KEY, \\\"{user_id}:{timestamp}\\\"))}\"), valid for TOKEN_MAX_AGE seconds; `exchange-bot token USER_ID` mints one."
              }
            },
            "parameters": {
              "ExchangeId": { "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 1 }, "example": 12 }
            },
            "schemas": {
              "AuditPage": {
                "type": "object",
                "required": ["entries", "next_cursor"],
                "properties": {
                  "entries": { "type": "array", "items": { "$ref": "#/components/schemas/AuditEntry" } },
                  "next_cursor": { "type": ["string", "null"], "description": "Pass as cursor for the next page; null on the last" }
                }
              },
              "AuditEntry": {
                "type": "object",
                "required": ["id", "time", "action", "outcome", "key_id", "user_id", "actor", "channel", "detail"],
                "properties": {
                  "id": { "type": "integer" },
                  "time": { "type": "string", "format": "date-time", "description": "UTC" },
                  "action": { "type": "string", "description": "key.add, key.update, key.delete, key.activate, key.deactivate, key.approve, key.reject, key.health_check, key.check, master_key.rotate, telegram.link_code, telegram.link, telegram.unlink" },
                  "outcome": { "type": "string", "description": "ok, refused or failed" },
                  "key_id": { "type": ["integer", "null"] },
                  "user_id": { "type": ["integer", "null"], "description": "The key's owner while the key exists; for rows about no key, the user concerned" },
                  "actor": {
                    "type": "object",
                    "required": ["name", "user_id", "telegram_id"],
                    "properties": {
                      "name": { "type": "string", "description": "As the log names them: @username, user 7, command line, system" },
                      "user_id": { "type": ["integer", "null"] },
                      "telegram_id": { "type": ["integer", "null"] }
                    }
                  },
                  "channel": { "type": "string", "enum": ["rest", "telegram", "cli", "system"] },
                  "detail": { "type": ["string", "null"], "description": "A short note written by the service (a refusal's code, counts)" }
                },
                "example": { "id": 41, "time": "2026-12-07T02:37:14Z", "action": "key.approve", "outcome": "ok", "key_id": 12, "user_id": 7, "actor": { "name": "@ada", "user_id": null, "telegram_id": 900001 }, "channel": "telegram", "detail": null }
              },
              "Error": {
                "type": "object",
                "required": ["error", "detail", "code"],
                "properties": {
                  "error": { "type": "string", "description": "The HTTP reason phrase" },
                  "detail": { "type": "string", "description": "What went wrong, for people; never a secret" },
                  "code": { "type": "string", "description": "The HTTP status code" }
                },
                "example": { "error": "Conflict", "detail": "This key was already approved by alice.", "code": "409" }
              },
              "ExchangeName": {
                "type": "string",
                "enum": ["binance", "bybit", "okx", "gate", "mexc", "kucoin", "coinbase", "coinbaseexchange", "kraken", "gateio", "coinbasepro"],
                "description": "CCXT ids; gateio and coinbasepro are aliases of gate and coinbaseexchange"
              },
              "ExchangeCreate": {
                "type": "object",
                "required": ["exchange_name", "label", "api_key", "api_secret"],
                "properties": {
                  "exchange_name": { "$ref": "#/components/schemas/ExchangeName" },
                  "label": { "$ref": "#/components/schemas/Label" },
                  "api_key": { "type": "string", "minLength": 1, "maxLength": 500, "description": "Coinbase: the CDP key name" },
                  "api_secret": { "type": "string", "minLength": 1, "maxLength": 4096, "description": "At most 500 characters, except Coinbase's EC private key (PEM)" },
                  "passphrase": { "type": ["string", "null"], "maxLength": 500, "description": "Required for okx, kucoin and coinbaseexchange; for the others absent, null or blank" }
                },
                "if": { "properties": { "exchange_name": { "enum": ["okx", "kucoin", "coinbaseexchange", "coinbasepro"] } } },
                "then": { "required": ["passphrase"], "properties": { "passphrase": { "type": "string", "pattern": "@NONBLANK@" } } },
                "else": { "properties": { "passphrase": { "anyOf": [{ "type": "null" }, { "type": "string", "pattern": "@BLANK@" }] } } }
              },
              "ExchangeUpdate": {
                "type": "object",
                "description": "A new label, new credentials (api_key and api_secret together, with the passphrase where the exchange needs one), or both. null means unchanged for label and passphrase.",
                "properties": {
                  "label": { "anyOf": [{ "$ref": "#/components/schemas/Label" }, { "type": "null" }] },
                  "api_key": { "type": "string", "minLength": 1, "maxLength": 500 },
                  "api_secret": { "type": "string", "minLength": 1, "maxLength": 4096 },
                  "passphrase": { "type": ["string", "null"], "maxLength": 500 }
                },
                "dependentRequired": { "api_key": ["api_secret"], "api_secret": ["api_key"] },
                "anyOf": [
                  { "required": ["label"], "properties": { "label": { "type": "string" } } },
                  { "required": ["api_key", "api_secret"] }
                ],
                "if": { "required": ["passphrase"], "properties": { "passphrase": { "type": "string" } } },
                "then": { "required": ["api_key", "api_secret"] }
              },
              "Label": {
                "type": "string",
                "pattern": "@LABEL@",
                "description": "1 to 100 characters once trimmed of surrounding white space; no control characters, line breaks or invisible format characters (bidi marks, zero-width spaces). The service also allows a zero-width joiner inside an emoji sequence, which this pattern does not."
              },
              "Exchange": {
                "type": "object",
                "required": ["id", "user_id", "exchange_name", "label", "status", "is_active", "error_message", "created_at", "updated_at"],
                "properties": {
                  "id": { "type": "integer" },
                  "user_id": { "type": "integer" },
                  "exchange_name": { "type": "string" },
                  "label": { "type": "string" },
                  "status": { "type": "string", "enum": ["PENDING", "APPROVED", "REJECTED"] },
                  "is_active": { "type": "boolean" },
                  "error_message": { "type": ["string", "null"], "description": "The rejection reason" },
                  "created_at": { "type": ["string", "null"], "description": "UTC, ISO 8601 without offset" },
                  "updated_at": { "type": ["string", "null"] },
                  "api_key_masked": { "type": "string", "description": "First and last four characters of the API key" }
                },
                "example": { "id": 12, "user_id": 7, "exchange_name": "okx", "label": "Main account", "status": "PENDING", "is_active": false, "error_message": null, "created_at": "2026-11-29T10:00:00.000000", "updated_at": "2026-11-29T10:00:00.000000", "api_key_masked": "0f2b…6a11" }
              },
              "Toggle": { "type": "object", "properties": { "is_active": { "type": ["boolean", "null"], "description": "The state wanted; absent or null flips the key" } } },
              "Outcome": {
                "type": "object",
                "required": ["success", "message"],
                "properties": {
                  "success": { "type": "boolean" },
                  "message": { "type": "string" },
                  "exchange": { "anyOf": [{ "$ref": "#/components/schemas/Exchange" }, { "type": "null" }] }
                },
                "example": { "success": true, "message": "Exchange approved successfully", "exchange": { "id": 12, "user_id": 7, "exchange_name": "okx", "label": "Main account", "status": "APPROVED", "is_active": false, "error_message": null, "created_at": "2026-11-29T10:00:00.000000", "updated_at": "2026-11-29T10:05:00.000000", "api_key_masked": "0f2b…6a11" } }
              },
              "ValidationReport": {
                "type": "object",
                "properties": {
                  "canTrade": { "type": ["boolean", "null"] },
                  "canWithdraw": { "type": ["boolean", "null"] },
                  "ipRestricted": { "type": ["boolean", "null"] },
                  "accountType": { "type": ["string", "null"] },
                  "permissions": { "type": "array", "items": { "type": "string" } },
                  "warnings": { "type": "array", "items": { "type": "string" } }
                }
              },
              "Pending": {
                "type": "object",
                "required": ["id", "user_id", "user_username", "exchange_name", "label", "created_at"],
                "properties": {
                  "id": { "type": "integer" },
                  "user_id": { "type": "integer" },
                  "user_username": { "type": "string" },
                  "user_email": { "type": ["string", "null"] },
                  "exchange_name": { "type": "string" },
                  "label": { "type": "string" },
                  "created_at": { "type": ["string", "null"] },
                  "api_key_masked": { "type": "string" },
                  "validation": { "anyOf": [{ "$ref": "#/components/schemas/ValidationReport" }, { "type": "null" }] }
                },
                "example": { "id": 12, "user_id": 7, "user_username": "alice", "user_email": "alice@example.com", "exchange_name": "okx", "label": "Main account", "created_at": "2026-11-29T10:00:00.000000", "api_key_masked": "0f2b…6a11", "validation": { "canTrade": true, "canWithdraw": false, "ipRestricted": false, "permissions": ["read_only", "trade"], "warnings": ["The key has no IP whitelist"] } }
              },
              "Approve": { "type": "object", "properties": { "notification_message": { "type": ["string", "null"], "pattern": "@MESSAGE@", "description": "At most 1,000 characters once trimmed; blank means none" } } },
              "Reject": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string", "pattern": "@REASON@", "description": "1 to 1,000 characters once trimmed" } } },
              "TelegramLinkCode": {
                "type": "object",
                "required": ["code", "url", "expires_at"],
                "properties": {
                  "code": { "type": "string", "pattern": "^[A-Za-z0-9_-]{43}$", "description": "The one-time code; shown once, stored only hashed" },
                  "url": { "type": ["string", "null"], "description": "https://t.me/<bot>?start=<code>, or null while the bot's username is unknown" },
                  "expires_at": { "type": ["string", "null"], "description": "UTC, ISO 8601 without offset" }
                },
                "example": { "code": "q3VxGmZ0T8yq1c2m4Q1nN5x8dJ7bWc0rS9kLzA2uYhE", "url": "https://t.me/exchange_keys_bot?start=q3VxGmZ0T8yq1c2m4Q1nN5x8dJ7bWc0rS9kLzA2uYhE", "expires_at": "2026-11-29T10:10:00.000000" }
              },
              "TelegramLink": {
                "type": "object",
                "required": ["linked", "telegram_id", "telegram_username"],
                "properties": {
                  "linked": { "type": "boolean" },
                  "telegram_id": { "type": ["integer", "null"] },
                  "telegram_username": { "type": ["string", "null"] }
                },
                "example": { "linked": true, "telegram_id": 123456789, "telegram_username": "alice" }
              },
              "Health": {
                "type": "object",
                "required": ["status", "database", "bot"],
                "properties": {
                  "status": { "type": "string", "enum": ["ok", "degraded"] },
                  "database": { "type": "string", "enum": ["ok", "unreachable"] },
                  "bot": { "type": "string", "description": "disabled, starting, polling, webhook, standby (a follower), conflict, token refused, stopping" },
                  "role": { "type": "string", "enum": ["leader", "follower", "single"] }
                }
              },
              "Readiness": {
                "type": "object",
                "required": ["status", "database", "bot", "master_key", "role"],
                "properties": {
                  "status": { "type": "string", "enum": ["ready", "not ready"] },
                  "database": { "type": "string", "enum": ["ok", "unreachable"] },
                  "bot": { "type": "string" },
                  "master_key": { "type": "string", "enum": ["ok", "not checked"] },
                  "role": { "type": "string", "enum": ["leader", "follower", "single"] }
                }
              }
            },
            "responses": {
              "BadRequest": { "description": "Malformed request (not JSON), or a passphrase missing where the exchange needs one or sent where none belongs (on PUT, the stored key's exchange decides)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Unauthorized": { "description": "Missing, malformed, tampered or expired token; unknown user", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" },
                "example": { "error": "Unauthorized", "detail": "Token expired", "code": "401" } } } },
              "Forbidden": { "description": "Deactivated account, or not an admin", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "NotFound": { "description": "No such key among yours", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" },
                "example": { "error": "Not Found", "detail": "Exchange not found", "code": "404" } } } },
              "Conflict": { "description": "Duplicate key, or the key is in the wrong state (already decided, not approved)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "TooLarge": { "description": "Body over 64 KB", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Unprocessable": { "description": "A field is invalid, or the exchange refused the key (wrong secret, wrong passphrase, withdrawal enabled, IP not whitelisted…)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" },
                "example": { "error": "Unprocessable Content", "detail": "The passphrase is wrong. It is the one you chose when you created the API key, not your login password.", "code": "422" } } } },
              "TooManyRequests": { "description": "API_RATE_LIMIT exceeded (per user; per address before authentication), or, when adding or replacing credentials, API_KEY_SUBMIT_LIMIT (key checks per user, shared with the bot)", "headers": { "Retry-After": { "schema": { "type": "integer" }, "description": "Seconds to wait" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "InternalError": { "description": "The database failed, or a stored secret cannot be opened with the configured master key; nothing was changed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "BadGateway": { "description": "The exchange is unavailable or answered garbage", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "GatewayTimeout": { "description": "The exchange did not answer within EXCHANGE_TIMEOUT", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
              "Unavailable": { "description": "This service has no store for Telegram links", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
          }
        }
        """#
}
