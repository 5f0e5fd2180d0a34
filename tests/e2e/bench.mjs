// Benchmark of the widget in real Chromium: what a citizen's browser pays
// on the generated forms of 100, 1000 and 5000 fields (the same forms as
// the native and Node benchmarks, tests/wasm-runner/generate.mjs).
//
//   scripts/build-widget.sh && node tests/e2e/bench.mjs
//
// Per size it prints:
// - render: from appending <efa-form> to its efa-ready event: fetching the
//   compiled image (as efa serve or efa compile write it), loading it,
//   building the DOM of every step (the WebAssembly module is already
//   loaded by a first, unmeasured render);
// - hub change: the widget's handler for choosing another option of the
//   hub field f0 (a radio), on which many fields' visibility and
//   requiredness depend: engine and DOM patch, which run synchronously;
//   style and layout come after and are not included;
// - keystroke: the handler for one input event in a text field nothing
//   depends on.
// Chromium coarsens performance.now() to 0.1 ms, so the handlers are timed
// in batches of 20 events and divided; the median batch is printed. The
// numbers depend on the machine; nothing fails on them.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { definition, kindOf } from '../wasm-runner/generate.mjs';
import { launch } from './browser.mjs';
import { start } from './server.mjs';

const SIZES = [100, 1000, 5000];
const PAGE = `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Widget benchmark</title>
<link rel="icon" href="data:,"><script type="module" src="/efa/efa-form.js"></script></head>
<body><main id="host"></main></body></html>`;

/** A text field no condition reads: a keystroke there changes one state. */
function leafTextField(text, size) {
  for (let i = size - 1; i > 0; i -= 1) {
    // Conditions test a text field as is_empty(fN).
    if (kindOf(i) === 'text' && !text.includes(`(f${i})`)) return `/f${i}`;
  }
  throw new Error('no leaf text field');
}

/** Milliseconds from appending the element to efa-ready. */
function render(page, size) {
  return page.evaluate(async (size) => {
    const host = document.getElementById('host');
    host.replaceChildren();
    const form = document.createElement('efa-form');
    form.setAttribute('form', `/bench/form-${size}.efa`);
    form.setAttribute('today', '2026-11-23');
    const ready = new Promise((done) => form.addEventListener('efa-ready', done, { once: true }));
    const started = performance.now();
    host.append(form);
    await ready;
    return performance.now() - started;
  }, size);
}

/**
 * Median over batches of the mean handler time in µs, for `events`
 * dispatched alternately on two controls (`event` on each, after `prepare`).
 */
function handlerTime(page, { path, kind }) {
  return page.evaluate(({ path, kind }) => {
    const root = document.querySelector('efa-form').shadowRoot;
    const controls = root.querySelectorAll(`input[data-path="${path}"]`);
    const fire = (i) => {
      if (kind === 'radio') {
        const radio = controls[i % 2];
        radio.checked = true;
        radio.dispatchEvent(new Event('change', { bubbles: true }));
      } else {
        controls[0].value = i % 2 ? 'Wert x' : 'Wert y';
        controls[0].dispatchEvent(new Event('input', { bubbles: true }));
      }
    };
    const visible = () => root.querySelectorAll('.efa-form-group:not([hidden])').length;
    fire(0);
    const before = visible();
    fire(1);
    const counts = [before, visible()];
    const batches = [];
    for (let batch = 0; batch < 15; batch += 1) {
      const started = performance.now();
      for (let i = 0; i < 20; i += 1) fire(i);
      batches.push(((performance.now() - started) * 1000) / 20);
    }
    batches.sort((a, b) => a - b);
    return { micros: batches[Math.floor(batches.length / 2)], counts, controls: controls.length };
  }, { path, kind });
}

const server = await start();
const browser = await launch();
try {
  const page = await (await browser.newContext()).newPage();
  const compiler = await import('../../bindings/pkg/efa_compiler.js');
  compiler.initSync({ module: await readFile(new URL('../../bindings/pkg/efa_compiler_bg.wasm', import.meta.url)) });
  const forms = Object.fromEntries(SIZES.map((size) => [size, JSON.stringify(definition(size))]));
  const images = Object.fromEntries(SIZES.map((size) => [size, compiler.compileImage(forms[size], null, null)]));
  await page.route('**/bench/page.html', (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
  await page.route('**/bench/form-*.efa', (route) => {
    const size = /form-(\d+)\.efa/.exec(route.request().url())[1];
    route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from(images[size]) });
  });
  await page.goto(`${server.url}/bench/page.html`);
  await render(page, SIZES[0]);

  console.log('widget in Chromium (medians)');
  console.log('fields   render      hub change   keystroke');
  for (const size of SIZES) {
    const renders = [];
    for (let i = 0; i < (size >= 5000 ? 3 : 5); i += 1) renders.push(await render(page, size));
    renders.sort((a, b) => a - b);
    const hub = await handlerTime(page, { path: '/f0', kind: 'radio' });
    assert.equal(hub.controls >= 2, true, 'the hub field is rendered as radios');
    assert.notEqual(hub.counts[0], hub.counts[1], 'changing the hub shows or hides fields');
    const leaf = await handlerTime(page, { path: leafTextField(forms[size], size), kind: 'text' });
    assert.equal(leaf.controls, 1, 'the leaf field is one text input');
    const ms = (v) => `${v.toFixed(1)} ms`.padStart(9);
    const us = (v) => `${v.toFixed(0)} µs`.padStart(9);
    console.log(`${String(size).padStart(6)} ${ms(renders[Math.floor(renders.length / 2)])}   ${us(hub.micros)}   ${us(leaf.micros)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
