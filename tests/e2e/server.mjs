// A small static server for the e2e tests (and for trying the example
// portals by hand: `node tests/e2e/server.mjs` → http://127.0.0.1:8080/).
//
//   /efa/…            bindings/pkg/ (the built widget)
//   /compiled/<tenant>/<form>.efa  forms/<form>.json compiled for
//                     forms/tenants/<tenant>.json, as efa serve answers it
//                     (here with the widget's own compiler module)
//   /forms/…          forms/ (definitions; code lists under /forms/codelists/)
//   /tenants/…        forms/tenants/
//   /assets/…         forms/tenants/assets/ (logos named in the tenant files)
//   /musterstadt/…    examples/portal/musterstadt/
//   /beispielhausen/… examples/portal/beispielhausen/
//   /fixtures/…       tests/e2e/fixtures/ (hostile definition, broken tenant)
//   /csp/<path>       <path>, served with a strict Content-Security-Policy
//   POST /api/{tenant}/forms/{form}/submissions  mock receiver (the same
//        path as efa serve): records requests; answers by mode
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const mounts = [
  ['/efa/', 'bindings/pkg'],
  ['/forms/', 'forms'],
  ['/tenants/', 'forms/tenants'],
  ['/assets/', 'forms/tenants/assets'],
  ['/musterstadt/', 'examples/portal/musterstadt'],
  ['/beispielhausen/', 'examples/portal/beispielhausen'],
  ['/fixtures/', 'tests/e2e/fixtures'],
];

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** The compiled-form path of efa serve: /compiled/{tenant}/{form}.efa. */
const COMPILED = /^\/compiled\/([a-z0-9-]+)\/([a-z0-9-]+)\.efa$/;
let compiler;

/**
 * Compiles forms/<form>.json for forms/tenants/<tenant>.json with the
 * widget's compiler module (bindings/pkg/efa_compiler.js, loaded once).
 */
async function compiledImage(tenant, form) {
  if (!compiler) {
    const module = await import(pathToFileURL(join(root, 'bindings/pkg/efa_compiler.js')).href);
    module.initSync({ module: await readFile(join(root, 'bindings/pkg/efa_compiler_bg.wasm')) });
    compiler = module;
  }
  const definition = await readFile(join(root, 'forms', `${form}.json`), 'utf8');
  const tenantText = await readFile(join(root, 'forms/tenants', `${tenant}.json`), 'utf8');
  const ids = compiler.referencedCodelists(definition);
  const lists = await Promise.all(ids.map((id) => readFile(join(root, 'forms/codelists', `${id}.json`), 'utf8')));
  const codelists = `{${ids.map((id, i) => `${JSON.stringify(id)}:${lists[i]}`).join(',')}}`;
  return compiler.compileImage(definition, tenantText, codelists);
}

/** Splits a multipart body into `{name, filename, type, data}` parts. */
function multipart(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return [];
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts = [];
  let start = body.indexOf(marker);
  while (start !== -1) {
    const next = body.indexOf(marker, start + marker.length);
    if (next === -1) break;
    const chunk = body.subarray(start + marker.length + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString();
    const disposition = /name="([^"]*)"(?:; filename="([^"]*)")?/.exec(head) ?? [];
    parts.push({
      name: disposition[1],
      filename: disposition[2],
      type: /content-type:\s*(.+)/i.exec(head)?.[1]?.trim(),
      data: chunk.subarray(split + 4),
    });
    start = next;
  }
  return parts;
}

/**
 * Starts the server. `mode()` decides the mock's answer per request:
 * 'accept' (201 with a receipt), 'reject' (422 with issues), 'fail' (the
 * connection is dropped), 'error' (500).
 */
/** The submission endpoint of efa serve: /api/{tenant}/forms/{form}/submissions. */
const SUBMISSIONS = /^\/api\/[a-z0-9-]+\/forms\/[a-z0-9-]+\/submissions$/;

export async function start({ port = 0 } = {}) {
  const state = { mode: 'accept', rejectWith: null, submissions: [], receipt: 0 };
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url, 'http://localhost');
      if (SUBMISSIONS.test(url.pathname) && request.method === 'POST') {
        return await receive(request, response, state);
      }
      let path = decodeURIComponent(url.pathname);
      const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
      if (path.startsWith('/csp/')) {
        path = path.slice(4);
        headers['Content-Security-Policy'] = STRICT_CSP;
      }
      const compiled = COMPILED.exec(path);
      if (compiled) {
        const image = await compiledImage(compiled[1], compiled[2]).catch(() => null);
        if (!image) return notFound(response);
        response.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' });
        return response.end(image);
      }
      if (path === '/') {
        response.writeHead(302, { Location: '/musterstadt/' });
        return response.end();
      }
      const mount = mounts.find(([prefix]) => path.startsWith(prefix));
      if (!mount) return notFound(response);
      const base = join(root, mount[1]);
      let file = normalize(join(base, path.slice(mount[0].length)));
      if (!file.startsWith(base)) return notFound(response);
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (!body) return notFound(response);
      headers['Content-Type'] = types[extname(file)] ?? 'application/octet-stream';
      response.writeHead(200, headers);
      response.end(body);
    } catch (error) {
      response.writeHead(500);
      response.end(String(error));
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}`,
    state,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
  };
}

function notFound(response) {
  response.writeHead(404, { 'Content-Type': 'text/plain' });
  response.end('not found');
}

async function receive(request, response, state) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const type = request.headers['content-type'] ?? '';
  const record = { headers: request.headers, type, body: body.toString(), parts: [], json: null };
  if (type.startsWith('multipart/form-data')) {
    record.parts = multipart(body, type);
    const submission = record.parts.find((p) => p.name === 'submission');
    record.json = submission ? JSON.parse(submission.data.toString()) : null;
  } else {
    try { record.json = JSON.parse(record.body); } catch { /* recorded as text */ }
  }
  state.submissions.push(record);
  switch (state.mode) {
    case 'fail':
      request.socket.destroy();
      return;
    case 'error':
      response.writeHead(500, { 'Content-Type': 'application/json' });
      return response.end('{"error":"internal"}');
    case 'reject':
      response.writeHead(422, { 'Content-Type': 'application/json' });
      return response.end(JSON.stringify({ issues: state.rejectWith ?? [] }));
    default: {
      state.receipt += 1;
      const receipt = `HS-2026-${String(state.receipt).padStart(6, '0')}`;
      response.writeHead(201, { 'Content-Type': 'application/json' });
      return response.end(JSON.stringify({ receipt }));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await start({ port: Number(process.env.PORT ?? 8080) });
  console.log(`example portals: ${server.url}/musterstadt/  ${server.url}/beispielhausen/  (strict CSP: ${server.url}/csp/musterstadt/)`);
}
