import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RESTServer
import TestSupport
import Testing

/// `/docs` and `/redoc`: one self-contained page (no outside script, style or font), allowed to run only its own
/// inline script and style by a Content-Security-Policy naming their hashes.
@Suite struct DocsPageTests {
    struct Page {
        let html: String
        let policy: String
        /// The text between the page's `<script>` and `</script>`, and between `<style>` and `</style>`.
        var script: String { between("<script>", "</script>") }
        var style: String { between("<style>", "</style>") }

        func between(_ open: String, _ close: String) -> String {
            guard let start = html.range(of: open),
                let end = html.range(of: close, range: start.upperBound..<html.endIndex)
            else { return "" }
            return String(html[start.upperBound..<end.lowerBound])
        }
    }

    static func pages() async throws -> [String: Page] {
        let harness = try APIHarness()
        let pages = PageBox()
        try await harness.test { client in
            for path in ["/docs", "/redoc"] {
                let answer = try await client.call(.get, path)
                #expect(answer.status == .ok && answer.headers[.contentType] == "text/html; charset=utf-8")
                pages.set(path, Page(html: answer.body, policy: answer.headers[.contentSecurityPolicy] ?? ""))
            }
        }
        return pages.value
    }

    @Test(.enabled(if: Python.executable != nil, "python3 is not on PATH (it computes the hashes independently)"))
    func thePolicyAllowsOnlyThePagesOwnScriptAndStyle() async throws {
        let pages = try await Self.pages()
        for (path, page) in pages {
            let script = page.script
            let style = page.style
            #expect(!script.isEmpty && !style.isEmpty, "\(path)")
            // The hashes, computed independently of the service's own code.
            let hashes = try await Python.run(
                """
                import base64, hashlib, sys
                for text in sys.argv[1:]:
                    print("sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode())
                """,
                arguments: [script, style]
            ).split(separator: "\n").map(String.init)
            #expect(hashes.count == 2)
            let directives = Dictionary(
                page.policy.split(separator: ";").map { part in
                    let words = part.split(separator: " ").map(String.init)
                    return (words.first ?? "", Array(words.dropFirst()))
                },
                uniquingKeysWith: { first, _ in first }
            )
            #expect(directives["default-src"] == ["'none'"], "\(page.policy)")
            #expect(directives["script-src"] == ["'\(hashes[0])'"], "\(page.policy)")
            #expect(directives["style-src"] == ["'\(hashes[1])'"], "\(page.policy)")
            #expect(directives["connect-src"] == ["'self'"])
            #expect(directives["frame-ancestors"] == ["'none'"] && directives["base-uri"] == ["'none'"])
            #expect(!page.policy.contains("unsafe"))
            // One inline script and one inline style, nothing loaded from elsewhere, nothing kept in the browser.
            #expect(page.html.components(separatedBy: "<script").count == 2)
            #expect(page.html.components(separatedBy: "<style").count == 2 && !page.html.contains("style=\""))
            for forbidden in [
                "http://", "https://", "<script src", "<link", "@import", "localStorage", "sessionStorage",
                "document.cookie", "innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "document.write",
            ] {
                #expect(!page.html.contains(forbidden), "\(path) contains \(forbidden)")
            }
        }
        #expect(pages["/docs"]?.html.contains("data-mode=\"try\"") == true)
        #expect(pages["/redoc"]?.html.contains("data-mode=\"read\"") == true)
        #expect(pages["/docs"]?.script == pages["/redoc"]?.script, "one script, so one hash, for both pages")
    }

    @Test(
        .enabled(
            if: NodeRenderer.executable != nil,
            "node is not installed (scripts/install-dependencies.sh installs it)"
        )
    )
    func thePageRendersEveryOperationAndSendsTheFormWithTheToken() async throws {
        let harness = try APIHarness()
        let pages = try await Self.pages()
        let document = DocumentBox()
        try await harness.test { client in document.value = try await client.call(.get, "/openapi.json").body }
        let paths = try #require(try object(document.value)["paths"] as? [String: [String: Any]])
        let operations = paths.values.flatMap { item in
            item.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }
        }
        let page = try #require(pages["/docs"])
        let report = try await NodeRenderer.render(
            script: page.script,
            document: document.value,
            pagePath: "/api/exchanges/docs",
            mode: "try"
        )
        #expect(report["operations"] as? Int == operations.count)
        #expect(report["forms"] as? Int == operations.count, "a try-it-out form per operation")
        #expect(report["rawHref"] as? String == "/api/exchanges/openapi.json")
        #expect(report["documentURL"] as? String == "/api/exchanges/openapi.json")
        let text = try #require(report["text"] as? String)
        for expected in [
            "ExchangeCreate", "Main account", "Exchange deleted successfully", "Token expired", "Retry-After",
        ] {
            #expect(text.contains(expected), "the rendered page shows \(expected)")
        }
        // "Send" on addExchange: the example body, the token typed in, to the API under the page's prefix.
        let add = try #require(report["addExchange"] as? [String: Any])
        #expect(add["url"] as? String == "/api/exchanges/user/exchanges/")
        #expect(add["method"] as? String == "POST")
        #expect(add["authorization"] as? String == "Bearer typed-token")
        #expect(add["contentType"] as? String == "application/json")
        let body = try object(try #require(add["body"] as? String))
        #expect(body["exchange_name"] as? String == "okx" && body["label"] as? String == "Main account")
        #expect((add["shown"] as? String)?.hasPrefix("201 Created") == true)
        #expect((add["output"] as? String)?.contains("\"id\": 12") == true)
        // A path parameter is filled in (and escaped); a public operation gets no token.
        let delete = try #require(report["deleteExchange"] as? [String: Any])
        #expect(
            delete["url"] as? String == "/api/exchanges/user/exchanges/12%2F3"
                && delete["method"] as? String == "DELETE"
        )
        #expect(delete["body"] == nil || delete["body"] is NSNull)
        let open = try #require(report["openapi"] as? [String: Any])
        #expect(open["authorization"] == nil || open["authorization"] is NSNull)
        #expect(report["stored"] as? Bool == false, "the token is never stored")

        let reference = try await NodeRenderer.render(
            script: page.script,
            document: document.value,
            pagePath: "/redoc",
            mode: "read"
        )
        #expect(reference["operations"] as? Int == operations.count && reference["forms"] as? Int == 0)
        #expect(reference["documentURL"] as? String == "/openapi.json")
    }
}

/// Values handed out of HummingbirdTesting's `@Sendable` closures.
final class PageBox: @unchecked Sendable {
    private let lock = NSLock()
    private var pages = [String: DocsPageTests.Page]()
    func set(_ path: String, _ page: DocsPageTests.Page) { lock.withLock { pages[path] = page } }
    var value: [String: DocsPageTests.Page] { lock.withLock { pages } }
}

final class DocumentBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String {
        get { lock.withLock { text } }
        set { lock.withLock { text = newValue } }
    }
}
