// bench/soak_client.js — the paced load of bench/soak.sh (the seed's SLO as a bench).
//
//   node bench/soak_client.js --frontends URL1,URL2 --resources DIR --input FILE --out DIR
//        [--connections N] [--rate R] [--duration S] [--new-percent P] [--post-rate Q]
//        [--hot K] [--graph PATH] [--timeout S]
//
// 1. Prime: K "hot" inputs (hard links of FILE named h-I.jpg in DIR) are requested once
//    through the first frontend, 50 at a time; every one must answer 301.
// 2. Load, for S seconds: N closed-loop connections split evenly over the frontends, each its
//    own TCP connection (an http.Agent with keepAlive and maxSockets 1 per connection: a shared
//    agent would reuse a few idle sockets for all of them). Each connection sends a GET,
//    reads the answer to its end and sends the next one 1/R s after that answer, starting at a
//    random offset within the first interval. Every request is a repeat of a random hot URL
//    (cached), except every (100/P)-th request of the run, which names a new hard link
//    n-I.jpg (a cache miss: processing). Next to them, an open-loop POST pre-heat stream of
//    Q requests/s on new links p-I.jpg (202: a background job), over its own keep-alive
//    connections (4 per frontend). At S seconds no new request starts; the ones in flight
//    are awaited (each bounded by the client timeout, default 60 s).
// Requests are GET/POST `GRAPH?input=files/NAME` (default GRAPH /graph/gradientmap.jpg).
//
// Writes OUT/summary.json (per class cached/new/post: count, status counts, latency
// percentiles in ms, answers over 30 s; achieved request rate; a per-10-s series of requests
// and cached p99; the client's own CPU seconds) and OUT/locations.txt ("class location" for every 301/202 of a hot, new or
// post URL: where its result is or will be stored). Progress goes to stderr. Exit status 0
// unless priming failed or the arguments are wrong (targets are judged by bench/soak.sh).
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const SLOW_MS = 30000;
const POST_SOCKETS = 4;

