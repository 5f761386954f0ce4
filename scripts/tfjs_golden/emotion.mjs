// Golden outputs of human's `emotion` graph model under TF.js (pure JS, CPU backend), with
// human's own preprocessing (src/gear/emotion.ts: RGB 0..1 * [0.2989, 0.5870, 0.1140],
// summed to grey, (grey - 0.5) * 2). Run by scripts/make_tfjs_goldens.py.
// usage: node emotion.mjs MODEL_JSON INPUTS_F32 N OUT_JSON   (inputs: N x 64 x 64 x 3, 0..255)
import fs from 'fs';
import path from 'path';
import * as tf from '@tensorflow/tfjs';

const [modelPath, inputPath, count, outPath] = process.argv.slice(2);
await tf.setBackend('cpu');
await tf.ready();
const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
const dir = path.dirname(modelPath);
const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(`${dir}/${p}`)));
const buf = Buffer.concat(shards);
const handler = { load: async () => ({
  modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy,
  convertedBy: json.convertedBy, userDefinedMetadata: json.userDefinedMetadata,
  weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
  weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) }) };
const model = await tf.loadGraphModel(handler);
const raw = fs.readFileSync(inputPath);
const all = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
const n = Number(count);
const size = 64 * 64 * 3;
const rgb = tf.tensor1d([0.2989, 0.5870, 0.1140], 'float32');
const out = { tfjs: tf.version.tfjs, backend: tf.getBackend(), probabilities: [] };
for (let i = 0; i < n; i += 1) {
  const img = tf.div(tf.tensor4d(all.slice(i * size, (i + 1) * size), [1, 64, 64, 3]), 255);
  const grey = tf.sum(tf.mul(img, rgb), 3, true);
  const norm = tf.mul(tf.sub(grey, tf.scalar(0.5)), tf.scalar(2.0));
  const res = model.execute(norm);
  out.probabilities.push(Array.from(res.dataSync()));
  tf.dispose([img, grey, norm, res]);
}
fs.writeFileSync(outPath, JSON.stringify(out));
