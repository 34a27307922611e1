import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The API documentation page, served with no outside script, stylesheet or font: `/docs` renders the OpenAPI
/// document with a "try it out" form per operation, `/redoc` renders the same reference read-only.
///
/// Its script and stylesheet are inline, and the `Content-Security-Policy` allows exactly those two by their
/// SHA-256 (CSP level 2 hashes), computed here from the very text the page holds, so the header can never drift
/// from the page. A hash rather than a nonce: the page is the same for every request, a nonce would have to be new
/// on each, and `'unsafe-inline'` would let any injected markup run. Everything else is `'none'` except `fetch` to
/// this origin (`connect-src 'self'`).
enum DocsPage {
    enum Mode: String {
        /// `/docs`: every operation with a form that sends it.
        case tryItOut = "try"
        /// `/redoc`: the reference alone.
        case reference = "read"
    }

    static func response(_ mode: Mode) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: contentSecurityPolicy,
                .init("X-Content-Type-Options")!: "nosniff",
                .init("Referrer-Policy")!: "no-referrer",
                .cacheControl: "no-cache",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html(mode)))
        )
    }

    static let contentSecurityPolicy =
        "default-src 'none'; script-src '\(sha256(DocsPageScript.source))'; style-src '\(sha256(style))'; "
        + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// `'sha256-…'`, as CSP names an inline element by the hash of its exact text.
    static func sha256(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    static func html(_ mode: Mode) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Exchange Bot API</title>
        <style>\(style)</style>
        </head>
        <body data-mode="\(mode.rawValue)">
        <header>
        <h1 id="title">Exchange Bot API</h1>
        <p id="description"></p>
        <p class="links">OpenAPI document: <a id="raw" href="openapi.json">/openapi.json</a> ·
        <a id="to-docs" href="docs">try it out</a> · <a id="to-redoc" href="redoc">reference</a> · <a href="#schemas">schemas</a></p>
        <form id="auth" class="auth">
        <label>Bearer token <input id="token" type="password" autocomplete="off" spellcheck="false"
        placeholder="exchange-bot token USER_ID"></label>
        <span class="note">Kept in this page only (never stored); sent with "Try it out" to this API alone.</span>
        </form>
        </header>
        <nav><ul id="index"></ul></nav>
        <main id="operations">Loading…</main>
        <h2>Schemas</h2>
        <div id="schemas"></div>
        <script>\(DocsPageScript.source)</script>
        </body>
        </html>

        """
    }

    static let style = """
        body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; padding: 0 1rem; color: #1d1d1f; }
        h1 { margin-bottom: 0; } h3 { margin: .25rem 0; } h4 { margin: .75rem 0 .25rem; }
        .op { border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem; }
        .method { display: inline-block; min-width: 4.5rem; font-weight: 700; }
        .get { color: #0a7; } .post { color: #06c; } .put { color: #a60; } .patch { color: #a0a; } .delete { color: #c22; }
        code, pre { background: #f5f5f7; border-radius: 4px; } pre { padding: .5rem; overflow-x: auto; }
        table { border-collapse: collapse; margin: .25rem 0; } th { text-align: left; }
        td, th { padding: .15rem .75rem .15rem 0; vertical-align: top; border-bottom: 1px solid #eee; }
        .required { color: #c22; font-size: .85em; } .rules, .lock, .note { color: #666; font-size: .9em; }
        .pattern { display: block; max-height: 6rem; overflow: auto; word-break: break-all; }
        .response summary, .tryout summary { cursor: pointer; } .tryout { margin: .75rem 0; }
        .try label { display: block; margin: .25rem 0; } .try input { min-width: 16rem; }
        .try textarea { display: block; width: 100%; font: 13px/1.4 ui-monospace, monospace; }
        .auth { position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid #ddd; }
        .auth input { min-width: 24rem; } .status { font-weight: 700; }
        nav ul { columns: 2; list-style: none; padding: 0; }
        """
}