function parseArgs(argv) {
  const o = {
    connections: 1000, rate: 1, duration: 300, newPercent: 5, postRate: 10, hot: 200,
    graph: '/graph/gradientmap.jpg', timeout: 60,
  };
  const numeric = new Set(['connections', 'rate', 'duration', 'newPercent', 'postRate', 'hot', 'timeout']);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${argv[i]}`);
    o[name] = numeric.has(name) ? Number(value) : value;
  }
  for (const k of ['frontends', 'resources', 'input', 'out']) if (!o[k]) throw new Error(`--${k} is required`);
  for (const k of numeric) if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new Error(`bad --${k}`);
  if (!(o.connections >= 1 && o.rate > 0 && o.duration > 0 && o.hot >= 1)) throw new Error('bad numbers');
  o.frontends = o.frontends.split(',');
  return o;
}

// One request; resolves { status, ms, location } or { error, ms }. The body is read to its end.
function send(agent, method, url, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    let done = false;
    const finish = (r) => { if (!done) { done = true; resolve({ ...r, ms: ms() }); } };
    const req = http.request(url, { method, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => finish({ status: res.statusCode, location: res.headers.location }));
      res.on('error', (e) => finish({ error: `response: ${e.code || e.message}` }));
    });
    req.setTimeout(timeoutMs, () => { req.destroy(new Error('client timeout')); });
    req.on('error', (e) => finish({ error: `request: ${e.code || e.message}` }));
    req.end();
  });
}

// Nearest-rank percentile of a sorted array.
function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const r = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return Number(sorted[r - 1].toFixed(2));
}

class ClassStats {
  constructor() { this.count = 0; this.status = {}; this.ms = []; this.slow = 0; }
  add(r) {
    ++this.count;
    const key = r.error ? r.error : String(r.status);
    this.status[key] = (this.status[key] || 0) + 1;
    this.ms.push(r.ms);
    if (r.ms > SLOW_MS) ++this.slow;
  }
  summary() {
    const s = Float64Array.from(this.ms).sort();
    return {
      count: this.count, status: this.status, over_30s: this.slow,
      p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), p999: pct(s, 99.9), max: pct(s, 100),
    };
  }
}

class Run {
  constructor(o) {
    this.o = o;
    this.src = path.resolve(o.input);
    this.stats = { cached: new ClassStats(), new: new ClassStats(), post: new ClassStats() };
    this.locations = [];
    this.serial = 0;       // requests started by the closed loops
    this.newNames = 0;
    this.postNames = 0;
    this.errorsShown = 0;
    this.series = [];      // per 10 s: requests answered, cached latencies
    this.window = { answered: 0, cached: [] };
    this.agents = Array.from({ length: o.connections }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    this.postAgents = o.frontends.map(() => new http.Agent({ keepAlive: true, maxSockets: POST_SOCKETS }));
  }

  // A new hard link of the input named PREFIX-I.jpg; returns its request path.
  link(name) {
    fs.linkSync(this.src, path.join(this.o.resources, name));
    return `${this.o.graph}?input=files/${name}`;
  }

  record(cls, r, keepLocation) {
    this.stats[cls].add(r);
    ++this.window.answered;
    if (cls === 'cached') this.window.cached.push(r.ms);
    if (keepLocation && r.location && (r.status === 301 || r.status === 202)) this.locations.push(`${cls} ${r.location}`);
  }

  async prime() {
    this.hot = [];
    for (let i = 0; i < this.o.hot; ++i) this.hot.push(this.link(`h-${i}.jpg`));
    let next = 0;
    let failed = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const one = async () => {
      while (next < this.hot.length) {
        const p = this.hot[next++];
        const r = await send(agent, 'GET', this.o.frontends[0] + p, this.o.timeout * 1000);
        if (r.status === 301) this.locations.push(`hot ${r.location}`);
        else { ++failed; console.error(`prime ${p}: ${r.error || r.status}`); }
      }
    };
    await Promise.all(Array.from({ length: 50 }, one));
    agent.destroy();
    return failed === 0;
  }

  async connection(i, endAt) {
    const front = i % this.o.frontends.length;
    const base = this.o.frontends[front];
    const interval = 1000 / this.o.rate;
    const every = this.o.newPercent > 0 ? Math.round(100 / this.o.newPercent) : 0;
    await sleep(Math.random() * interval);
    while (Date.now() < endAt) {
      const n = ++this.serial;
      const isNew = every > 0 && n % every === 0;
      const p = isNew ? this.link(`n-${this.newNames++}.jpg`) : this.hot[Math.floor(Math.random() * this.hot.length)];
      const r = await send(this.agents[i], 'GET', base + p, this.o.timeout * 1000);
      this.record(isNew ? 'new' : 'cached', r, isNew);
      if ((r.error || r.status !== 301) && this.errorsShown++ < 50) console.error(`GET ${p}: ${r.error || r.status}`);
      await sleep(interval);
    }
  }

  // Open loop: every 100 ms, the POSTs due by now (Q per second), alternating frontends.
  async postStream(endAt) {
    const pending = [];
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() < endAt) {
      const due = Math.floor(((Date.now() - t0) / 1000) * this.o.postRate);
      for (; sent < due; ++sent) {
        const front = sent % this.o.frontends.length;
        const p = this.link(`p-${this.postNames++}.jpg`);
        pending.push(send(this.postAgents[front], 'POST', this.o.frontends[front] + p, this.o.timeout * 1000).then((r) => {
          this.record('post', r, true);
          if (r.status !== 202 && this.errorsShown++ < 50) console.error(`POST ${p}: ${r.error || r.status}`);
        }));
      }
      await sleep(100);
    }
    await Promise.all(pending);
  }

  tick() {
    const c = Float64Array.from(this.window.cached).sort();
    this.series.push({ answered: this.window.answered, cached_p99: pct(c, 99) });
    console.error(`  ${this.series.length * 10} s: ${(this.window.answered / 10).toFixed(0)} req/s, cached p99 ${pct(c, 99)} ms,` +
                  ` new ${this.stats.new.count}, posts ${this.stats.post.count}`);
    this.window = { answered: 0, cached: [] };
  }

  async load() {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const endAt = t0 + this.o.duration * 1000;
    const timer = setInterval(() => this.tick(), 10000);
    const loops = Array.from({ length: this.o.connections }, (_, i) => this.connection(i, endAt));
    await Promise.all([...loops, this.postStream(endAt)]);
    clearInterval(timer);
    this.wall = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    this.cpu = (cpu.user + cpu.system) / 1e6;
  }

  write() {
    const s = {};
    for (const [k, v] of Object.entries(this.stats)) s[k] = v.summary();
    const answered = s.cached.count + s.new.count + s.post.count;
    const summary = {
      connections: this.o.connections, rate_per_connection: this.o.rate, duration_s: this.o.duration,
      new_percent: this.o.newPercent, post_rate: this.o.postRate, hot: this.o.hot, graph: this.o.graph,
      wall_s: Number(this.wall.toFixed(2)), client_cpu_s: Number(this.cpu.toFixed(2)),
      requests: answered, req_per_s: Number((answered / this.wall).toFixed(1)),
      classes: s, series: this.series,
    };
    fs.writeFileSync(path.join(this.o.out, 'summary.json'), JSON.stringify(summary, null, 1));
    fs.writeFileSync(path.join(this.o.out, 'locations.txt'), this.locations.join('\n') + '\n');
  }
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`soak_client: ${e.message}`);
    process.exit(2);
  }
  const run = new Run(o);
  console.error(`priming ${o.hot} hot URLs`);
  if (!(await run.prime())) process.exit(1);
  console.error(`load: ${o.connections} connections at ${o.rate}/s each for ${o.duration} s, ` +
                `${o.newPercent} % new, ${o.postRate} POST/s`);
  await run.load();
  for (const a of [...run.agents, ...run.postAgents]) a.destroy();
  run.write();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
