// ort_bench: the same measurement as bench_model, with ONNX Runtime (the
// onnxruntime-node package), printed as one JSON line.
//   node ort_bench.js MODEL [--iters N] [--warmup W] [--streams S] [--threads T] [--input FILE] [--serve]
// --input: raw bytes for input 0, of the input's element type (default:
// generated float32 values, the same bench_model feeds).
// Streams are concurrent run() loops on one session; threads is ONNX
// Runtime's intra-op thread count (default: the online cores).
// --serve: the slices protocol of bench_model --serve (one stream): a ready
// line after the warm-up, then per stdin line N one untimed run and N timed
// ones, "q" or the end of input: the peak memory.
'use strict';
const fs = require('fs');
const os = require('os');
const ort = require(process.env.ORT_NODE_PATH || 'onnxruntime-node');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main() {
  const model = process.argv[2];
  const iters = arg('--iters', 50), warmup = arg('--warmup', 3), streams = arg('--streams', 1);
  const threads = arg('--threads', os.cpus().length);
  const t0 = process.hrtime.bigint();
  const sess = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential'});
  const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
  const meta = sess.inputMetadata ? sess.inputMetadata[0] : null;
  const shape = meta && meta.shape ? meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1)) : [1, 3, 224, 224];
  const count = shape.reduce((a, b) => a * b, 1);
  const inputAt = process.argv.indexOf('--input');
  const type = meta && meta.type === 'int64' ? 'int64' : 'float32';
  let data;
  if (inputAt > 0) {
    const raw = fs.readFileSync(process.argv[inputAt + 1]);
    const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    data = type === 'int64' ? new BigInt64Array(buf) : new Float32Array(buf);
  } else {
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = ((i * 7) % 60) / 60 - 0.5;
  }
  const feeds = {[sess.inputNames[0]]: new ort.Tensor(type, data, shape)};
  if (process.argv.includes('--serve')) return serve(sess, feeds, warmup, shape[0], loadS);
  const lat = [];
  let start = 0, end = 0;
  // Timing starts once every stream has warmed up (as in bench_model.c):
  // a warm-up inside another stream's timed window would be time without
  // images.
  let warmed = 0, release;
  const allWarm = new Promise((resolve) => { release = resolve; });
  async function loop() {
    for (let i = 0; i < warmup; i++) await sess.run(feeds);
    if (++warmed === streams) release();
    await allWarm;
    const s = Number(process.hrtime.bigint()) / 1e9;
    if (!start || s < start) start = s;
    for (let i = 0; i < iters; i++) {
      const a = process.hrtime.bigint();
      await sess.run(feeds);
      lat.push(Number(process.hrtime.bigint() - a) / 1e6);
    }
    const e = Number(process.hrtime.bigint()) / 1e9;
    if (e > end) end = e;
  }
  await Promise.all(Array.from({length: streams}, loop));
  lat.sort((a, b) => a - b);
  const n = lat.length;
  console.log(JSON.stringify({
    model, runtime: 'onnxruntime ' + (ort.env.versions ? ort.env.versions.common : ''), batch: shape[0], streams,
    executions: n, load_s: +loadS.toFixed(3), images_per_s: +((n * shape[0]) / (end - start)).toFixed(2),
    latency_ms: {p50: +lat[n >> 1].toFixed(2), p99: +lat[Math.round(0.99 * (n - 1))].toFixed(2)},
    peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1)}));
}
async function serve(sess, feeds, warmup, batch, loadS) {
  for (let i = 0; i < warmup; i++) await sess.run(feeds);
  const out = (o) => new Promise((resolve) => process.stdout.write(JSON.stringify(o) + '\n', resolve));
  await out({ready: 1, batch, load_s: +loadS.toFixed(3)});
  const lines = require('readline').createInterface({input: process.stdin, terminal: false});
  for await (const line of lines) {
    if (line.startsWith('q')) break;
    let n = parseInt(line, 10);
    if (!(n >= 1 && n <= 100000)) n = 1;
    await sess.run(feeds);
    const lat = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const a = process.hrtime.bigint();
      await sess.run(feeds);
      lat.push(+(Number(process.hrtime.bigint() - a) / 1e6).toFixed(3));
    }
    await out({n, s: Number(process.hrtime.bigint() - t0) / 1e9, lat_ms: lat});
  }
  await out({peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1)});
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
