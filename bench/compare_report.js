// Medians per configuration and runtime from compare_ort.sh's JSON lines,
// as a markdown table with the hostacl / ONNX Runtime ratio.
'use strict';
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
const groups = new Map();
for (const r of rows) {
  const rt = r.runtime.startsWith('hostacl') ? 'hostacl' : 'onnxruntime';
  const key = r.config + '\u0000' + rt;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}
const stat = (config, rt) => {
  const g = groups.get(config + '\u0000' + rt);
  if (!g) return null;
  return {ips: median(g.map((r) => r.images_per_s)), p50: median(g.map((r) => r.latency_ms.p50)),
          p99: median(g.map((r) => r.latency_ms.p99)), rss: median(g.map((r) => r.peak_rss_mb)),
          load: median(g.map((r) => r.load_s))};
};
const configs = [...new Set(rows.map((r) => r.config))];
console.log('| configuration | runtime | images/s | p50 ms | p99 ms | peak RSS MB | load s | hostacl / ORT images/s |');
console.log('|---|---|---|---|---|---|---|---|');
for (const c of configs) {
  const h = stat(c, 'hostacl');
  const base = c.replace(/ \(.*\)$/, '');
  const o = stat(c, 'onnxruntime') || stat(base, 'onnxruntime');
  for (const [rt, s] of [['hostacl', h], ['ONNX Runtime', stat(c, 'onnxruntime')]]) {
    if (!s) continue;
    const ratio = rt === 'hostacl' && o ? (s.ips / o.ips).toFixed(2) + '×' : '';
    console.log(`| ${c} | ${rt} | ${s.ips.toFixed(1)} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.rss.toFixed(0)} | ` +
                `${s.load.toFixed(2)} | ${ratio} |`);
  }
}
