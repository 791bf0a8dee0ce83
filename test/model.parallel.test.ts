/**
 * Data-parallel training (src/model/dataParallel.ts, trainWorker.ts) on the wasm backend: the
 * workers' summed gradient equals one thread's, runs are bit-identical for a given worker count,
 * training learns, validation and early stopping still work, and no worker outlives training.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ConfigError } from "../src/errors";
import { FlatAdam } from "../src/model/adam";
import { selectBackend } from "../src/model/backend";
import { cnnBackprop } from "../src/model/backprop";
import { buildCnn, THESIS_CNN, toModelInput } from "../src/model/cnn";
import { GradientWorkers, liveTrainWorkers, resolveTrainWorkers } from "../src/model/dataParallel";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { MINIBATCH_TRAINING, THESIS_TRAINING, trainCnn } from "../src/model/train";

before(async () => {
  await selectBackend("wasm");
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
}

/** Largest |a − b| relative to the largest |b|, per variable's slice of a flat vector. */
function worstRelativeError(a: Float32Array, b: Float32Array, sizes: number[]): number {
  let worst = 0;
  let at = 0;
  for (const size of sizes) {
    let scale = 1e-12;
    for (let i = at; i < at + size; i++) scale = Math.max(scale, Math.abs(b[i] as number));
    for (let i = at; i < at + size; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / scale);
    at += size;
  }
  return worst;
}

describe("GradientWorkers", () => {
  test("sum to one thread's mean gradient of a step within 1e-5, full batch and a mini-batch", async () => {
    const count = 37; // odd: the two shards differ in size
    const data = syntheticMfccDataset(count, { seed: 11, separation: 1 });
    const xModel = toModelInput(data.x, count, 40, 100);
    const model = buildCnn({}, 12);
    const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const adam = new FlatAdam(variables);
    const sizes = variables.map((v) => v.size);
    const trainIdx = Array.from({ length: count }, (_, i) => i);
    const pool = await GradientWorkers.start(2, { backend: "wasm", cnn: { ...THESIS_CNN }, paramCount: adam.size, xModel, labels: data.y, trainIdx });
    try {
      const oneThread = (clips: number[]): { grad: Float32Array; loss: number; correct: number } => {
        const x = tf.tensor3d(Float32Array.from(clips.flatMap((c) => Array.from(xModel.subarray(c * 4000, (c + 1) * 4000)))), [clips.length, 100, 40]);
        const r = cnnBackprop(model)(x, clips.map((c) => data.y[c] as number));
        const flat = tf.concat(r.grads.map((g) => tf.reshape(g, [-1])));
        const grad = (flat.dataSync() as Float32Array).slice();
        tf.dispose([x, flat, ...r.grads]);
        return { grad, loss: r.loss, correct: r.correct };
      };
      const batch = [30, 3, 4, 17, 8, 21, 36, 0, 1]; // a shuffled mini-batch of training positions
      for (const positions of [null, batch]) {
        const want = oneThread(positions ?? trainIdx);
        const got = await pool.gradients(adam.parameters(), positions);
        const what = positions === null ? "full batch" : "mini-batch";
        assert.ok(Math.abs(got.loss - want.loss) <= 1e-6 * want.loss, `${what}: loss ${got.loss} vs ${want.loss}`);
        assert.equal(got.correct, want.correct, what);
        const err = worstRelativeError(got.grad, want.grad, sizes);
        assert.ok(err <= 1e-5, `${what}: worst relative gradient error ${err}`);
      }
    } finally {
      await pool.close();
      adam.dispose();
      model.dispose();
    }
  });
});

