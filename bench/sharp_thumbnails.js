// bench/sharp_thumbnails.js — the sharp side of bench/thumbnails.sh (run by it).
//
//   node bench/sharp_thumbnails.js WIDTH CONCURRENCY FILE...
//
// Thumbnails every FILE (each read into its own buffer first, libvips' operation
// cache off, so no two jobs share work) to WIDTH pixels wide with the service's
// JPEG settings: quality 90, progressive, optimised Huffman tables, no chroma
// subsampling, metadata stripped (sharp's default). CONCURRENCY jobs are in flight
// at a time; sharp's own libvips thread pool keeps its default (the number of CPUs).
// Prints one line: "images wall_s cpu_s" (cpu = user + system of this process
// during the jobs only, start-up and file reading excluded).
'use strict';
const fs = require('fs');
const sharp = require('sharp');

async function main() {
  const [width, concurrency, ...files] = process.argv.slice(2);
  const inputs = files.map((f) => fs.readFileSync(f));
  sharp.cache(false);
  const thumbnail = (buf) =>
    sharp(buf)
      .resize({ width: Number(width) })
      .jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4', optimiseCoding: true })
      .toBuffer();
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) await thumbnail(inputs[next++]);
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${inputs.length} ${wall.toFixed(3)} ${((cpu.user + cpu.system) / 1e6).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
