// Golden outputs of human-models' `movenet-multipose` graph under TF.js (pure JS, CPU
// backend), fed as TF.js feeds it: an int32 RGB 0..255 tensor [1, H, W, 3]. Run by
// scripts/make_tfjs_goldens.py.
// usage: node movenet_multipose.mjs MODEL_JSON INPUTS_JSON OUT_JSON
//   INPUTS_JSON: [{"file": "x.u8", "height": H, "width": W}, ...] (raw uint8 RGB HxWx3)
import fs from 'fs';
import path from 'path';
import * as tf from '@tensorflow/tfjs';

const [modelPath, inputsPath, outPath] = process.argv.slice(2);
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
const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
const out = { tfjs: tf.version.tfjs, backend: tf.getBackend(), people: [] };
for (const inp of inputs) {
  const raw = fs.readFileSync(inp.file);
  const x = tf.tensor4d(Int32Array.from(raw), [1, inp.height, inp.width, 3], 'int32');
  const res = await model.executeAsync(x);
  out.people.push(Array.from(res.dataSync()));
  tf.dispose([x, res]);
}
fs.writeFileSync(outPath, JSON.stringify(out));
