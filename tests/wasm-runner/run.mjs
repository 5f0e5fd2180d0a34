// Runs the conformance corpus (tests/conformance/cases/) with the WASM build
// in Node and compares every output byte for byte with the native runner's
// expected files (tests/conformance/expected/). Any difference fails.
//
//   scripts/build-widget.sh && node tests/wasm-runner/run.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const efa = require(join(repo, 'bindings/pkg-node/efa_wasm.js'));

/**
 * `{id: <file text>}` of a folder, built as text: the files go to the WASM
 * engine exactly as written (JSON.parse would round large numbers), in the
 * order the native runner uses (sorted paths; id from the file, else its name).
 */
function byId(dir) {
  const entries = readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.schema.json'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const id = JSON.parse(text).id ?? name;
      return `${JSON.stringify(id)}:${text}`;
    });
  return `{${entries.join(',')}}`;
}

const forms = join(repo, 'forms');
const library = `{"forms":${byId(forms)},"tenants":${byId(join(forms, 'tenants'))},"codelists":${byId(join(forms, 'codelists'))}}`;
const casesDir = join(repo, 'tests/conformance/cases');
const expectedDir = join(repo, 'tests/conformance/expected');

let identical = 0;
let different = 0;
let cases = 0;
for (const name of readdirSync(casesDir).filter((n) => n.endsWith('.json')).sort()) {
  const output = efa.runConformanceFile(readFileSync(join(casesDir, name), 'utf8'), library);
  cases += JSON.parse(output).length;
  let expected;
  try {
    expected = readFileSync(join(expectedDir, name), 'utf8');
  } catch {
    console.log(`DIFF  ${name}: no expected output (run the native runner first)`);
    different += 1;
    continue;
  }
  if (output === expected) {
    identical += 1;
    console.log(`same  ${name}`);
    continue;
  }
  different += 1;
  const got = output.split('\n');
  const want = expected.split('\n');
  const line = got.findIndex((l, i) => l !== want[i]);
  console.log(`DIFF  ${name}: first difference at line ${line + 1}\n      native: ${want[line]}\n      wasm:   ${got[line]}`);
}
console.log(`conformance (wasm): ${cases} cases, ${identical} files byte-identical, ${different} different`);
process.exit(different === 0 && identical > 0 ? 0 : 1);
