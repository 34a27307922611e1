/// The script of the documentation page (``DocsPage``): it fetches the OpenAPI document and renders every
/// operation (parameters, request body with its schema and example, each response with its schema and example),
/// the schemas, and, on `/docs`, a "try it out" form per operation.
///
/// The bearer token typed into the page lives in that input only: it is never written to `localStorage`,
/// `sessionStorage`, a cookie or the URL, and it goes only to this API's own origin (`connect-src 'self'`).
/// Everything the document says is put into the page as text (`textContent`), never as markup.
enum DocsPageScript {
    static let source = #"""
        'use strict';
        // The API's root: the page's own path without /docs or /redoc, so it follows any prefix a proxy adds.
        const root = location.pathname.replace(/\/(docs|redoc)\/?$/, '');
        const interactive = document.body.dataset.mode === 'try';
        const el = (tag, props, ...children) => {
          const e = document.createElement(tag);
          for (const [key, value] of Object.entries(props || {})) {
            if (key === 'class') e.className = value;
            else if (key === 'text') e.textContent = value;
            else e.setAttribute(key, value);
          }
          for (const child of children) if (child !== null && child !== undefined) e.append(child);
          return e;
        };
        const pretty = value => JSON.stringify(value, null, 2);
        let doc = null;
        const lookup = ref => ref.slice(2).split('/').reduce((node, key) => (node || {})[key], doc);
        const resolve = node => { let depth = 0; while (node && node.$ref && depth++ < 16) node = lookup(node.$ref); return node; };
        const refName = ref => ref.split('/').pop();
        const schemaLink = ref => el('a', { href: '#schema-' + refName(ref), text: refName(ref) });
        const firstType = s => Array.isArray(s.type) ? s.type.filter(t => t !== 'null').concat(s.type)[0] : s.type;

