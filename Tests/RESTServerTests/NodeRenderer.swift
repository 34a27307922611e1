import Foundation
import TestSupport

/// Runs the documentation page's script in Node.js against a small stand-in for the browser's DOM and `fetch`, so
/// a test can see what the page renders and what its "try it out" forms send, without a browser.
///
/// The stand-in has only what the script uses (`createElement`, `append`, `setAttribute`, `textContent`,
/// `addEventListener`, `getElementById`, `location.pathname`); `localStorage`, `sessionStorage` and
/// `document.cookie` report any use. `fetch` answers the document for `…/openapi.json` and `201 {"id": 12}` for
/// anything else, recording each call.
enum NodeRenderer {
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin"])
            .flatMap { ["\($0)/node", "\($0)/nodejs"] }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Renders the page at `pagePath` in `mode` (`try` or `read`), presses "Send" on `addExchange`,
    /// `deleteExchange` (its id set to `12/3`) and `openapi` with the token field holding `typed-token`, and
    /// returns the report the harness prints.
    static func render(script: String, document: String, pagePath: String, mode: String) async throws
        -> [String: Any]
    {
        guard let executable else { throw Failure(description: "node is not installed") }
        let folder = TemporaryFolder()
        try script.write(toFile: folder.path("page.js"), atomically: true, encoding: .utf8)
        try document.write(toFile: folder.path("openapi.json"), atomically: true, encoding: .utf8)
        try harness.write(toFile: folder.path("harness.js"), atomically: true, encoding: .utf8)
        let output = try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                folder.path("harness.js"), folder.path("page.js"), folder.path("openapi.json"), pagePath, mode,
            ]
            let out = FileManager.default.createFile(atPath: folder.path("out"), contents: nil)
            precondition(out)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path("out")))
            process.standardError = process.standardOutput
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, (try? String(contentsOfFile: folder.path("out"), encoding: .utf8)) ?? "")
        }
        guard output.0 == 0,
            let report = try? JSONSerialization.jsonObject(with: Data(output.1.utf8)) as? [String: Any]
        else { throw Failure(description: "node failed (\(output.0)): \(output.1.prefix(4000))") }
        return report
    }

    static let harness = #"""
        'use strict';
        const fs = require('fs');
        const vm = require('vm');
        const [scriptFile, documentFile, pagePath, mode] = process.argv.slice(2);
        const documentText = fs.readFileSync(documentFile, 'utf8');
        const byId = {};
        let stored = false;
        class Text { constructor(text) { this.textContent = text; } }
        class Element {
          constructor(tag) {
            this.tagName = tag.toUpperCase(); this.children = []; this.attributes = {}; this.listeners = {};
            this.ownText = ''; this.className = ''; this.hidden = false; this.value = ''; this.required = false;
          }
          append(...nodes) { for (const node of nodes) this.children.push(typeof node === 'string' ? new Text(node) : node); }
          setAttribute(name, value) { this.attributes[name] = String(value); if (name === 'id') byId[value] = this; }
          getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; }
          get id() { return this.attributes.id; }
          addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); }
          set textContent(value) { this.children = []; this.ownText = String(value); }
          get textContent() { return this.ownText + this.children.map(child => child.textContent).join(''); }
          scrollIntoView() {}
          findAll(test, found = []) {
            if (test(this)) found.push(this);
            for (const child of this.children) if (child instanceof Element) child.findAll(test, found);
            return found;
          }
        }
        const tags = { title: 'h1', description: 'p', index: 'ul', operations: 'main', schemas: 'div', raw: 'a', auth: 'form', token: 'input' };
        for (const [id, tag] of Object.entries(tags)) new Element(tag).setAttribute('id', id);
        byId.token.value = 'typed-token';
        const calls = [];
        const fetch = (url, init) => {
          calls.push({ url, init: init || {} });
          const isDocument = url.endsWith('/openapi.json');
          const text = isDocument ? documentText : '{"id":12}';
          return Promise.resolve({
            ok: true, status: isDocument ? 200 : 201, statusText: isDocument ? 'OK' : 'Created',
            headers: { get: name => name === 'x-ratelimit-remaining' ? '59' : null },
            json: () => Promise.resolve(JSON.parse(text)), text: () => Promise.resolve(text),
          });
        };
        const document = {
          createElement: tag => new Element(tag),
          getElementById: id => byId[id] || null,
          body: { dataset: { mode } },
        };
        Object.defineProperty(document, 'cookie', { get() { stored = true; return ''; }, set() { stored = true; } });
        const context = { document, fetch, location: { pathname: pagePath, hash: '' }, URLSearchParams, console };
        for (const name of ['localStorage', 'sessionStorage', 'indexedDB']) {
          Object.defineProperty(context, name, { get() { stored = true; return undefined; } });
        }
        const settle = async () => { for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve)); };
        (async () => {
          vm.runInNewContext(fs.readFileSync(scriptFile, 'utf8'), vm.createContext(context));
          await settle();
          const report = {
            documentURL: calls.length ? calls[0].url : null,
            rawHref: byId.raw.getAttribute('href'),
            operations: byId.operations.children.filter(child => child.tagName === 'SECTION').length,
            forms: byId.operations.findAll(node => node.tagName === 'FORM' && node.className === 'try').length,
            text: byId.operations.textContent + byId.schemas.textContent,
          };
          for (const [operation, pathValue] of [['addExchange', null], ['deleteExchange', '12/3'], ['openapi', null]]) {
            const section = byId['op-' + operation];
            const form = section && section.findAll(node => node.tagName === 'FORM')[0];
            if (!form) continue;
            for (const input of form.findAll(node => node.tagName === 'INPUT')) if (pathValue !== null) input.value = pathValue;
            const before = calls.length;
            for (const listener of form.listeners.submit || []) listener({ preventDefault() {} });
            await settle();
            const call = calls[before];
            if (!call) { report[operation] = { sent: false }; continue; }
            const headers = call.init.headers || {};
            report[operation] = {
              url: call.url, method: call.init.method, authorization: headers.Authorization || null,
              contentType: headers['Content-Type'] || null, body: call.init.body === undefined ? null : call.init.body,
              credentials: call.init.credentials,
              shown: form.findAll(node => node.className === 'status')[0].textContent,
              output: form.findAll(node => node.className === 'output')[0].textContent,
            };
          }
          report.stored = stored;
          process.stdout.write(JSON.stringify(report));
        })().catch(error => { process.stdout.write('harness error: ' + (error && error.stack || error)); process.exit(1); });
        """#
}
