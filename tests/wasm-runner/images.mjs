// Compiled form images are the contract between `efa compile` / `efa serve`
// (native) and the widget (WebAssembly). For every real form and tenant this
// checks that
// - the native `efa compile`, the Node build's `compileImage` and the
//   browser compiler module (bindings/pkg/efa_compiler.js) write the same
//   bytes, and
// - a session loaded from the native image (`FormSession.fromImage`, what
//   <efa-form> does) starts in exactly the states of a session compiled from
//   the definition, and reaches the same states and report after the same
//   input.
//
//   scripts/build-widget.sh && cargo build -p efa-cli && node tests/wasm-runner/images.mjs [path/to/efa]
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const efaBinary = process.argv[2] ?? join(repo, 'target/debug/efa');
const node = createRequire(import.meta.url)(join(repo, 'bindings/pkg-node/efa_wasm.js'));
const browser = await import(pathToFileURL(join(repo, 'bindings/pkg/efa_compiler.js')).href);
browser.initSync({ module: readFileSync(join(repo, 'bindings/pkg/efa_compiler_bg.wasm')) });

const formsDir = join(repo, 'forms');
const jsonFiles = (dir) => readdirSync(dir).filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json')).sort();
const read = (...parts) => readFileSync(join(...parts), 'utf8');
const today = '2026-11-23';
const scratch = mkdtempSync(join(tmpdir(), 'efa-images-'));

function codelistsFor(definition) {
  const ids = node.referencedCodelists(definition);
  return `{${ids.map((id) => `${JSON.stringify(id)}:${read(formsDir, 'codelists', `${id}.json`)}`).join(',')}}`;
}

/** The first value a field's state would accept, to drive both sessions alike. */
function sampleValue(state) {
  if (typeof state.value === 'boolean') return !state.value;
  return state.value ?? 'x';
}

let passed = 0;
let failed = 0;
try {
  for (const formFile of jsonFiles(formsDir)) {
    const definition = read(formsDir, formFile);
    const codelists = codelistsFor(definition);
    for (const tenantFile of jsonFiles(join(formsDir, 'tenants'))) {
      const name = `${formFile} for ${tenantFile}`;
      try {
        const tenant = read(formsDir, 'tenants', tenantFile);
        const output = join(scratch, 'image.efa');
        execFileSync(efaBinary, ['compile', join(formsDir, formFile), '--tenant', join(formsDir, 'tenants', tenantFile), '-o', output], { stdio: 'pipe' });
        const native = new Uint8Array(readFileSync(output));
        assert.deepEqual(node.compileImage(definition, tenant, codelists), native, 'Node build image = native image');
        assert.deepEqual(browser.compileImage(definition, tenant, codelists), native, 'browser compiler image = native image');

        const fromImage = node.FormSession.fromImage(native, 'de', today);
        const compiled = new node.FormSession(definition, tenant, codelists, 'de', today);
        const states = compiled.state();
        assert.deepEqual(fromImage.state(), states, 'the same states at the start');
        for (const state of states.filter((s) => s.path.startsWith('/') && !s.readonly).slice(0, 12)) {
          const value = sampleValue(state);
          let expected;
          try { expected = compiled.set(state.path, value); } catch (error) { expected = String(error); }
          let actual;
          try { actual = fromImage.set(state.path, value); } catch (error) { actual = String(error); }
          assert.deepEqual(actual, expected, `the same changes after setting ${state.path}`);
        }
        assert.deepEqual(fromImage.validate(), compiled.validate(), 'the same report');
        passed += 1;
      } catch (error) {
        failed += 1;
        console.error(`FAIL ${name}: ${error.message.split('\n')[0]}`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`images: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
