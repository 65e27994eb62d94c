// bench/load_client.js — a keep-alive HTTP load client for the bench/ scripts.
//
//   node bench/load_client.js CONCURRENCY EXPECTED_STATUS URL_FILE
//
// Sends one GET per line of URL_FILE (each URL once), CONCURRENCY requests in
// flight at a time over CONCURRENCY persistent connections (http.Agent with
// keepAlive, maxSockets = CONCURRENCY): each connection is opened once and
// reused, so no process start, TCP handshake or connection teardown is paid
// per request — as an in-process loop such as bench/sharp_thumbnails.js pays
// none. Every response body is read to its end; redirects are not followed
// (the imgflo-server answers 301 once the result is stored).
// Prints one line: "requests expected wall_s client_cpu_s", where `expected`
// counts answers with EXPECTED_STATUS and the times cover the requests only
// (start-up and reading URL_FILE excluded). Any other status or a transport
// error is reported on stderr; the exit status is 1 when one happened.
'use strict';
const fs = require('fs');
const http = require('http');

function get(agent, url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode));
      res.on('error', (e) => resolve(`response error: ${e.message}`));
    });
    req.on('error', (e) => resolve(`request error: ${e.message}`));
  });
}

async function main() {
  const [concurrency, expected, urlFile] = process.argv.slice(2);
  const n = Number(concurrency);
  if (!(n >= 1) || !urlFile) {
    console.error('usage: node load_client.js CONCURRENCY EXPECTED_STATUS URL_FILE');
    process.exit(2);
  }
  const urls = fs.readFileSync(urlFile, 'utf8').split('\n').filter((l) => l.length > 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });
  let next = 0;
  let matched = 0;
  let failed = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      const status = await get(agent, url);
      if (status === Number(expected)) {
        ++matched;
      } else {
        ++failed;
        console.error(`${url}: ${status}`);
      }
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, worker));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  console.log(`${urls.length} ${matched} ${wall.toFixed(3)} ${((cpu.user + cpu.system) / 1e6).toFixed(3)}`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