        // A short description of a schema's type, with links to named schemas.
        const typeView = schema => {
          if (!schema) return el('span', { text: 'any' });
          if (schema.$ref) return schemaLink(schema.$ref);
          const choices = schema.anyOf || schema.oneOf;
          if (choices) {
            const span = el('span');
            choices.forEach((choice, index) => { if (index) span.append(' | '); span.append(typeView(choice)); });
            return span;
          }
          const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type || (schema.properties ? 'object' : 'any'));
          if (type === 'array') return el('span', {}, 'array of ', typeView(schema.items));
          return el('span', { text: type });
        };

        const constraints = schema => {
          const parts = [];
          if (schema.enum) parts.push('one of ' + schema.enum.map(v => JSON.stringify(v)).join(', '));
          for (const [key, label] of [['minLength', 'at least'], ['maxLength', 'at most'], ['minimum', 'minimum'], ['maximum', 'maximum']]) {
            if (schema[key] !== undefined) parts.push(label + ' ' + schema[key] + (key.endsWith('Length') ? ' characters' : ''));
          }
          if (schema.format) parts.push('format ' + schema.format);
          return parts.join('; ');
        };

        const describe = schema => {
          const cell = el('div');
          if (schema.description) cell.append(el('div', { text: schema.description }));
          const rules = constraints(schema);
          if (rules) cell.append(el('div', { class: 'rules', text: rules }));
          if (schema.pattern) cell.append(el('details', {}, el('summary', { text: 'pattern' }), el('code', { class: 'pattern', text: schema.pattern })));
          return cell;
        };

        // A schema as a table of its properties (objects) or its type and rules (anything else).
        const schemaView = schema => {
          const box = el('div', { class: 'schema' });
          if (!schema) return box;
          if (schema.$ref) { box.append('Schema: ', schemaLink(schema.$ref)); return box; }
          const properties = Object.entries(schema.properties || {});
          if (!properties.length) { box.append(typeView(schema), describe(schema)); return box; }
          const required = new Set(schema.required || []);
          const table = el('table', {}, el('tr', {}, el('th', { text: 'field' }), el('th', { text: 'type' }), el('th', { text: 'meaning' })));
          for (const [name, property] of properties) {
            table.append(el('tr', {},
              el('td', {}, el('code', { text: name }), required.has(name) ? el('span', { class: 'required', text: ' required' }) : null),
              el('td', {}, typeView(property)),
              el('td', {}, describe(property))));
          }
          box.append(table);
          const conditions = ['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'dependentRequired'].filter(key => schema[key] !== undefined);
          if (conditions.length) {
            const rules = {};
            for (const key of conditions) rules[key] = schema[key];
            box.append(el('details', {}, el('summary', { text: 'further rules' }), el('pre', { text: pretty(rules) })));
          }
          return box;
        };

        // An example for a schema: its own, or one built from its parts (as Swagger UI does).
        const exampleOf = (schema, depth) => {
          const s = resolve(schema);
          if (!s || depth > 8) return null;
          if (s.example !== undefined) return s.example;
          if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
          if (s.enum) return s.enum[0];
          const choices = s.anyOf || s.oneOf;
          if (choices) return exampleOf(choices.find(c => firstType(resolve(c) || {}) !== 'null') || choices[0], depth + 1);
          const type = firstType(s) || (s.properties ? 'object' : undefined);
          if (type === 'array') return [exampleOf(s.items, depth + 1)];
          if (type === 'object') {
            const object = {};
            for (const [name, property] of Object.entries(s.properties || {})) object[name] = exampleOf(property, depth + 1);
            return object;
          }
          return { string: 'string', integer: 0, number: 0, boolean: true, null: null }[type] ?? null;
        };
        const mediaExample = media => media.example !== undefined ? media.example : exampleOf(media.schema, 0);

        const responseView = (code, response) => {
          const resolved = resolve(response) || {};
          const item = el('details', { class: 'response' }, el('summary', {}, el('code', { text: code }), ' ' + (resolved.description || '')));
          for (const [name, header] of Object.entries(resolved.headers || {})) item.append(el('p', {}, 'Header ', el('code', { text: name }), ': ' + (header.description || '')));
          const media = (resolved.content || {})['application/json'];
          if (media && media.schema) {
            item.append(schemaView(media.schema));
            const example = mediaExample(media);
            if (example !== null) item.append(el('strong', { text: 'Example' }), el('pre', { text: pretty(example) }));
          } else if (resolved.content) {
            item.append(el('p', { text: 'Content: ' + Object.keys(resolved.content).join(', ') }));
          }
          return item;
        };

        // The "try it out" form: parameters, a JSON body prefilled from the example, Send; the answer below it.
        const tryItOut = (method, path, parameters, media, secured) => {
          const form = el('form', { class: 'try' });
          const inputs = parameters.filter(p => p.in === 'path' || p.in === 'query').map(parameter => {
            const input = el('input', { name: parameter.name, autocomplete: 'off' });
            if (parameter.in === 'path') input.required = true;
            const example = exampleOf(parameter.schema, 0);
            if (parameter.example !== undefined) input.value = String(parameter.example);
            else if (parameter.in === 'path' && example !== null) input.value = String(example);
            form.append(el('label', {}, parameter.name + ' (' + parameter.in + ') ', input));
            return { parameter, input };
          });
          const body = media ? el('textarea', { rows: '8', spellcheck: 'false' }) : null;
          if (body) { body.value = pretty(mediaExample(media)); form.append(el('label', { class: 'body' }, 'JSON body (empty: none)', body)); }
          const status = el('p', { class: 'status' });
          const output = el('pre', { class: 'output' });
          form.append(el('button', { type: 'submit', text: 'Send ' + method.toUpperCase() }), status, output);
          form.addEventListener('submit', event => {
            event.preventDefault();
            let target = path;
            const query = new URLSearchParams();
            for (const { parameter, input } of inputs) {
              if (parameter.in === 'path') target = target.replace('{' + parameter.name + '}', encodeURIComponent(input.value));
              else if (input.value !== '') query.append(parameter.name, input.value);
            }
            const headers = { Accept: 'application/json' };
            const token = document.getElementById('token').value.trim();
            if (secured && token) headers.Authorization = 'Bearer ' + token;
            const init = { method: method.toUpperCase(), headers, credentials: 'omit', cache: 'no-store', redirect: 'error' };
            if (body && body.value.trim() !== '') { headers['Content-Type'] = 'application/json'; init.body = body.value; }
            const search = query.toString();
            status.textContent = 'Sending…';
            output.textContent = '';
            fetch(root + target + (search ? '?' + search : ''), init).then(async response => {
              const shown = ['allow', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining'].filter(name => response.headers.get(name) !== null);
              status.textContent = response.status + ' ' + response.statusText + shown.map(name => ' · ' + name + ': ' + response.headers.get(name)).join('');
              const text = await response.text();
              try { output.textContent = pretty(JSON.parse(text)); } catch (error) { output.textContent = text; }
            }).catch(error => { status.textContent = 'The request failed: ' + error.message; });
          });
          return el('details', { class: 'tryout' }, el('summary', { text: 'Try it out' }), form);
        };

        const operationView = (path, item, method) => {
          const op = item[method];
          const secured = !(Array.isArray(op.security) && op.security.length === 0);
          const box = el('section', { class: 'op', id: 'op-' + (op.operationId || method + path) });
          box.append(el('h3', {}, el('span', { class: 'method ' + method, text: method.toUpperCase() }), el('code', { text: path }), ' ' + (op.summary || ''),
            el('span', { class: 'lock', text: secured ? ' · bearer token' : ' · no token' })));
          if (op.description) box.append(el('p', { text: op.description }));
          const parameters = (item.parameters || []).concat(op.parameters || []).map(resolve);
          if (parameters.length) {
            const table = el('table', {}, el('tr', {}, el('th', { text: 'parameter' }), el('th', { text: 'in' }), el('th', { text: 'type' }), el('th', { text: 'meaning' })));
            for (const p of parameters) {
              table.append(el('tr', {}, el('td', {}, el('code', { text: p.name }), p.required ? el('span', { class: 'required', text: ' required' }) : null),
                el('td', { text: p.in }), el('td', {}, typeView(p.schema)), el('td', {}, describe(Object.assign({}, p.schema || {}, { description: p.description })))));
            }
            box.append(el('h4', { text: 'Parameters' }), table);
          }
          const requestBody = resolve(op.requestBody);
          const media = requestBody && (requestBody.content || {})['application/json'];
          if (media) {
            box.append(el('h4', { text: 'Request body' + (requestBody.required ? '' : ' (optional)') }), schemaView(media.schema));
            box.append(el('strong', { text: 'Example' }), el('pre', { text: pretty(mediaExample(media)) }));
          }
          box.append(el('h4', { text: 'Responses' }));
          for (const [code, response] of Object.entries(op.responses || {})) box.append(responseView(code, response));
          if (interactive) box.append(tryItOut(method, path, parameters, media, secured));
          return box;
        };

        const render = () => {
          document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
          document.getElementById('description').textContent = doc.info.description || '';
          const index = document.getElementById('index');
          const operations = document.getElementById('operations');
          operations.textContent = '';
          for (const [path, item] of Object.entries(doc.paths || {})) {
            for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
              if (!item[method]) continue;
              const view = operationView(path, item, method);
              operations.append(view);
              index.append(el('li', {}, el('a', { href: '#' + view.id }, el('span', { class: 'method ' + method, text: method.toUpperCase() }), ' ' + path)));
            }
          }
          const schemas = document.getElementById('schemas');
          for (const [name, schema] of Object.entries((doc.components || {}).schemas || {})) {
            const section = el('section', { class: 'op', id: 'schema-' + name }, el('h3', { text: name }));
            if (schema.description) section.append(el('p', { text: schema.description }));
            section.append(schemaView(schema));
            const example = exampleOf(schema, 0);
            if (example !== null) section.append(el('strong', { text: 'Example' }), el('pre', { text: pretty(example) }));
            schemas.append(section);
          }
          if (location.hash) { const target = document.getElementById(location.hash.slice(1)); if (target) target.scrollIntoView(); }
        };

        document.getElementById('raw').setAttribute('href', root + '/openapi.json');
        for (const page of ['docs', 'redoc']) {
          const link = document.getElementById('to-' + page);
          if (link) link.setAttribute('href', root + '/' + page);
        }
        document.getElementById('auth').hidden = !interactive;
        document.getElementById('auth').addEventListener('submit', event => event.preventDefault());
        fetch(root + '/openapi.json', { cache: 'no-store', credentials: 'omit' })
          .then(response => { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
          .then(value => { doc = value; render(); })
          .catch(error => { document.getElementById('operations').textContent = 'Could not load ' + root + '/openapi.json: ' + error.message; });
        """#
}
