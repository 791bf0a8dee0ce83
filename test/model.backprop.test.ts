/**
 * Explicit backpropagation (src/model/backprop.ts) against tfjs's autodiff through the tf.layers
 * model, on the wasm backend (our kernels) and on the cpu backend (stock kernels).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../src/model/backend";
import { cnnBackprop, cnnBackpropUnsupported } from "../src/model/backprop";
import { buildCnn, flattenedSize, secondPoolSize, THESIS_CNN, toModelInput } from "../src/model/cnn";
import { syntheticMfccDataset } from "../src/model/synthetic";

/** Loss and gradients the standard way: tf.variableGrads over model.apply and tf.losses. */
function autodiff(model: tf.LayersModel, x: tf.Tensor3D, labels: Int32Array): { loss: number; grads: Float32Array[] } {
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), 2);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(onehot, model.apply(x) as tf.Tensor) as tf.Scalar,
    variables,
  );
  const out = {
    loss: value.dataSync()[0] as number,
    grads: variables.map((v) => Float32Array.from((grads[v.name] as tf.Tensor).dataSync() as Float32Array)),
  };
  tf.dispose([onehot, value, ...Object.values(grads)]);
  return out;
}

for (const backend of ["wasm", "cpu"] as const) {
  describe(`cnnBackprop on ${backend}`, () => {
    for (const [batch, frames, seed, timePooling] of [
      [5, 100, 1, "flatten"],
      [1, 20, 2, "flatten"],
      [3, 12, 3, "flatten"],
      [5, 100, 4, "global-max"],
      [3, 14, 5, "global-max"],
    ] as const) {
      test(`matches tfjs autodiff's loss and all 8 gradients for ${batch} clip(s) of [40][${frames}], ${timePooling}`, async () => {
        if (backend === "wasm") await selectBackend("wasm");
        else await tf.setBackend("cpu");
        const data = syntheticMfccDataset(batch, { seed, frames, separation: 1 });
        const model = buildCnn({ frames, timePooling }, seed);
        const x = tf.tensor3d(toModelInput(data.x, batch, 40, frames), [batch, frames, 40]);
        const reference = autodiff(model, x, data.y);
        const mine = cnnBackprop(model)(x, data.y);
        assert.ok(Math.abs(mine.loss - reference.loss) < 1e-5, `loss ${mine.loss} vs ${reference.loss}`);
        assert.equal(mine.grads.length, 8);
        mine.grads.forEach((g, i) => {
          const want = reference.grads[i] as Float32Array;
          const got = g.dataSync() as Float32Array;
          assert.deepEqual(g.shape, model.trainableWeights[i]?.shape);
          const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
          for (let k = 0; k < want.length; k++) {
            if (!(Math.abs((got[k] as number) - (want[k] as number)) <= 1e-4 * scale)) {
              assert.fail(
                `gradient ${i} (${model.trainableWeights[i]?.name}) element ${k}: ${got[k]} vs autodiff ${want[k]}`,
              );
            }
          }
        });
        tf.dispose([x, ...mine.grads]);
        model.dispose();
      });
    }
  });
}

describe("global max pooling over time", () => {
  test("the second pool spans all frames left: 32 values into a 32 -> 64 dense layer, thesis network unchanged", async () => {
    await selectBackend("wasm");
    const global = buildCnn({ timePooling: "global-max" }, 7);
    const shapes = (m: tf.LayersModel) => m.layers.map((l) => (l.outputShape as number[]).slice(1));
    assert.deepEqual(shapes(global), [[100, 16], [50, 16], [50, 32], [1, 32], [32], [64], [2]]);
    assert.equal(flattenedSize({ ...THESIS_CNN, timePooling: "global-max" }), 32);
    assert.equal(secondPoolSize({ ...THESIS_CNN, timePooling: "global-max", frames: 101 }), 50);
    assert.deepEqual(global.getWeights()[4]?.shape, [32, 64]);
    // the thesis network and its seeded initial weights do not change with the new option's default
    const thesis = buildCnn({}, 7);
    const flatten = buildCnn({ timePooling: "flatten" }, 7);
    assert.deepEqual(shapes(thesis)[4], [800]);
    thesis.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), flatten.getWeights()[i]?.dataSync()));
    // and the global-max net's conv weights are the thesis's (same seeds, only the dense fan-in differs)
    assert.deepEqual(global.getWeights()[0]?.dataSync(), thesis.getWeights()[0]?.dataSync());
    // a click anywhere in the clip gives the same pooled features: the output is invariant to
    // shifting the clip by whole pool steps when the edges are silent
    const x = new Float32Array(100 * 40);
    for (let m = 0; m < 40; m++) x[m * 100 + 30] = 5;
    const shifted = new Float32Array(100 * 40);
    for (let m = 0; m < 40; m++) shifted[m * 100 + 70] = 5;
    const out = (clip: Float32Array) =>
      tf.tidy(() => global.predict(tf.tensor3d(toModelInput(clip, 1, 40, 100), [1, 100, 40])) as tf.Tensor).dataSync();
    const a = out(x);
    const b = out(shifted);
    a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] as number)) < 1e-5, `logit ${i}: ${v} vs ${b[i]}`));
    [global, thesis, flatten].forEach((m) => m.dispose());
  });
});

describe("cnnBackpropUnsupported", () => {
  test("accepts buildCnn's network and names what differs in another one", async () => {
    await selectBackend("wasm");
    const ours = buildCnn();
    assert.equal(cnnBackpropUnsupported(ours), null);
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    assert.match(cnnBackpropUnsupported(other) ?? "", /layers are Dense/);
    ours.dispose();
    other.dispose();
  });
});
