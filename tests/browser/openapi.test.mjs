// GET /openapi.json checked by a real OpenAPI 3.1 validator
// (@seriousme/openapi-schema-validator), then real answers of the server
// checked against the document's own schemas (Ajv, JSON Schema 2020-12, the
// dialect of OpenAPI 3.1): /graphs, /health, /ready, /version, a 301 with its
// headers, 400 and 449 errors; and every parameter's default satisfies its
// own schema.
//
//   node tests/browser/openapi.test.mjs BUILD_DIR
//
// Starts BUILD_DIR/imgflo-server on a free port (no services needed) and
// stops it at the end. Exit 0 when everything holds, 1 otherwise: a missing
// package (npm ci --prefix tests/browser) or server fails, never skips.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';

const failures = [];
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`);
  if (!ok) failures.push(what);
}

// Starts the server; resolves {url, stop} once it prints its port.
function startServer(buildDir) {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgflo-openapi-'));
  const child = spawn(path.join(buildDir, 'imgflo-server'),
                      ['--port', '0', '--address', '127.0.0.1', '--workdir', workdir],
                      { env: { PATH: process.env.PATH, IMGFLO_DRAIN_TIMEOUT: '1' },
                        stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const stop = () => { child.kill('SIGTERM'); fs.rmSync(workdir, { recursive: true, force: true }); };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`server did not start within 30 s:\n${log}`)); },
                             30_000);
    const onData = (chunk) => {
      log += chunk;
      const m = /listening on port (\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${log}`)); });
  });
}

// The object a local "$ref" names (repeatedly).
function resolve(doc, node) {
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    node = node.$ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, key) => at?.[key], doc);
  }
  return node;
}

async function main() {
  const buildDir = process.argv[2];
  if (!buildDir) throw new Error('usage: node openapi.test.mjs BUILD_DIR');
  const server = await startServer(buildDir);
  try {
    await run(server.url);
  } finally {
    server.stop();
  }
}

async function run(base) {
  const get = (p) => fetch(base + p, { redirect: 'manual' });

  const answer = await get('/openapi.json');
  check(answer.status === 200, 'GET /openapi.json is 200');
  check((answer.headers.get('content-type') ?? '').startsWith('application/json'), 'its Content-Type is JSON');
  const doc = await answer.json();

  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  check(result.valid, `the document is valid OpenAPI ${validator.version}` +
        (result.valid ? '' : `: ${JSON.stringify(result.errors, null, 1).slice(0, 4000)}`));
  check(doc.openapi === '3.1.0', 'openapi is 3.1.0');

  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(doc, 'openapi.json');
  const conforms = (schemaPointer, value, what) => {
    const validate = ajv.getSchema(`openapi.json#${schemaPointer}`);
    const ok = validate !== undefined && validate(value);
    check(ok, what + (ok ? '' : `: ${JSON.stringify(validate?.errors ?? 'no schema ' + schemaPointer)}`));
  };
  const pointer = (...keys) => '/' + keys.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  // The schema pointer of an operation's response body (after following response $refs).
  const bodySchema = (p, method, status) => {
    const response = doc.paths[p][method].responses[status];
    const target = response.$ref ? response.$ref.slice(1) : pointer('paths', p, method, 'responses', status);
    return `${target}/content/application~1json/schema`;
  };

  const graphs = await (await get('/graphs')).json();
  conforms(bodySchema('/graphs', 'get', '200'), graphs, '/graphs matches its schema');
  conforms(bodySchema('/health', 'get', '200'), await (await get('/health')).json(), '/health matches its schema');
  const ready = await get('/ready');
  conforms(bodySchema('/ready', 'get', String(ready.status)), await ready.json(), '/ready matches its schema');
  conforms(bodySchema('/version', 'get', '200'), await (await get('/version')).json(), '/version matches its schema');

  // Every graph of /graphs is documented; every default satisfies its own parameter's schema.
  for (const [name, graph] of Object.entries(graphs.graphs)) {
    const item = doc.paths[`/graph/${name}`];
    check(item !== undefined, `/graph/${name} is documented`);
    if (!item) continue;
    const names = new Set(item.parameters.map((p) => resolve(doc, p).name));
    for (const [param, port] of Object.entries(graph.inports)) {
      check(names.has(param), `${name}: ${param} is a parameter`);
      if (port.metadata?.default === undefined) continue;
      const ref = item.parameters.find((p) => resolve(doc, p).name === param).$ref;
      conforms(`${ref.slice(1)}/schema`, port.metadata.default, `${name}: ${param}'s default fits its schema`);
    }
  }

  // Real answers of a graph route against the operation's documented responses.
  const gradientmap = '/graph/gradientmap';
  const bad = await get(`${gradientmap}?input=files/gridbear.jpg&stop1=abc`);
  check(bad.status === 400, 'a bad value is 400');
  conforms(bodySchema(gradientmap, 'get', '400'), await bad.json(), 'the 400 matches the error schema');
  const unknown = await get(`${gradientmap}?input=files/gridbear.jpg&bogus=1`);
  check(unknown.status === 449, 'an unknown parameter is 449');
  conforms(bodySchema(gradientmap, 'get', '449'), await unknown.json(), 'the 449 matches the error schema');
  const missing = await get('/graph/nosuchgraph');
  check(missing.status === 404, 'an unknown graph is 404');
  conforms(bodySchema('/cache/{key}', 'get', '404'), await missing.json(), 'the 404 matches the error schema');

  const ok = await get(`${gradientmap}.png?input=files/gridbear.jpg&width=24`);
  check(ok.status === 301, 'a processing GET is 301');
  const documented = resolve(doc, doc.paths[`${gradientmap}.{ext}`].get.responses['301']);
  for (const header of ['Location', 'Cache-Control']) {
    check(header in documented.headers, `the 301 documents ${header}`);
    check(ok.headers.get(header) !== null, `the 301 carries ${header}`);
  }
  const ext = resolve(doc, doc.paths[`${gradientmap}.{ext}`].parameters.find((p) => resolve(doc, p).name === 'ext'));
  check(ext.schema.enum.includes('png'), 'png is one of gradientmap\'s documented extensions');
}

main().then(() => {
  if (failures.length) {
    console.error(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('all checks passed');
}, (e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
