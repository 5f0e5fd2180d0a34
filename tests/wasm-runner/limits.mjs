// Hostile and extreme inputs on the WASM build (bindings/pkg-node): each is
// either accepted or rejected with an error, and none may trap — a trap
// would mean the 256 KB stack (.cargo/config.toml) is too small or the
// engine has an unbounded path.
//
//   scripts/build-widget.sh && node tests/wasm-runner/limits.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const efa = createRequire(import.meta.url)(join(repo, 'bindings/pkg-node/efa_wasm.js'));
// The citizens' build too: it reads images with its own (opt-level z) stack frames.
const widget = await import(pathToFileURL(join(repo, 'bindings/pkg/efa_wasm.js')).href);
widget.initSync({ module: readFileSync(join(repo, 'bindings/pkg/efa_wasm_bg.wasm')) });
const today = '2026-11-23';

const form = (fields) => ({ id: 'limits', version: '1', title: 'Limits', steps: [{ id: 's', title: 'S', fields }] });
function nestedGroups(depth) {
  let field = { id: 'leaf', type: 'text', label: 'Leaf' };
  for (let i = 0; i < depth; i += 1) field = { id: `g${i}`, type: 'group', label: `G${i}`, fields: [field] };
  return form([field]);
}
function nestedExpression(depth) {
  let source = 'a';
  for (let i = 0; i < depth; i += 1) source = `(${source} + 1)`;
  return form([{ id: 'a', type: 'integer', label: 'A' }, { id: 'b', type: 'integer', label: 'B', compute: source }]);
}
const nestedArray = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const session = (definition) => new efa.FormSession(typeof definition === 'string' ? definition : JSON.stringify(definition), null, null, 'de', today);

/** `run` must return normally or throw a JS `Error` (not a WASM trap). */
function survives(name, run, expect) {
  let outcome;
  try {
    run();
    outcome = 'accepted';
  } catch (error) {
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${name}: trapped: ${error}`);
    outcome = 'rejected';
  }
  assert.equal(outcome, expect, name);
  console.log(`ok ${name}: ${outcome}`);
}

survives('groups nested 16 deep (the limit)', () => session(nestedGroups(16)), 'accepted');
survives('groups nested 61 deep (the most JSON allows)', () => session(nestedGroups(61)), 'rejected');
survives('expression nested 63 deep', () => session(nestedExpression(63)), 'accepted');
survives('expression nested 200 deep', () => session(nestedExpression(200)), 'rejected');
survives('definition of 100 000 nested arrays', () => session(nestedArray(100_000)), 'rejected');
survives('submission of 100 000 nested arrays', () => {
  const validator = new efa.Validator(JSON.stringify(nestedExpression(3)), null, null);
  const report = validator.validate(`{"form": {"id": "limits", "version": "1"}, "data": {"a": ${nestedArray(100_000)}}}`, today, 'de');
  assert.equal(report.valid, false);
}, 'rejected');
survives('submission value nested 120 deep', () => {
  const validator = new efa.Validator(JSON.stringify(nestedExpression(3)), null, null);
  const report = validator.validate(JSON.stringify({ form: { id: 'limits', version: '1' }, data: { a: JSON.parse(nestedArray(120)) } }), today, 'de');
  assert.equal(report.valid, false);
  assert.equal(report.errors[0].code, 'type');
}, 'accepted');
survives('a session set to a value nested 120 deep', () => session(nestedExpression(3)).setJson('/a', nestedArray(120)), 'accepted');

// The image reader recurses through expressions, types and values.
for (const [name, definition] of [['expression nested 63 deep', nestedExpression(63)], ['groups nested 16 deep', nestedGroups(16)]]) {
  const image = efa.compileImage(JSON.stringify(definition), null, null);
  survives(`image of the ${name}, Node build`, () => efa.FormSession.fromImage(image, 'de', today).free(), 'accepted');
  survives(`image of the ${name}, widget build`, () => widget.FormSession.fromImage(image, 'de', today).free(), 'accepted');
}
survives('bytes that are no image, widget build', () => widget.FormSession.fromImage(new Uint8Array(100_000).fill(91), 'de', today), 'rejected');
