// The playground at / in headless Chromium: pick gradientmap, set a colour and a stop, the preview
// loads and its URL is the one the form shows (and answers 301); keyboard-only use; every field
// has a label; no console errors. Screenshot (with the colour set): playground.png in the artifacts folder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, openBrowser, eventually, screenshot, status } = require('./lib/harness');

// The preview's state once it shows `url` (or null while it does not).
const previewOf = (page, url) => page.$eval('#preview', (img, want) =>
  img.getAttribute('src') === want && img.complete ? { src: img.getAttribute('src'), width: img.naturalWidth } : null, url);

test('playground', async (t) => {
  const server = await startServer();
  const { browser, page, errors } = await openBrowser();
  t.after(async () => { await browser.close(); await server.stop(); });

  await page.goto(server.url + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#graph-gradientmap');
  await page.click('label[for="graph-gradientmap"]');
  await page.waitForSelector('#p-color1');
  assert.match(await page.$eval('label[for="graph-gradientmap"]', (e) => e.textContent), /gradient/i, 'descriptions listed');

  await t.test('a colour and a stop: the preview shows the URL the form shows', async () => {
    await page.$eval('#p-color1', (e) => { e.value = '#ff0000'; e.dispatchEvent(new Event('input', { bubbles: true })); });
    await page.click('#p-stop2', { clickCount: 3 });
    await page.keyboard.type('0.6');
    const expected = server.url + '/graph/gradientmap?input=files%2Fgrid-toastybob.jpg&color1=%23ff0000&stop2=0.6';
    assert.equal(await page.$eval('#url', (e) => e.value), expected);
    const shown = await eventually('the preview of ' + expected, () => previewOf(page, expected));
    assert.ok(shown.width > 0, 'naturalWidth > 0');
    assert.equal((await status(expected)).status, 301);
    await eventually('the processing time', () => page.$eval('#preview-status', (e) => /Processed and loaded in \d+ ms/.test(e.textContent)));
    await screenshot(page, 'playground.png');
  });

  await t.test('every field has a label', async () => {
    const unlabelled = await page.$$eval('input, select, textarea', (all) => all.filter((e) => e.labels.length === 0).map((e) => e.id || e.outerHTML));
    assert.deepEqual(unlabelled, []);
    assert.ok(await page.$('#p-opacity-slider[min="-10"][max="10"]'), 'a slider with min/max for a bounded number');
    assert.ok(await page.$('select#p-fit option[value="cover"]'), 'a select for an enum');
    assert.ok(await page.$('input#p-srgb[type="checkbox"]'), 'a checkbox for a boolean');
    assert.ok(await page.$('#example option[value="files/grid-toastybob.jpg"]'), 'the bundled examples');
  });

  await t.test('keyboard only: tab to a field, change it with keys, the URL updates', async () => {
    await page.$eval('#preview', (e) => e.focus({ preventScroll: true }));  // start after the form
    await page.evaluate(() => document.activeElement.blur());
    const reach = async (id) => {
      for (let i = 0; i < 120; i++) {
        if (await page.evaluate(() => document.activeElement && document.activeElement.id) === id) return;
        await page.keyboard.press('Tab');
      }
      assert.fail('Tab never reached #' + id);
    };
    await reach('graph-gradientmap');
    await page.keyboard.press('ArrowDown');
    await eventually('halodarken chosen', async () => (await page.$eval('#url', (e) => e.value)).includes('/graph/halodarken?'));
    await page.keyboard.press('ArrowUp');
    await eventually('gradientmap chosen again', async () => (await page.$eval('#url', (e) => e.value)).includes('/graph/gradientmap?'));
    await reach('p-opacity');
    await page.keyboard.press('ArrowUp');  // step 0.2 (range -10..10 in 100 steps)
    const url = await page.$eval('#url', (e) => e.value);
    assert.match(url, /[?&]opacity=1\.2(&|$)/);
    const shown = await eventually('the preview after the keyboard change', () => previewOf(page, url));
    assert.ok(shown.width > 0);
  });

  assert.deepEqual(errors, [], 'no console errors');
});
