/**
 * Explicit backpropagation (src/model/backprop.ts) against tfjs's autodiff through the tf.layers
 * model, on the wasm backend (our kernels) and on the cpu backend (stock kernels).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../src/model/backend";
import { cnnBackprop, cnnBackpropUnsupported } from "../src/model/backprop";
import { buildCnn, toModelInput } from "../src/model/cnn";
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
    for (const [batch, frames, seed] of [
      [5, 100, 1],
      [1, 20, 2],
      [3, 12, 3],
    ] as const) {
      test(`matches tfjs autodiff's loss and all 8 gradients for ${batch} clip(s) of [40][${frames}]`, async () => {
        if (backend === "wasm") await selectBackend("wasm");
        else await tf.setBackend("cpu");
        const data = syntheticMfccDataset(batch, { seed, frames, separation: 1 });
        const model = buildCnn({ frames }, seed);
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
