// The playground (GET /): the catalogue from /graphs, a form made from the chosen graph's typed
// inports, the URL built (and signed) here, and a live, debounced preview.
(function () {
  'use strict';
  const { el, getJson, graphUrl, formatBytes } = window.imgflo;
  const $ = (id) => document.getElementById(id);
  const PREVIEW_DELAY_MS = 400;
  const AUTH_STORE = 'imgflo.auth';  // sessionStorage: this tab only; read by the debug page to re-sign

  const state = { graphs: {}, outputs: {}, authRequired: false, graph: null, fields: [], timer: 0, shown: 0 };

  const idFor = (name) => 'p-' + name.replace(/[^A-Za-z0-9_-]/g, '_');

  // The label of a parameter: its name and, smaller, its description.
  function label(forId, name, meta, extraClass) {
    return el('label', { for: forId, class: extraClass },
      el('span', { class: 'name' }, name),
      meta.description ? el('span', { class: 'desc' }, meta.description) : null);
  }

  const bounded = (meta) => Number.isFinite(meta.minimum) && Number.isFinite(meta.maximum) &&
    meta.maximum > meta.minimum && meta.maximum - meta.minimum <= 1e6;

  // One form field for an inport: {name, element, read(): the value to send or null, reset()}.
  // A value is sent only when it differs from the field's initial value (the graph's default).
  function makeField(name, meta) {
    const id = idFor(name);
    const type = meta.type;
    const def = meta.default;
    let control, initial, read, extra = null;
    if (type === 'color') {
      initial = typeof def === 'string' && /^#[0-9a-fA-F]{6}/.test(def) ? def.slice(0, 7).toLowerCase() : '#000000';
      control = el('input', { id, type: 'color', value: initial });
      read = () => (control.value.toLowerCase() !== initial ? control.value : null);
    } else if (type === 'boolean') {
      initial = def === true;
      control = el('input', { id, type: 'checkbox', checked: initial });
      read = () => (control.checked !== initial ? String(control.checked) : null);
    } else if (type === 'enum') {
      initial = def === undefined ? '' : String(def);
      control = el('select', { id });
      if (def === undefined) control.append(el('option', { value: '' }, '(not set)'));
      for (const v of meta.values || []) control.append(el('option', { value: v, selected: v === initial }, v));
      read = () => (control.value !== initial && control.value !== '' ? control.value : null);
    } else if (type === 'int' || type === 'number') {
      initial = def === undefined ? '' : String(def);
      const step = type === 'int' ? '1' : bounded(meta) ? String((meta.maximum - meta.minimum) / 100) : 'any';
      const limits = bounded(meta) ? { min: meta.minimum, max: meta.maximum } : {};
      control = el('input', { id, type: 'number', step, value: initial, ...limits, inputmode: 'decimal' });
      if (bounded(meta)) {
        // A slider beside the box, with a label of its own; both stay in step.
        const slider = el('input', { id: id + '-slider', type: 'range', step, value: initial === '' ? meta.minimum : initial, ...limits });
        slider.addEventListener('input', () => { control.value = slider.value; });
        control.addEventListener('input', () => { if (control.value !== '') slider.value = control.value; });
        extra = el('div', { class: 'slider' },
          el('label', { for: id + '-slider', class: 'visually-hidden' }, name + ' slider'), slider,
          el('span', { class: 'range', 'aria-hidden': 'true' }, meta.minimum + ' … ' + meta.maximum));
        control.resetSlider = () => { slider.value = initial === '' ? meta.minimum : initial; };
      }
      read = () => { const v = control.value.trim(); return v !== '' && v !== initial ? v : null; };
    } else {  // string, uri, buffer (a named image input such as watermark), anything new
      initial = def === undefined || def === null ? '' : String(def);
      control = el('input', { id, type: 'text', value: initial, spellcheck: 'false' });
      read = () => { const v = control.value; return v !== '' && v !== initial ? v : null; };
    }
    const element = el('div', { class: 'field', 'data-param': name, 'data-type': type || '' },
      label(id, name, meta), control, extra);
    const reset = () => {
      if (control.type === 'checkbox') control.checked = initial;
      else control.value = initial;
      if (control.resetSlider) control.resetSlider();
    };
    return { name, element, read, reset };
  }

  function currentAuth() {
    return { key: $('key').value.trim(), secret: $('secret').value, method: $('method').value };
  }

  function currentRequest(extraParams) {
    const params = [];
    for (const f of state.fields) {
      const v = f.read();
      if (v !== null) params.push([f.name, v]);
    }
    return { graph: state.graph, ext: $('ext').value, input: $('input').value.trim(), params: params.concat(extraParams || []) };
  }

  // Rebuilds the URL (at once) and schedules the preview (debounced).
  function update() {
    if (!state.graph) return;
    const auth = currentAuth();
    sessionStorage.setItem(AUTH_STORE, JSON.stringify(auth));
    const path = graphUrl(currentRequest(), auth);
    $('url').value = location.origin + path;
    $('debug-link').href = graphUrl(currentRequest([['debug', '1']]), auth);
    clearTimeout(state.timer);
    if (state.authRequired && !(auth.key && auth.secret)) {
      state.shown++;
      $('preview').removeAttribute('src');
      $('preview-status').textContent = 'This server requires signed URLs: enter the API key and secret to see the result.';
      return;
    }
    state.timer = setTimeout(preview, PREVIEW_DELAY_MS);
  }

  function preview() {
    const url = $('url').value;
    const img = $('preview');
    if (img.getAttribute('src') === url) return;
    const seq = ++state.shown;
    const started = performance.now();
    $('preview-status').textContent = 'Processing…';
    img.onload = () => {
      if (seq !== state.shown) return;
      const ms = Math.round(performance.now() - started);
      $('preview-status').textContent = `Processed and loaded in ${ms} ms · ${img.naturalWidth} × ${img.naturalHeight} px`;
    };
    img.onerror = () => { if (seq === state.shown) explainFailure(url, seq); };
    img.src = url;
  }

  // Why an image did not load: the server's JSON error, read with fetch().
  async function explainFailure(url, seq) {
    let text;
    try {
      const response = await fetch(url);
      const body = await response.json().catch(() => null);
      if (response.ok) text = 'The result could not be shown by this browser (' + response.headers.get('Content-Type') + ').';
      else if (response.status === 403) text = 'Error 403: ' + (body && body.error ? body.error : 'forbidden') + ' — this server needs signed URLs: fill in the API key and secret.';
      else text = 'Error ' + response.status + ': ' + (body && body.error ? body.error : response.statusText);
    } catch (e) {
      text = 'The request failed: ' + e.message;
    }
    if (seq === state.shown) $('preview-status').textContent = text;
  }

  function chooseGraph(name) {
    state.graph = name;
    const graph = state.graphs[name];
    const inports = graph.inports || {};
    const own = $('graph-params'), universal = $('universal-params');
    own.replaceChildren(el('legend', { id: 'graph-params-legend' }, 'Parameters of ' + name));
    universal.replaceChildren(el('legend', {}, 'Size and encoding (every graph)'));
    state.fields = [];
    for (const [port, def] of Object.entries(inports)) {
      if (port === 'input') continue;
      const field = makeField(port, def.metadata || {});
      state.fields.push(field);
      (def.process ? own : universal).append(field.element);
    }
    if (own.children.length === 1) own.append(el('p', { class: 'hint' }, 'This graph has no parameters of its own.'));
    const ext = $('ext');
    const keep = ext.value;
    const types = (state.outputs[name] && state.outputs[name].output_types) || [];
    ext.replaceChildren(el('option', { value: '' }, "server's choice (JPEG, or what the browser accepts)"));
    for (const t of types) if (t !== 'jpeg') ext.append(el('option', { value: t, selected: t === keep }, t));
    $('input').disabled = !('input' in inports);
    update();
  }

  function renderCatalogue() {
    const box = $('graphs');
    box.replaceChildren(el('legend', { class: 'visually-hidden' }, 'Graph'));
    const names = Object.keys(state.graphs).sort();
    const wanted = new URLSearchParams(location.hash.slice(1)).get('graph');
    const first = names.includes(wanted) ? wanted : names.includes('gradientmap') ? 'gradientmap' : names[0];
    for (const name of names) {
      const id = 'graph-' + name;
      const description = ((state.graphs[name].properties || {}).description) || '';
      const radio = el('input', { type: 'radio', name: 'graph', id, value: name, checked: name === first });
      radio.addEventListener('change', () => { if (radio.checked) chooseGraph(name); });
      box.append(el('div', { class: 'graph' }, radio,
        el('label', { for: id }, el('span', { class: 'name' }, name), el('span', { class: 'desc' }, description))));
    }
    if (first) chooseGraph(first);
  }

  function renderExamples(files) {
    const select = $('example');
    for (const f of files) {
      select.append(el('option', { value: 'files/' + f.name }, f.name + ' (' + f.type + ', ' + formatBytes(f.bytes) + ')'));
    }
    select.addEventListener('change', () => {
      if (select.value) { $('input').value = select.value; update(); }
    });
  }

  function restoreAuth() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(AUTH_STORE) || 'null');
      if (saved) { $('key').value = saved.key || ''; $('secret').value = saved.secret || ''; $('method').value = saved.method || 'md5'; }
    } catch (e) { /* nothing saved */ }
  }

  async function copyUrl() {
    const url = $('url');
    try {
      await navigator.clipboard.writeText(url.value);
    } catch (e) {
      url.select();
      document.execCommand('copy');
    }
    $('preview-status').textContent = 'URL copied.';
  }

  async function start() {
    restoreAuth();
    $('form').addEventListener('input', update);
    $('form').addEventListener('change', update);
    $('form').addEventListener('submit', (e) => e.preventDefault());
    $('reset').addEventListener('click', () => { state.fields.forEach((f) => f.reset()); update(); });
    $('copy').addEventListener('click', copyUrl);
    try {
      const [graphs, outputs, files] = await Promise.all([
        getJson('/graphs'), getJson('/ui/catalogue.json'), getJson('/files/').catch(() => ({ files: [] }))]);
      state.graphs = graphs.graphs || {};
      state.outputs = outputs.graphs || {};
      state.authRequired = outputs.auth_required === true;
      renderExamples(files.files || []);
      renderCatalogue();
    } catch (e) {
      $('graphs').append(el('p', { class: 'status error' }, 'The catalogue could not be read: ' + e.message));
    }
    const status = $('graphs-status');
    if (status) status.remove();
  }

  start();
})();
