// ONNX Runtime (onnxruntime-node) timing, single thread: session creation and inference latency.
import ort from 'onnxruntime-node';
import fs from 'fs';
function readNpy(path) {
  const b = fs.readFileSync(path);
  const hl = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hl);
  const shape = header.match(/\(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + 10 + hl, b.byteOffset + b.length));
  return new ort.Tensor('float32', data, shape);
}
const median = a => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const [dir, runs, ...models] = process.argv.slice(2);
const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
for (const name of models) {
  const path = `${dir}/${name}.onnx`;
  const creates = [];
  let session;
  for (let i = 0; i < 5; ++i) { const t = process.hrtime.bigint(); session = await ort.InferenceSession.create(path, opts); creates.push(Number(process.hrtime.bigint() - t) / 1e6); }
  const input = readNpy(`${dir}/${name}.input_0.npy`);
  const feeds = { [session.inputNames[0]]: input };
  for (let i = 0; i < 10; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(runs); ++i) { const t = process.hrtime.bigint(); await session.run(feeds); times.push(Number(process.hrtime.bigint() - t) / 1e6); }
  console.log(`ort ${name} create_ms ${median(creates).toFixed(3)} median_ms ${median(times).toFixed(4)} min_ms ${Math.min(...times).toFixed(4)}`);
}