describe("trainCnn with workers", () => {
  test("gives bit-identical weights and losses in two runs with 2 workers and the same seed", async () => {
    const data = syntheticMfccDataset(48, { seed: 4 });
    const options = { batchSize: 16, epochs: 2, shuffle: true, validationSplit: 0.25, seed: 5, workers: 2 };
    const a = await trainCnn(data.x, data.y, data.shape, options);
    const b = await trainCnn(data.x, data.y, data.shape, options);
    assert.equal(a.history.workers, 2);
    const [wa, wb] = [weightsOf(a.model), weightsOf(b.model)];
    wa.forEach((w, i) => assert.deepEqual(w, wb[i], `weight ${i} differs between two runs with 2 workers`));
    assert.deepEqual(a.history.loss, b.history.loss);
    assert.deepEqual(a.history.valLoss, b.history.valLoss);
    [a, b].forEach((r) => r.model.dispose());
  });

  test("learns full-batch with 2 workers as one thread does, to 1e-3 in the loss", async () => {
    const data = syntheticMfccDataset(64, { seed: 3, separation: 1.5 });
    const options = { ...THESIS_TRAINING, epochs: 30 };
    const one = await trainCnn(data.x, data.y, data.shape, { ...options, workers: 1 });
    const two = await trainCnn(data.x, data.y, data.shape, { ...options, workers: 2 });
    assert.equal(one.history.workers, 1);
    assert.equal(two.history.workers, 2);
    const [l1, l2] = [one.history.loss, two.history.loss];
    assert.ok((l2[29] as number) < 0.5 * (l2[0] as number), `loss ${l2[0]} -> ${l2[29]}`);
    assert.ok((two.history.accuracy[29] as number) >= 0.95, `final training accuracy ${two.history.accuracy[29]}`);
    l1.forEach((loss, i) => assert.ok(Math.abs(loss - (l2[i] as number)) < 1e-3, `epoch ${i + 1}: loss ${l2[i]} with 2 workers vs ${loss} with 1`));
    [one, two].forEach((r) => r.model.dispose());
  });

  test("stops early on validation loss with 2 workers, and the workers are gone afterwards", async () => {
    const data = syntheticMfccDataset(64, { seed: 7, separation: 0 });
    const tensorsBefore = tf.memory().numTensors;
    const { model, history } = await trainCnn(data.x, data.y, data.shape, {
      ...MINIBATCH_TRAINING, batchSize: 8, epochs: 40, learningRate: 0.01, earlyStoppingPatience: 2, seed: 8, workers: 2,
    });
    const val = history.valLoss as number[];
    assert.equal(history.stoppedEarly, true);
    assert.equal(history.weightsFromEpoch, val.indexOf(Math.min(...val)) + 1);
    assert.equal(tf.memory().numTensors, tensorsBefore + model.weights.length);
    assert.equal(liveTrainWorkers(), 0);
    model.dispose();
  });

  test("terminates its workers when training throws", async () => {
    const data = syntheticMfccDataset(32, { seed: 9 });
    let runningWhenThrown = 0;
    const failing = trainCnn(data.x, data.y, data.shape, { epochs: 3, reportEvery: 1, workers: 2 }, () => {
      runningWhenThrown = liveTrainWorkers();
      throw new Error("stop here");
    });
    await assert.rejects(failing, /stop here/);
    assert.equal(runningWhenThrown, 2);
    assert.equal(liveTrainWorkers(), 0);
  });

  test("rejects 0 workers with a ConfigError naming the setting", async () => {
    const data = syntheticMfccDataset(4, { seed: 9 });
    await assert.rejects(trainCnn(data.x, data.y, data.shape, { workers: 0 }), (err: unknown) => err instanceof ConfigError && /workers/.test(err.message));
  });
});

describe("resolveTrainWorkers", () => {
  const big = { backend: "wasm", explicitGradients: true, trainCount: 1488, batch: 1488, epochs: 50 };

  test("uses one worker per core, at most 4, for a full-batch wasm run of the thesis's size", () => {
    assert.equal(resolveTrainWorkers(null, big, 2), 2);
    assert.equal(resolveTrainWorkers(null, big, 16), 4);
    assert.equal(resolveTrainWorkers(null, big, 1), 1);
  });

  test("stays on one thread for tiny runs, small mini-batches, tfjs-node and tape gradients", () => {
    assert.equal(resolveTrainWorkers(null, { ...big, trainCount: 40, batch: 40, epochs: 3 }, 2), 1);
    assert.equal(resolveTrainWorkers(null, { ...big, batch: 32 }, 2), 1);
    assert.equal(resolveTrainWorkers(null, { ...big, backend: "tensorflow" }, 2), 1);
    assert.equal(resolveTrainWorkers(3, { ...big, explicitGradients: false }, 2), 1);
  });

  test("honours an explicit count, capped at one worker per training clip", () => {
    assert.equal(resolveTrainWorkers(3, big, 2), 3);
    assert.equal(resolveTrainWorkers(8, { ...big, trainCount: 5, batch: 5 }, 2), 5);
  });
});
