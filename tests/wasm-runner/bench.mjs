// Benchmark of the WASM build in Node on generated forms of 100, 1000 and
// 5000 fields — the same forms as the native benchmark
// (engine/benches/support.rs, same generator and seed): about half the
// fields have visible/required conditions over one to three earlier fields,
// many of them on one hub field (f0).
//
//   scripts/build-widget.sh && node tests/wasm-runner/bench.mjs
//
// Prints the numbers; budgets at 1000 fields are shown next to them but do
// not fail the run (timings depend on the machine). Each size runs in its
// own process, so the WASM memory figure is that size's alone.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { definition, leafPath, valueFor } from './generate.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const SIZES = [100, 1000, 5000];
const BUDGET = { construct: 10_000, hub: 20, validate: 300, memory: 2 * 1024 * 1024 }; // µs, bytes at 1000 fields

// ------------------------------------------------------------------ measuring

/** Median time of `fn` in µs over `runs` runs (after a warm-up). */
function median(fn, runs) {
  for (let i = 0; i < Math.min(runs, 20); i += 1) fn(i);
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function measure(size) {
  const require = createRequire(import.meta.url);
  const efa = require(join(repo, 'bindings/pkg-node/efa_wasm.js'));
  const memoryAtStart = efa.wasmMemoryBytes();
  const def = definition(size);
  const text = JSON.stringify(def);
  const today = '2026-11-23';
  // Memory first: linear memory only grows, so later loops would inflate it.
  const session = new efa.FormSession(text, null, null, 'de', today);
  const memoryOneSession = efa.wasmMemoryBytes();
  const runs = size >= 5000 ? 20 : 60;
  const construct = median(() => new efa.FormSession(text, null, null, 'de', today).free(), runs);
  // What <efa-form> does: load the compiled image (efa compile / efa serve).
  const image = efa.compileImage(text, null, null);
  const constructImage = median(() => efa.FormSession.fromImage(image, 'de', today).free(), runs);
  let changed = 0;
  const hub = median((i) => { changed = JSON.parse(session.setJson('/f0', i % 2 ? '"a"' : '"b"')).length; }, 400);
  const hubObjects = median((i) => session.set('/f0', i % 2 ? 'a' : 'b'), 400);
  // What a keystroke costs inside <efa-form>: its renderer takes the states
  // as Rust values, so nothing is written as JSON or parsed by JavaScript.
  const hubWidget = median((i) => session.setCounting('/f0', i % 2 ? '"a"' : '"b"'), 400);
  const leaf = leafPath(size);
  const leafChange = median((i) => session.setJson(leaf, i % 2 ? '"x"' : '"y"'), 400);

  for (let i = 0; i < size; i += 1) {
    try { session.setJson(`/f${i}`, JSON.stringify(valueFor(i))); } catch { /* not settable */ }
  }
  const submission = JSON.stringify(session.submission());
  const validator = new efa.Validator(text, null, null);
  const report = validator.validate(submission, today, 'de');
  if (!report.valid) throw new Error(`generated submission invalid: ${JSON.stringify(report.errors.slice(0, 3))}`);
  const validate = median(() => validator.validate(submission, today, 'de'), size >= 5000 ? 40 : 200);
  const validateJson = median(() => validator.validateJson(submission, today, 'de'), size >= 5000 ? 40 : 200);
  // A server holds the request body as bytes (a Node Buffer).
  const body = Buffer.from(submission);
  const validateBytes = median(() => validator.validateJson(body, today, 'de'), size >= 5000 ? 40 : 200);
  const sessionReport = median(() => session.validate(), size >= 5000 ? 40 : 200);
  return {
    size, construct, constructImage, imageBytes: image.length, definitionBytes: Buffer.byteLength(text), hub, hubObjects, hubWidget, changed, leafChange, validate, validateJson, validateBytes, sessionReport,
    memory: memoryOneSession, memoryGrowth: memoryOneSession - memoryAtStart, memoryAfter: efa.wasmMemoryBytes(),
  };
}

const one = process.argv.indexOf('--size');
if (one !== -1) {
  console.log(JSON.stringify(measure(Number(process.argv[one + 1]))));
} else {
  const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  console.log('WASM (Node) benchmark — median per operation');
  for (const size of SIZES) {
    const r = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--size', String(size)], { encoding: 'utf8' }));
    console.log(`\n${size} fields`);
    console.log(`  construct from the definition      ${fmt(r.construct)}`);
    console.log(`  construct from its image (<efa-form>) ${fmt(r.constructImage)}  (image ${r.imageBytes} bytes, definition ${r.definitionBytes})`);
    console.log(`  hub change (${r.changed} states changed)`);
    console.log(`    in <efa-form> (states stay in WASM) ${fmt(r.hubWidget)}`);
    console.log(`    script API, JSON text / JS objects  ${fmt(r.hub)} / ${fmt(r.hubObjects)}`);
    console.log(`  leaf change                        ${fmt(r.leafChange)}`);
    console.log(`  full validation, JS objects / JSON text / body bytes  ${fmt(r.validate)} / ${fmt(r.validateJson)} / ${fmt(r.validateBytes)}`);
    console.log(`  session report                     ${fmt(r.sessionReport)}`);
    console.log(`  WASM memory: one session ${mb(r.memory)} (growth ${mb(r.memoryGrowth)}), after all runs ${mb(r.memoryAfter)}`);
    if (size === 1000) {
      const verdict = (value, budget) => (value <= budget ? 'within' : 'OVER');
      console.log(`  budgets: construct ≤ 10 ms: definition ${verdict(r.construct, BUDGET.construct)}, image ${verdict(r.constructImage, BUDGET.construct)}; ` +
        `hub change ≤ 20 µs: in <efa-form> ${verdict(r.hubWidget, BUDGET.hub)}, script API ${verdict(r.hub, BUDGET.hub)}; ` +
        `full validation ≤ 300 µs: objects ${verdict(r.validate, BUDGET.validate)}, JSON text ${verdict(r.validateJson, BUDGET.validate)}, body bytes ${verdict(r.validateBytes, BUDGET.validate)}; ` +
        `memory ≤ 2 MB ${verdict(r.memory, BUDGET.memory)}`);
    }
  }
}
