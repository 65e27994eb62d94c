// web/imgflo.js without a browser: its MD5, SHA-256 and HMAC-SHA256 (written from the RFCs) equal
// Node's OpenSSL ones on random messages and keys, and graphUrl() encodes and signs as documented.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const ui = require(path.join(process.env.IMGFLO_SOURCE || path.join(__dirname, '..', '..'), 'web', 'imgflo.js'));

test('digests equal OpenSSL on 300 random messages (lengths 0..299, multi-byte UTF-8)', () => {
  for (let n = 0; n < 300; n++) {
    const message = crypto.randomBytes(n).toString('latin1') + (n % 3 ? 'é€😀' : '');
    const key = crypto.randomBytes(n % 150).toString('latin1');
    const bytes = ui.utf8(message);
    assert.equal(ui.hex(ui.md5(bytes)), crypto.createHash('md5').update(message, 'utf8').digest('hex'));
    assert.equal(ui.hex(ui.sha256(bytes)), crypto.createHash('sha256').update(message, 'utf8').digest('hex'));
    assert.equal(ui.hex(ui.hmacSha256(ui.utf8(key), bytes)),
      crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex'));
  }
});

test('graphUrl encodes values like encodeURIComponent (and \') and signs graphspec + search', () => {
  const request = { graph: 'crop', ext: 'png', input: 'files/a b.jpg', params: [['x', "1'&2"], ['color', '#fff']] };
  const search = '?input=files%2Fa%20b.jpg&x=1%27%262&color=%23fff';
  assert.equal(ui.graphUrl(request, null), '/graph/crop.png' + search);
  const md5 = crypto.createHash('md5').update('crop.png' + search + 'secret').digest('hex');
  assert.equal(ui.graphUrl(request, { key: 'k', secret: 'secret', method: 'md5' }), `/graph/k/${md5}/crop.png${search}`);
  const hmac = crypto.createHmac('sha256', 'secret').update('crop.png' + search).digest('hex');
  assert.equal(ui.graphUrl(request, { key: 'k', secret: 'secret', method: 'hmac-sha256' }), `/graph/k/${hmac}/crop.png${search}`);
  assert.equal(ui.graphUrl({ graph: 'noop', ext: '', input: '', params: [] }, { key: '', secret: 'x' }), '/graph/noop');
});
