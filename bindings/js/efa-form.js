// <efa-form>: the efa-forms widget as a custom element.
//
//   <script type="module" src="/efa/efa-form.js"></script>
//   <efa-form form="/compiled/musterstadt/hundesteuer-anmeldung.efa" lang="de"
//             action="/api/submissions"></efa-form>
//
// `form` names a compiled form image (`efa compile`, or efa serve's
// /compiled/{tenant}/{form}.efa): it carries the tenant it was compiled for,
// and the widget (efa_wasm_bg.wasm) only loads it. When `form` names a JSON
// definition instead, the compiler module (efa_compiler_bg.wasm) is fetched
// on demand and compiles it here with the `tenant` file and code lists.
//
// This file only fetches the files and loads the WASM modules; the renderer
// (Rust) builds and updates the form in a shadow root. No eval, no inline
// styles: it runs under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
import init, { mount, renderFailure } from './efa_wasm.js';

const base = new URL('.', import.meta.url);
/** The first bytes of every compiled form image ("EFAi"). */
const IMAGE_MAGIC = [0x45, 0x46, 0x41, 0x69];
let ready;
let compilerReady;

/** Today's civil date in Europe/Berlin, the date German authorities count in. */
function berlinToday() {
  const parts = new Intl.DateTimeFormat('en', {
    timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

async function fetchOk(url, accept) {
  const response = await fetch(url, { headers: { Accept: accept }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

async function fetchText(url) {
  return (await fetchOk(url, 'application/json')).text();
}

async function fetchBytes(url) {
  return new Uint8Array(await (await fetchOk(url, 'application/octet-stream, application/json;q=0.9')).arrayBuffer());
}

function isImage(bytes) {
  return IMAGE_MAGIC.every((byte, i) => bytes[i] === byte);
}

/**
 * Compiles a JSON definition in the browser with the compiler module,
 * loaded only now: pages that serve compiled images never download it.
 * Throws like `compileImage` (an Error with `details`).
 */
async function compileHere(element, definitionBytes, formUrl) {
  const compiler = await import('./efa_compiler.js');
  compilerReady ??= compiler.default({ module_or_path: new URL('efa_compiler_bg.wasm', base) });
  const definition = new TextDecoder().decode(definitionBytes);
  const tenantUrl = element.getAttribute('tenant');
  const [tenant] = await Promise.all([tenantUrl ? fetchText(new URL(tenantUrl, document.baseURI)) : null, compilerReady]);
  const ids = compiler.referencedCodelists(definition);
  const lists = await Promise.all(ids.map((id) => fetchText(codelistUrl(element.getAttribute('codelists'), formUrl, id))));
  const codelists = `{${ids.map((id, i) => `${JSON.stringify(id)}:${lists[i]}`).join(',')}}`;
  return compiler.compileImage(definition, tenant, codelists);
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
      const [bytes] = await Promise.all([fetchBytes(formUrl), ready]);
      const image = isImage(bytes) ? bytes : await compileHere(this, bytes, formUrl);
      const action = this.getAttribute('action');
      await styled;
      this.#widget = mount(root, this, image, {
        lang,
        today: this.getAttribute('today') || berlinToday(),
        action: action ? new URL(action, document.baseURI).href : null,
        headingLevel: Number(this.getAttribute('heading-level')) || null,
      });
      this.dispatchEvent(new CustomEvent('efa-ready', { bubbles: true, composed: true }));
    } catch (error) {
      console.error('efa-form:', error);
      await styled;
      // mount() renders its own error state (an image of another engine build).
      if (root.querySelector('.efa-container')) return;
      try {
        await ready;
        renderFailure(root, lang, error?.details ?? [String(error?.message ?? error)]);
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
