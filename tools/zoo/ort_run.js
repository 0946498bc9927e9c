// ort_run: the reference side of the zoo test. Runs MODEL.onnx once with
// ONNX Runtime (the onnxruntime-node package) on the input the exporter
// wrote (DIR/NAME.input.bin, described by DIR/NAME.json) and writes the
// first output, float32 row-major, to DIR/NAME.ort.bin.
//   node ort_run.js DIR NAME
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(process.env.ORT_NODE_PATH || 'onnxruntime-node');

async function main() {
  const [dir, name] = process.argv.slice(2);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8'));
  const raw = fs.readFileSync(path.join(dir, name + '.input.bin'));
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const data = meta.dtype === 'int64' ? new BigInt64Array(buf) : new Float32Array(buf);
  const sess = await ort.InferenceSession.create(path.join(dir, name + '.onnx'), {
    intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all'});
  const out = await sess.run({[sess.inputNames[0]]: new ort.Tensor(meta.dtype, data, meta.shape)});
  const y = out[sess.outputNames[0]];
  fs.writeFileSync(path.join(dir, name + '.ort.bin'), Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  console.log(JSON.stringify({name, output: sess.outputNames[0], shape: y.dims}));
}

main().catch((e) => { console.error(`ort_run: ${e.message}`); process.exit(1); });
