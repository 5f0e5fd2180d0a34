// Revalidates a submission in Node with the WebAssembly build of the engine:
// the same code that ran in the citizen's browser decides on the server.
//
//   node examples/node/revalidate.mjs FORM SUBMISSION [--tenant TENANT] [--today YYYY-MM-DD] [--lang de|en]
//
// Exit code 0: valid (the canonical submission is printed), 1: invalid (the
// issues are printed), 2: unusable input (a file is missing or the form or
// tenant does not compile). Code lists the form names are read from
// `codelists/` next to the form.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// The Node build (scripts/build-widget.sh writes it); a package would
// simply `require('efa-form-node')`.
const { Validator, referencedCodelists } = require('../../bindings/pkg-node/efa_wasm.js');

function usage(message) {
  console.error(`${message}\nusage: node revalidate.mjs FORM SUBMISSION [--tenant TENANT] [--today YYYY-MM-DD] [--lang de|en]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const [, value] = args.splice(index, 2);
  if (value === undefined) usage(`${name} needs a value`);
  return value;
};
const tenantPath = option('--tenant');
// The server's own civil date in Europe/Berlin, as the widget uses.
const today = option('--today') ?? new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date());
const lang = option('--lang') ?? 'de';
const [formPath, submissionPath] = args;
if (!formPath || !submissionPath) usage('FORM and SUBMISSION are required');

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    usage(`cannot read ${path}: ${error.message}`);
  }
};

try {
  const definition = read(formPath);
  const codelists = {};
  for (const id of referencedCodelists(definition)) {
    codelists[id] = JSON.parse(read(join(dirname(formPath), 'codelists', `${id}.json`)));
  }
  const validator = new Validator(definition, tenantPath ? read(tenantPath) : null, JSON.stringify(codelists));
  const report = validator.validate(read(submissionPath), today, lang);
  if (report.valid) {
    console.log(JSON.stringify(report.submission, null, 2));
    process.exit(0);
  }
  for (const issue of report.errors) console.log(`${issue.path || '/'}: ${issue.message} [${issue.code}]`);
  process.exit(1);
} catch (error) {
  // Definition and tenant errors are thrown with every problem listed.
  console.error(String(error.message ?? error));
  process.exit(2);
}
