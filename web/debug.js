// The debug page (GET /debug/graph/[KEY/TOKEN/ or /]GRAPHSPEC/?QUERY, where `&debug=1` on a
// processing URL redirects): the graph drawn from its JSON, the parameters after the server's
// conversion (/debug/params/...), input and result side by side, and the job's phases
// (/debug/job/KEY).
(function () {
  'use strict';
  const { el, getJson, token, inputHref, formatBytes } = window.imgflo;
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const AUTH_STORE = 'imgflo.auth';

  // The request the debug URL names: raw graphspec, key/token (signed form), query without debug.
  function requestFromLocation() {
    const rest = location.pathname.slice('/debug/graph/'.length);
    const segments = rest.split('/').filter((s) => s !== '');
    const graphspec = segments[segments.length - 1] || '';
    const signed = segments.length >= 3;
    const keep = location.search.slice(1).split('&').filter((pair) => {
      if (pair === '') return false;
      const rawName = pair.split('=')[0].replace(/\+/g, ' ');
      let name = rawName;
      try { name = decodeURIComponent(rawName); } catch (e) { /* kept as sent */ }
      return name !== 'debug';
    });
    const search = keep.length ? '?' + keep.join('&') : '';
    const dot = graphspec.lastIndexOf('.');
    const graph = decodeURIComponent(dot > 0 ? graphspec.slice(0, dot) : graphspec);
    return { graphspec, graph, search, key: signed ? segments[0] : '', signed, query: new URLSearchParams(search) };
  }

  function unsignedUrl(r) { return '/graph/' + r.graphspec + r.search; }

  function signedUrl(r, secret, method) {
    return '/graph/' + r.key + '/' + token(r.graphspec, r.search, secret, method) + '/' + r.graphspec + r.search;
  }

  function row(table, name, ...cells) {
    table.tBodies[0].append(el('tr', {}, el('th', { scope: 'row' }, name), ...cells.map((c) => el('td', { class: 'mono' }, c))));
  }

  // --- the graph as SVG: processes in columns by their depth from the graph's sources ---------
  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawGraph(def) {
    const processes = Object.keys(def.processes || {});
    const links = (def.connections || []).filter((c) => c.src && c.tgt && processes.includes(c.src.process) && processes.includes(c.tgt.process));
    const iips = (def.connections || []).filter((c) => !c.src && c.tgt && processes.includes(c.tgt.process));
    const depth = Object.fromEntries(processes.map((p) => [p, 0]));
    for (let round = 0; round < processes.length; round++) {  // longest path; bounded for cycles
      let changed = false;
      for (const c of links) {
        if (depth[c.tgt.process] < depth[c.src.process] + 1) { depth[c.tgt.process] = depth[c.src.process] + 1; changed = true; }
      }
      if (!changed) break;
    }
    const inports = Object.entries(def.inports || {}).filter(([, p]) => p.process && processes.includes(p.process));
    const outports = Object.entries(def.outports || {}).filter(([, p]) => p.process && processes.includes(p.process));
    const W = 210, GAP_X = 150, LEFT = 140, TOP = 20, GAP_Y = 30, LINE = 14;
    const box = {};
    const columnY = {};
    for (const p of processes) {
      const exported = inports.filter(([, port]) => port.process === p).length;
      const ownIips = iips.filter((c) => c.tgt.process === p).length;
      const h = Math.max(48, 24 + LINE * Math.max(exported, ownIips));
      const d = depth[p];
      const y = columnY[d] === undefined ? TOP : columnY[d];
      box[p] = { x: LEFT + d * (W + GAP_X), y, w: W, h };
      columnY[d] = y + h + GAP_Y;
    }
    const width = Math.max(...processes.map((p) => box[p].x + W)) + 130;
    const height = Math.max(TOP + 48, ...Object.values(columnY));
    const root = svg('svg', { class: 'graph-svg', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'graph-svg-title' });
    root.append(svg('title', { id: 'graph-svg-title' }, `Graph ${def.properties && def.properties.name || ''}: ${processes.length} processes, ${links.length} connections`));
    for (const c of links) {
      const a = box[c.src.process], b = box[c.tgt.process];
      const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
      const mid = (x1 + x2) / 2;
      const g = svg('g', { class: 'connection' });
      g.append(svg('path', { class: 'edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }));
      g.append(svg('text', { class: 'port-label', x: x2 - 6, y: y2 - 4, 'text-anchor': 'end' }, c.tgt.port));
      root.append(g);
    }
    for (const p of processes) {
      const b = box[p];
      const g = svg('g', { class: 'node', 'data-process': p });
      g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 5 }));
      g.append(svg('text', { class: 'component', x: b.x + 8, y: b.y + 18 }, def.processes[p].component || '?'));
      g.append(svg('text', { class: 'process', x: b.x + 8, y: b.y + 33 }, p));
      iips.filter((c) => c.tgt.process === p).forEach((c, i) => {
        const t = svg('g', { class: 'iip' });
        t.append(svg('text', { x: b.x + b.w - 6, y: b.y + 18 + i * LINE, 'text-anchor': 'end' }, `${c.tgt.port}=${JSON.stringify(c.data)}`.slice(0, 28)));
        g.append(t);
      });
      root.append(g);
    }
    const marker = (name, b, i, count, left) => {
      const g = svg('g', { class: 'exported', 'data-port': name });
      const y = b.y + b.h / 2 + (i - (count - 1) / 2) * LINE;
      const x = left ? b.x : b.x + b.w;
      const labelX = left ? x - 30 : x + 30;
      g.append(svg('line', { x1: labelX + (left ? 4 : -4), y1: y, x2: x, y2: y }));
      g.append(svg('circle', { cx: x, cy: y, r: 4 }));
      g.append(svg('text', { x: labelX, y: y + 4, 'text-anchor': left ? 'end' : 'start' }, name));
      root.append(g);
    };
    for (const p of processes) {
      const mine = inports.filter(([, port]) => port.process === p);
      mine.forEach(([name], i) => marker(name, box[p], i, mine.length, true));
      const outs = outports.filter(([, port]) => port.process === p);
      outs.forEach(([name], i) => marker(name, box[p], i, outs.length, false));
    }
    $('graph').replaceChildren(root);
    const universal = Object.entries(def.inports || {}).filter(([, p]) => !p.process).map(([n]) => n);
    $('universal').textContent = universal.length
      ? 'Exported ports are marked in yellow. Applied by the server to every graph: ' + universal.join(', ') + '.'
      : 'Exported ports are marked in yellow.';
  }

  // --- parameters after conversion ----------------------------------------------------------------
  async function showParams(r) {
    const info = await getJson('/debug/params' + unsignedUrl(r));
    const table = $('params');
    for (const p of info.params || []) {
      const value = p.error ? 'refused: ' + p.error.error : p.type === null ? '(not a parameter of this graph)' : p.value === null ? '(read by the runtime)' : JSON.stringify(p.value);
      table.tBodies[0].append(el('tr', { class: p.error ? 'error' : null },
        el('td', { class: 'mono' }, p.name), el('td', { class: 'mono' }, p.text),
        el('td', {}, p.type || '—'), el('td', { class: 'mono' }, value)));
    }
    if (info.input) row($('request'), 'input', info.input);
    for (const [name, ref] of Object.entries(info.images || {})) row($('request'), name, ref);
    if (info.cache_key) row($('request'), 'cache key', info.cache_key);
    $('params-status').textContent = info.status === 200
      ? 'The server accepts these parameters.'
      : `The server refuses this request: ${info.status} ${info.error && info.error.error ? info.error.error : ''}`;
    $('params-status').classList.toggle('error', info.status !== 200);
    return info;
  }

  // --- images: bytes with fetch(), sizes from the decoded image --------------------------------
  async function showImage(url, img, caption, what) {
    const started = performance.now();
    let response;
    try {
      response = await fetch(url);
    } catch (e) {  // e.g. another origin without CORS: show it without its bytes
      img.src = url;
      caption.textContent = what + ' (size in bytes unknown: ' + e.message + ')';
      return null;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      caption.textContent = `${what}: error ${response.status}${body && body.error ? ': ' + body.error : ''}`;
      caption.classList.add('error');
      return null;
    }
    const blob = await response.blob();
    const ms = Math.round(performance.now() - started);
    img.src = URL.createObjectURL(blob);
    await img.decode().catch(() => {});
    caption.textContent = `${img.naturalWidth} × ${img.naturalHeight} px · ${formatBytes(blob.size)} (${blob.size} bytes) · ` +
      `${blob.type || 'unknown type'} · ${ms} ms`;
    img.dataset.bytes = String(blob.size);
    return response;
  }

  async function showJob(resultUrl) {
    const key = new URL(resultUrl, location.href).pathname.split('/').pop();
    const table = $('job');
    table.tBodies[0].replaceChildren();
    const response = await fetch('/debug/job/' + encodeURIComponent(key));
    if (!response.ok) {
      $('job-status').textContent = 'No job for this result ran in this server process: it came from the cache ' +
        '(made earlier, or by another worker), so there are no timings to show.';
      return;
    }
    const job = await response.json();
    $('job-status').textContent = `Outcome: ${job.outcome} (status ${job.status})`;
    for (const [field, label] of [['queue_ms', 'queue wait'], ['fetch_ms', 'fetch'], ['memory_wait_ms', 'memory wait'],
      ['process_ms', 'process'], ['store_ms', 'store']]) {
      if (job[field] !== undefined) row(table, label, Number(job[field]).toFixed(1) + ' ms');
    }
    for (const field of ['input_bytes', 'input_pixels', 'output_bytes', 'output_pixels']) {
      if (job[field] !== undefined) row(table, field.replace('_', ' '), String(job[field]));
    }
  }

  async function loadImages(r, url) {
    const input = r.query.get('input');
    if (input) showImage(inputHref(input), $('input-image'), $('input-caption'), 'input');
    else $('input-caption').textContent = 'No input (this request has no input parameter).';
    const response = await showImage(url, $('output-image'), $('output-caption'), 'result');
    if (response) await showJob(response.url);
    else $('job-status').textContent = 'No result.';
  }

  function signingForm(r) {
    const form = $('signing');
    form.hidden = false;
    $('key').value = decodeURIComponent(r.key);
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(AUTH_STORE) || 'null'); } catch (e) { /* none */ }
    if (saved && saved.key === $('key').value) { $('secret').value = saved.secret || ''; $('method').value = saved.method || 'md5'; }
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      r.key = encodeURIComponent($('key').value.trim());
      loadImages(r, signedUrl(r, $('secret').value, $('method').value));
    });
    return saved && saved.key === $('key').value;
  }

  async function start() {
    const r = requestFromLocation();
    $('title').textContent = r.graphspec;
    document.title = 'imgflo debug: ' + r.graphspec;
    $('playground-link').href = '/#graph=' + encodeURIComponent(r.graph);
    row($('request'), 'graph', r.graph);
    row($('request'), 'query', r.search || '(none)');
    try {
      const graphs = await getJson('/graphs');
      const def = (graphs.graphs || {})[r.graph];
      if (def) drawGraph(def);
      else $('graph').append(el('p', { class: 'error' }, 'No graph named ' + r.graph + ' in /graphs.'));
      await showParams(r);
    } catch (e) {
      $('params-status').textContent = e.message;
    }
    if (r.signed && signingForm(r)) {
      loadImages(r, signedUrl(r, $('secret').value, $('method').value));
    } else if (!r.signed) {
      loadImages(r, unsignedUrl(r));
    } else {
      $('output-caption').textContent = 'Enter the secret above to load the result.';
    }
  }

  start();
})();
