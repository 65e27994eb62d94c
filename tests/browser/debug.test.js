// `&debug=1` on a processing URL: 302 to /debug/graph//GRAPHSPEC/?QUERY (the original's form), and
// the debug page draws the graph's nodes, shows the converted parameters, input and result with
// their sizes and the job's phases; no console errors. Screenshot: debug.png in the artifacts folder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, openBrowser, eventually, screenshot, status } = require('./lib/harness');

test('debug page', async (t) => {
  const server = await startServer();
  const { browser, page, errors } = await openBrowser();
  t.after(async () => { await browser.close(); await server.stop(); });
  const query = '?input=files/grid-toastybob.jpg&color1=%23ff0000&stop2=0.7&width=300&debug=1';

  const redirect = await status(server.url + '/graph/gradientmap.png' + query);
  assert.equal(redirect.status, 302);
  assert.equal(redirect.location, '/debug/graph//gradientmap.png/' + query);

  await page.goto(server.url + '/graph/gradientmap.png' + query, { waitUntil: 'domcontentloaded' });
  assert.equal(new URL(page.url()).pathname, '/debug/graph//gradientmap.png/');
  const graphs = await (await fetch(server.url + '/graphs')).json();
  const processes = Object.keys(graphs.graphs.gradientmap.processes);

  await t.test("the graph's nodes, edges and exported ports", async () => {
    const drawn = await eventually('the graph', async () => {
      const nodes = await page.$$eval('svg .node', (all) => all.map((n) => [n.dataset.process, n.textContent]));
      return nodes.length ? nodes : null;
    });
    assert.deepEqual(drawn.map(([p]) => p).sort(), processes.slice().sort());
    for (const [p, text] of drawn) assert.ok(text.includes(p), 'the node shows ' + p);
    assert.ok(await page.$$eval('svg .edge', (e) => e.length) >= 4);
    const ports = await page.$$eval('svg .exported', (all) => all.map((e) => e.dataset.port));
    for (const port of ['input', 'color1', 'stop2', 'output']) assert.ok(ports.includes(port), 'exported ' + port);
  });

  await t.test('parameters after conversion', async () => {
    const rows = await eventually('the parameters', async () => {
      const r = await page.$$eval('#params tbody tr', (all) => all.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
      return r.length ? r : null;
    });
    assert.deepEqual(rows[0], ['color1', '#ff0000', 'color', '"#ff0000ff"']);
    assert.deepEqual(rows[1], ['stop2', '0.7', 'number', '0.7']);
    assert.equal(rows[2][0], 'width');
  });

  await t.test('input and result side by side, with sizes, bytes and the timings', async () => {
    const output = await eventually('the result', () => page.$eval('#output-image', (img) =>
      img.complete && img.naturalWidth > 0 ? { w: img.naturalWidth, bytes: Number(img.dataset.bytes) } : null));
    assert.equal(output.w, 300);
    assert.ok(output.bytes > 0);
    const input = await eventually('the input', () => page.$eval('#input-image', (img) => img.complete && img.naturalWidth));
    assert.equal(input, 768);
    assert.match(await page.$eval('#output-caption', (e) => e.textContent), /^300 × 400 px · .* bytes\)/);
    const job = await eventually('the timings', async () => {
      const cells = await page.$$eval('#job tbody th', (all) => all.map((th) => th.textContent));
      return cells.length ? cells : null;
    });
    for (const phase of ['fetch', 'process', 'store']) assert.ok(job.includes(phase), phase);
  });

  await screenshot(page, 'debug.png');
  assert.deepEqual(errors, [], 'no console errors');
});
