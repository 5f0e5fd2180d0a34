// <efa-form>: the efa-forms widget as a custom element.
//
//   <script type="module" src="/efa/efa-form.js"></script>
//   <efa-form form="/forms/hundesteuer-anmeldung.json"
//             tenant="/tenants/musterstadt.json" lang="de"
//             action="/api/submissions"></efa-form>
//
// This file only fetches the files and loads the WASM module; the renderer
// (Rust, efa_wasm_bg.wasm) builds and updates the form in a shadow root.
// No eval, no inline styles: it runs under
// `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
import init, { mount, referencedCodelists, renderFailure } from './efa_wasm.js';

const base = new URL('.', import.meta.url);
let ready;

/** Today's civil date in Europe/Berlin, the date German authorities count in. */
function berlinToday() {
  const parts = new Intl.DateTimeFormat('en', {
    timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

async function fetchText(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

async function fetchJson(url) {
  return JSON.parse(await fetchText(url));
}

/**
 * Where code list `id` is: `codelists` may be a folder (`/forms/codelists/`
 * → `/forms/codelists/<id>.json`) or a template with `{id}`
 * (`/api/codelists/{id}`); without it, `codelists/` next to the form.
 */
function codelistUrl(attribute, formUrl, id) {
  const name = encodeURIComponent(id);
  if (attribute?.includes('{id}')) return new URL(attribute.replaceAll('{id}', name), document.baseURI);
  return new URL(`${name}.json`, new URL(attribute || 'codelists/', attribute ? document.baseURI : formUrl));
}

/** The widget's stylesheet as a file: allowed by `style-src 'self'`. */
function stylesheet(root) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('efa-form.css', base).href;
  const loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
  root.append(link);
  return loaded;
}

class EfaForm extends HTMLElement {
  static observedAttributes = ['lang'];
  #widget = null;
  #started = false;

  connectedCallback() {
    if (!this.#started) {
      this.#started = true;
      this.#start();
    }
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'lang' && this.#widget && value) this.#widget.setLanguage(value);
  }

  /** The canonical submission the form would send now. */
  submission() {
    return this.#widget?.submission();
  }

  /** Full validation of the current answers: `{valid, errors, warnings}`. */
  validate() {
    return this.#widget?.validate();
  }

  async #start() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const lang = this.getAttribute('lang') || document.documentElement.lang || 'de';
    const styled = stylesheet(root);
    try {
      ready ??= init({ module_or_path: new URL('efa_wasm_bg.wasm', base) });
      const formUrl = new URL(this.getAttribute('form') ?? '', document.baseURI);
      const tenantUrl = this.getAttribute('tenant');
      // The definition stays text: the engine reads it straight into its model.
      const [definition, tenant] = await Promise.all([
        fetchText(formUrl),
        tenantUrl ? fetchJson(new URL(tenantUrl, document.baseURI)) : null,
        ready,
      ]);
      const ids = referencedCodelists(definition);
      const lists = await Promise.all(ids.map((id) => fetchJson(codelistUrl(this.getAttribute('codelists'), formUrl, id))));
      const action = this.getAttribute('action');
      await styled;
      this.#widget = mount(root, this, {
        definition,
        tenant,
        codelists: Object.fromEntries(ids.map((id, i) => [id, lists[i]])),
        lang,
        today: this.getAttribute('today') || berlinToday(),
        action: action ? new URL(action, document.baseURI).href : null,
        headingLevel: Number(this.getAttribute('heading-level')) || null,
      });
      this.dispatchEvent(new CustomEvent('efa-ready', { bubbles: true, composed: true }));
    } catch (error) {
      console.error('efa-form:', error);
      await styled;
      // mount() renders its own error state (e.g. an invalid tenant).
      if (root.querySelector('.efa-container')) return;
      try {
        await ready;
        renderFailure(root, lang, [String(error?.message ?? error)]);
      } catch {
        const text = document.createElement('p');
        text.setAttribute('role', 'alert');
        text.textContent = lang === 'en' ? 'The form cannot be shown at the moment.' : 'Das Formular kann gerade nicht angezeigt werden.';
        root.append(text);
      }
    }
  }
}

if (!customElements.get('efa-form')) customElements.define('efa-form', EfaForm);
