// Golden outputs of face-api's own FaceExpressionNet under TF.js (pure JS, CPU backend).
// Run by scripts/make_tfjs_goldens.py from a work folder that holds node_modules with
// @tensorflow/tfjs, face-api.mjs (the package's esm-nobundle build) and the model files.
// usage: node face_expression.mjs MODEL_DIR INPUTS_F32 N OUT_JSON
import fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import * as faceapi from './face-api.mjs';

const [modelDir, inputPath, count, outPath] = process.argv.slice(2);
await tf.setBackend('cpu');
await tf.ready();
const manifest = JSON.parse(
  fs.readFileSync(`${modelDir}/face_expression_model-weights_manifest.json`, 'utf8'));
const specs = manifest.flatMap((g) => g.weights);
const shards = manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(`${modelDir}/${p}`)));
const buf = Buffer.concat(shards);
const weightMap = tf.io.decodeWeights(
  buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), specs);
const net = new faceapi.FaceExpressionNet();
net.loadFromWeightMap(weightMap);
const raw = fs.readFileSync(inputPath);
const all = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
const n = Number(count);
const size = 112 * 112 * 3;
const out = { tfjs: tf.version.tfjs, faceapi: faceapi.version, backend: tf.getBackend(),
  logits: [], probabilities: [] };
for (let i = 0; i < n; i += 1) {
  const img = tf.tensor3d(all.slice(i * size, (i + 1) * size), [112, 112, 3]);
  const input = await faceapi.toNetInput(img);
  const logits = net.runNet(input);
  const probs = net.forwardInput(input);
  out.logits.push(Array.from(logits.dataSync()));
  out.probabilities.push(Array.from(probs.dataSync()));
  tf.dispose([img, logits, probs]);
}
fs.writeFileSync(outPath, JSON.stringify(out));
