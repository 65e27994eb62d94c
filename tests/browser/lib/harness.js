// What the browser tests share: a real imgflo-server on a free port, headless Debian Chromium
// through puppeteer-core (never a downloaded browser), console errors collected, artifacts.
//
// Settings come from the environment ctest gives (tests/browser/CMakeLists.txt):
//   IMGFLO_SERVER     the imgflo-server executable
//   IMGFLO_SOURCE     the checkout (graphs/, examples/, web/)
//   IMGFLO_ARTIFACTS  folder for screenshots
//   CHROMIUM          the browser (default /usr/bin/chromium)
// A missing browser, server or package fails the test: nothing is skipped.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run the browser tests through ctest)`);
  return v;
};

const DEADLINE_MS = 10000;

// Starts imgflo-server with `env` added; resolves {url, stop()} once it listens.
async function startServer(env = {}) {
  const source = need('IMGFLO_SOURCE');
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgflo-browser-'));
  const args = ['--port', '0', '--address', '127.0.0.1', '--workdir', workdir,
    '--graphs', path.join(source, 'graphs'), '--resources', path.join(source, 'examples'),
    '--web-dir', path.join(source, 'web')];
  const child = spawn(need('IMGFLO_SERVER'), args, {
    env: { PATH: '/usr/bin:/bin', IMGFLO_DRAIN_TIMEOUT: '2', IMGFLO_LOG_FORMAT: 'text', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('imgflo-server did not listen within 10 s:\n' + log)), DEADLINE_MS);
    const read = (chunk) => {
      log += chunk;
      const m = /listening on port ([0-9]+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`imgflo-server exited (${code}):\n${log}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(workdir, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${port}`, stop, log: () => log };
}

// A headless browser and one page whose console errors and page errors are collected.
async function openBrowser() {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  return { browser, page, errors };
}

// Polls `fn` (async, truthy = done) until the deadline; returns its value or throws `what`.
async function eventually(what, fn, deadlineMs = DEADLINE_MS) {
  const end = Date.now() + deadlineMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

async function screenshot(page, name) {
  const dir = need('IMGFLO_ARTIFACTS');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// The status and Location of a GET without following redirects.
async function status(url) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

module.exports = { startServer, openBrowser, eventually, screenshot, status };
