/**
 * Data-parallel training (src/model/dataParallel.ts, trainWorker.ts, microBatches.ts) on the wasm
 * backend: the workers' micro-batch sums equal one thread's bit for bit, 1 and 3 workers train
 * byte-identical weights, training learns, validation and early stopping still work, and no
 * worker outlives training.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ConfigError } from "../src/errors";
import { FlatAdam } from "../src/model/adam";
import { selectBackend } from "../src/model/backend";
import { cnnBackprop } from "../src/model/backprop";
import { buildCnn, THESIS_CNN } from "../src/model/cnn";
import { GradientWorkers, liveTrainWorkers, resolveTrainWorkers } from "../src/model/dataParallel";
import {
  explicitSummedGradients,
  microBatchGradient,
  microBatchRanges,
  OrderedGradientSum,
} from "../src/model/microBatches";
import { saveCnn } from "../src/model/save";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { MINIBATCH_TRAINING, THESIS_TRAINING, trainCnn, type TrainOptions } from "../src/model/train";

before(async () => {
  await selectBackend("wasm");
});

/** The bytes of the weights.bin that saveCnn writes for `model`. */
async function weightsBin(model: tf.LayersModel): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "soundcheck-workers-"));
  try {
    await saveCnn(model, dir, { classNames: ["normal", "broken"] });
    return readFileSync(join(dir, "weights.bin"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("GradientWorkers", () => {
  test("return one thread's micro-batch sum bit for bit, full and mini-batch, with and without this thread", async () => {
    const count = 37; // not a multiple of the micro-batch: the last one is shorter
    const microBatch = 8;
    const data = syntheticMfccDataset(count, { seed: 11, separation: 1 });
    const model = buildCnn({}, 12);
    const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const adam = new FlatAdam(variables);
    const gradients = explicitSummedGradients(cnnBackprop(model));
    const pool = await GradientWorkers.start(3, {
      backend: "wasm",
      cnn: { ...THESIS_CNN },
      paramCount: adam.size,
      x: data.x,
    });
    // 3 threads again, this one computing too (its model holds the parameters passed in)
    const withMain = await GradientWorkers.start(3, {
      backend: "wasm",
      cnn: { ...THESIS_CNN },
      paramCount: adam.size,
      x: data.x,
      mainThread: gradients,
    });
    try {
      assert.deepEqual([pool.size, withMain.size, liveTrainWorkers()], [3, 3, 5]);
      const oneThread = (rows: Int32Array): { grad: Float32Array; loss: number; correct: number } => {
        const ranges = microBatchRanges(rows.length, microBatch);
        const sum = new OrderedGradientSum(adam.size);
        const buffer = new Float32Array(microBatch * 4000);
        ranges.forEach(([from, to], k) => {
          const part = rows.subarray(from, to);
          sum.add(
            k,
            microBatchGradient(
              gradients,
              data.x,
              40,
              100,
              part,
              Int32Array.from(part, (r) => data.y[r] as number),
              buffer,
            ),
          );
        });
        return sum.mean(ranges.length);
      };
      const all = Int32Array.from({ length: count }, (_, i) => i);
      const shuffled = Int32Array.from([30, 3, 4, 17, 8, 21, 36, 0, 1, 12, 33, 5, 9, 27, 14, 2, 19, 22]);
      for (const [rows, threads] of [all, shuffled].flatMap((r) => [pool, withMain].map((p) => [r, p] as const))) {
        const want = oneThread(rows);
        const got = await threads.gradients(adam.parameters(), rows, data.y, microBatch);
        const what = `${rows === all ? "full batch" : "mini-batch"}${threads === withMain ? ", this thread too" : ""}`;
        assert.equal(got.loss, want.loss, what);
        assert.equal(got.correct, want.correct, what);
        assert.deepEqual(Buffer.from(got.grad.buffer), Buffer.from(want.grad.buffer), `${what}: gradients differ`);
        assert.ok(
          want.grad.some((g) => g !== 0),
          `${what}: the gradient is not all zeros`,
        );
      }
    } finally {
      await pool.close();
      await withMain.close();
      adam.dispose();
      model.dispose();
    }
  });
});

describe("trainCnn with workers", () => {
  for (const [what, options] of [
    ["full batch (thesis)", { ...THESIS_TRAINING, epochs: 3 }],
    // 40 training clips: steps of 18, 18 and 4 rows, the last one a single micro-batch
    [
      "shuffled mini-batches of 18 with validation",
      { ...MINIBATCH_TRAINING, batchSize: 18, epochs: 3, earlyStoppingPatience: null },
    ],
  ] as Array<[string, Partial<TrainOptions>]>) {
    test(`trains byte-identical weights and losses with 1 and 3 workers: ${what}`, async () => {
      const data = syntheticMfccDataset(50, { seed: 4, separation: 1 });
      const common = { ...options, microBatch: 6, seed: 5 };
      const one = await trainCnn(data.x, data.y, data.shape, { ...common, workers: 1 });
      const three = await trainCnn(data.x, data.y, data.shape, { ...common, workers: 3 });
      assert.equal(one.history.workers, 1);
      assert.equal(three.history.workers, 3);
      const [binOne, binThree] = [await weightsBin(one.model), await weightsBin(three.model)];
      assert.equal(binOne.length, 54898 * 4);
      assert.ok(binOne.equals(binThree), "weights.bin differs between 1 and 3 workers");
      assert.deepEqual(three.history.loss, one.history.loss);
      assert.deepEqual(three.history.valLoss, one.history.valLoss);
      assert.notDeepEqual(one.history.loss[0], one.history.loss[2], "training changed nothing");
      [one, three].forEach((r) => r.model.dispose());
    });
  }

  test("learns full-batch with 2 workers", async () => {
    const data = syntheticMfccDataset(64, { seed: 3, separation: 1.5 });
    const two = await trainCnn(data.x, data.y, data.shape, {
      ...THESIS_TRAINING,
      epochs: 30,
      microBatch: 16,
      workers: 2,
    });
    assert.equal(two.history.workers, 2);
    const l2 = two.history.loss;
    assert.ok((l2[29] as number) < 0.5 * (l2[0] as number), `loss ${l2[0]} -> ${l2[29]}`);
    assert.ok((two.history.accuracy[29] as number) >= 0.95, `final training accuracy ${two.history.accuracy[29]}`);
    two.model.dispose();
  });

  test("stops early on validation loss with 2 workers, and the workers are gone afterwards", async () => {
    const data = syntheticMfccDataset(64, { seed: 7, separation: 0 });
    const tensorsBefore = tf.memory().numTensors;
    const { model, history } = await trainCnn(data.x, data.y, data.shape, {
      ...MINIBATCH_TRAINING,
      batchSize: 8,
      microBatch: 4,
      epochs: 40,
      learningRate: 0.01,
      earlyStoppingPatience: 2,
      seed: 8,
      workers: 2,
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
    const failing = trainCnn(
      data.x,
      data.y,
      data.shape,
      { epochs: 3, reportEvery: 1, microBatch: 8, workers: 2 },
      () => {
        runningWhenThrown = liveTrainWorkers();
        throw new Error("stop here");
      },
    );
    await assert.rejects(failing, /stop here/);
    // 2 threads: this one and one worker
    assert.equal(runningWhenThrown, 1);
    assert.equal(liveTrainWorkers(), 0);
  });

  test("rejects 0 workers with a ConfigError naming the setting", async () => {
    const data = syntheticMfccDataset(4, { seed: 9 });
    await assert.rejects(
      trainCnn(data.x, data.y, data.shape, { workers: 0 }),
      (err: unknown) => err instanceof ConfigError && /workers/.test(err.message),
    );
  });
});

describe("resolveTrainWorkers", () => {
  const big = { backend: "wasm", explicitGradients: true, trainCount: 1488, batch: 1488, microBatch: 256, epochs: 50 };

  test("uses one worker per core, at most 4, for a full-batch wasm run of the thesis's size", () => {
    assert.equal(resolveTrainWorkers(null, big, 2), 2);
    assert.equal(resolveTrainWorkers(null, big, 16), 4);
    assert.equal(resolveTrainWorkers(null, big, 1), 1);
  });

  test("stays on one thread for tiny runs, one-micro-batch steps, tfjs-node and tape gradients", () => {
    assert.equal(resolveTrainWorkers(null, { ...big, trainCount: 40, batch: 40, epochs: 3 }, 2), 1);
    assert.equal(resolveTrainWorkers(null, { ...big, batch: 32 }, 2), 1);
    assert.equal(resolveTrainWorkers(null, { ...big, backend: "tensorflow" }, 2), 1);
    assert.equal(resolveTrainWorkers(3, { ...big, explicitGradients: false }, 2), 1);
  });

  test("honours an explicit count, capped at one worker per micro-batch of a step", () => {
    assert.equal(resolveTrainWorkers(3, big, 2), 3);
    assert.equal(resolveTrainWorkers(8, big, 2), 6);
    assert.equal(resolveTrainWorkers(8, { ...big, batch: 32 }, 2), 1);
  });
});
