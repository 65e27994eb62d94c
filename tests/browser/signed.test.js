// The playground with auth on (IMGFLO_API_KEY/SECRET): the key and secret typed into the page sign
// the URL in the browser (md5 as the original, or HMAC-SHA256); the signed URL gets a 301, values
// that need encoding sign as the server checks them, debug=1 on a signed URL lands on a debug page
// that signs the URL without debug again, and the secret is never sent.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, openBrowser, eventually, status } = require('./lib/harness');

const KEY = 'playground-key';
const SECRET = "s3cr'et &?/#é";

test('signed URLs', async (t) => {
  const server = await startServer({ IMGFLO_API_KEY: KEY, IMGFLO_API_SECRET: SECRET });
  const { browser, page, errors } = await openBrowser();
  const sent = [];
  page.on('request', (r) => sent.push(r.url() + ' ' + (r.postData() || '') + ' ' + JSON.stringify(r.headers())));
  t.after(async () => { await browser.close(); await server.stop(); });

  await page.goto(server.url + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#p-color1');
  await page.type('#key', KEY);
  await page.type('#secret', SECRET);
  await page.$eval('#p-color1', (e) => { e.value = '#00ff80'; e.dispatchEvent(new Event('input', { bubbles: true })); });

  for (const [method, tokenLength] of [['md5', 32], ['hmac-sha256', 64]]) {
    await t.test(method + ': the signed URL the page builds gets a 301', async () => {
      await page.select('#method', method);
      const url = await page.$eval('#url', (e) => e.value);
      const m = new RegExp(`/graph/${KEY}/([0-9a-f]+)/gradientmap\\?input=files%2Fgrid-toastybob\\.jpg&color1=%2300ff80$`).exec(url);
      assert.ok(m, 'a signed URL: ' + url);
      assert.equal(m[1].length, tokenLength);
      assert.equal((await status(url)).status, 301);
      await eventually('the signed preview', () => page.$eval('#preview', (img, want) =>
        img.getAttribute('src') === want && img.complete && img.naturalWidth > 0, url));
    });
  }

  await t.test('values that need encoding sign as the server checks them', async () => {
    // An unusable colour passes authentication and is refused after it (400): a bad token would be 403.
    const values = ["#a'b c", 'x&y=z', '100%', 'é€😀', "!*()~'", 'a+b', '<>"{}|\\^`', '[]@:/?#'];
    for (const method of ['md5', 'hmac-sha256']) {
      const urls = await page.evaluate((vs, key, secret, m) => vs.map((v) => window.imgflo.graphUrl(
        { graph: 'gradientmap', ext: 'png', input: 'files/grid-toastybob.jpg', params: [['color1', v]] },
        { key, secret, method: m })), values, KEY, SECRET, method);
      for (const url of urls) assert.equal((await status(server.url + url)).status, 400, method + ' ' + url);
    }
    const forged = (await page.$eval('#url', (e) => e.value)).replace(/\/[0-9a-f]{64}\//, '/' + '0'.repeat(64) + '/');
    assert.equal((await status(forged)).status, 403);
  });

  await t.test('debug=1 on a signed URL: the debug page signs the URL without it again', async () => {
    const link = await page.$eval('#debug-link', (a) => a.href);  // signed over a query with debug=1
    const redirect = await status(link);
    assert.equal(redirect.status, 302);
    assert.match(redirect.location, new RegExp(`^/debug/graph/${KEY}/[0-9a-f]{64}/gradientmap/\\?input=files%2Fgrid-toastybob\\.jpg&color1=%2300ff80&debug=1$`));
    await page.goto(link, { waitUntil: 'domcontentloaded' });
    const width = await eventually('the re-signed result', () => page.$eval('#output-image', (img) =>
      img.complete && img.naturalWidth > 0 ? img.naturalWidth : null));
    assert.equal(width, 768);
  });

  await t.test('the secret is never sent', async () => {
    const leaks = sent.filter((s) => s.includes(SECRET) || s.includes(encodeURIComponent(SECRET)));
    assert.deepEqual(leaks, []);
    assert.ok(sent.length > 3, 'requests were seen');
  });
  assert.deepEqual(errors, [], 'no console errors');
});
