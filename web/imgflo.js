// imgflo web UI: what the playground and the debug page share. Processing URLs built and signed
// in the browser as the original's clients did (values with encodeURIComponent, the token over
// graphspec + "?query"), and the digests the tokens need, written here from their specifications
// (MD5: RFC 1321, SHA-256: FIPS 180-4, HMAC: RFC 2104): crypto.subtle is missing on plain-http
// pages that are not localhost, and nothing is fetched from elsewhere. The secret is only ever an
// argument of sign(): it is never sent, stored in a URL, or logged.
// Loaded as a classic script (window.imgflo) and by Node's tests (module.exports).
(function (root) {
  'use strict';

  const utf8 = (text) => new TextEncoder().encode(text);
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));

  // The message padded to whole 64-byte blocks, its bit length in the last 8 bytes.
  function padded(bytes, bigEndianLength) {
    const total = Math.ceil((bytes.length + 9) / 64) * 64;
    const out = new Uint8Array(total);
    out.set(bytes);
    out[bytes.length] = 0x80;
    const view = new DataView(out.buffer);
    const bits = bytes.length * 8;
    const low = bits >>> 0, high = Math.floor(bits / 0x100000000);
    if (bigEndianLength) {
      view.setUint32(total - 8, high);
      view.setUint32(total - 4, low);
    } else {
      view.setUint32(total - 8, low, true);
      view.setUint32(total - 4, high, true);
    }
    return view;
  }

  // RFC 1321, section 3.4: the sine table and the per-round shifts.
  const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0);
  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

  function md5(bytes) {
    const view = padded(bytes, false);
    const h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
    const m = new Int32Array(16);
    for (let block = 0; block < view.byteLength; block += 64) {
      for (let i = 0; i < 16; i++) m[i] = view.getInt32(block + 4 * i, true);
      let [a, b, c, d] = h;
      for (let i = 0; i < 64; i++) {
        const round = i >> 4;
        let f, g;
        if (round === 0) { f = (b & c) | (~b & d); g = i; }
        else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
        else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
        else { f = c ^ (b | ~d); g = (7 * i) & 15; }
        const t = d;
        d = c;
        c = b;
        b = (b + rotl((a + f + MD5_K[i] + m[g]) | 0, MD5_S[round * 4 + (i & 3)])) | 0;
        a = t;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    }
    const out = new DataView(new ArrayBuffer(16));
    h.forEach((word, i) => out.setInt32(4 * i, word, true));
    return new Uint8Array(out.buffer);
  }

  // FIPS 180-4, 4.2.2 and 5.3.3: fractional parts of the cube and square roots of the first primes.
  const PRIMES = [];
  for (let n = 2; PRIMES.length < 64; n++) if (PRIMES.every((p) => n % p !== 0)) PRIMES.push(n);
  const frac32 = (x) => Math.floor((x - Math.floor(x)) * 0x100000000) | 0;
  const SHA256_K = PRIMES.map((p) => frac32(Math.cbrt(p)));
  const SHA256_H = PRIMES.slice(0, 8).map((p) => frac32(Math.sqrt(p)));

  function sha256(bytes) {
    const view = padded(bytes, true);
    const h = SHA256_H.slice();
    const w = new Int32Array(64);
    for (let block = 0; block < view.byteLength; block += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getInt32(block + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] = (h[i] + v) | 0; });
    }
    const out = new DataView(new ArrayBuffer(32));
    h.forEach((word, i) => out.setInt32(4 * i, word));
    return new Uint8Array(out.buffer);
  }

  // RFC 2104 with SHA-256 (64-byte blocks).
  function hmacSha256(key, message) {
    let k = key.length > 64 ? sha256(key) : key;
    const block = new Uint8Array(64);
    block.set(k);
    const inner = new Uint8Array(64 + message.length);
    const outer = new Uint8Array(64 + 32);
    for (let i = 0; i < 64; i++) {
      inner[i] = block[i] ^ 0x36;
      outer[i] = block[i] ^ 0x5c;
    }
    inner.set(message, 64);
    outer.set(sha256(inner), 64);
    return sha256(outer);
  }

  // A query value as the original's clients wrote it (encodeURIComponent), with "'" escaped too:
  // the server reads the query as Node's url.parse left it, which escaped "'" before hashing.
  const encodeValue = (value) => encodeURIComponent(String(value)).replace(/'/g, '%27');

  // The token of a signed URL: md5(graphspec + search + secret), the original's, or
  // HMAC-SHA256(secret, graphspec + search); lowercase hex.
  function token(graphspec, search, secret, method) {
    if (method === 'hmac-sha256') return hex(hmacSha256(utf8(secret), utf8(graphspec + search)));
    return hex(md5(utf8(graphspec + search + secret)));
  }

  // The processing URL path and query for a graph request:
  //   request = {graph, ext ("" = the server's default), input ("" = none), params: [[name, value]...]}
  //   auth    = {key, secret, method ("md5" | "hmac-sha256")}, or null / an empty key for no signature
  // Returns "/graph/[KEY/TOKEN/]GRAPH[.ext][?input=...&name=value...]".
  function graphUrl(request, auth) {
    const graphspec = request.graph + (request.ext ? '.' + request.ext : '');
    const pairs = [];
    if (request.input) pairs.push('input=' + encodeValue(request.input));
    for (const [name, value] of request.params || []) pairs.push(encodeValue(name) + '=' + encodeValue(value));
    const search = pairs.length ? '?' + pairs.join('&') : '';
    if (!auth || !auth.key) return '/graph/' + graphspec + search;
    const signature = token(graphspec, search, auth.secret || '', auth.method);
    return '/graph/' + encodeValue(auth.key) + '/' + signature + '/' + graphspec + search;
  }

  // Where the browser can read an input reference: files/NAME and graph/... are this server's.
  function inputHref(ref) {
    if (/^https?:\/\//i.test(ref)) return ref;
    return '/' + ref.replace(/^\/+/, '');
  }

  // fetch() of JSON; rejects with a readable message.
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok && response.status !== 200) {
      const why = body && body.error ? body.error : 'HTTP ' + response.status;
      throw new Error(url + ': ' + why);
    }
    return body;
  }

  // Text and children into an element: el('td', {class: 'x'}, 'text', child...).
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const formatBytes = (n) => (n >= 1048576 ? (n / 1048576).toFixed(2) + ' MB' : n >= 1024 ? (n / 1024).toFixed(1) + ' kB' : n + ' B');

  const api = { md5, sha256, hmacSha256, utf8, hex, encodeValue, token, graphUrl, inputHref, getJson, el, formatBytes };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.imgflo = api;
})(typeof window !== 'undefined' ? window : globalThis);
