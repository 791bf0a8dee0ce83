/**
 * Micro-batch accumulation (src/model/microBatches.ts): the ranges cover a step's rows once, rows
 * are gathered in the model's layout, the sum is the same bits whatever order micro-batches
 * arrive in, and the tape (autodiff) and explicit backward passes give the same summed gradients.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../src/model/backend";
import { cnnBackprop } from "../src/model/backprop";
import { buildCnn, toModelInput } from "../src/model/cnn";
import {
  explicitSummedGradients,
  gatherModelRows,
  type MicroBatchGradient,
  microBatchGradient,
  microBatchRanges,
  OrderedGradientSum,
  tapeSummedGradients,
} from "../src/model/microBatches";
import { syntheticMfccDataset } from "../src/model/synthetic";

before(async () => {
  await selectBackend("wasm");
});

describe("micro-batches", () => {
  test("cut a step into consecutive ranges of the given size, the last one shorter", () => {
    assert.deepEqual(microBatchRanges(10, 4), [
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    assert.deepEqual(microBatchRanges(8, 4), [
      [0, 4],
      [4, 8],
    ]);
    assert.deepEqual(microBatchRanges(3, 128), [[0, 3]]);
    assert.throws(() => microBatchRanges(3, 0), /positive integer/);
  });

  test("gather rows in the model's [frames][nMfcc] layout, as toModelInput does", () => {
    const data = syntheticMfccDataset(5, { seed: 1, frames: 12 });
    const all = toModelInput(data.x, 5, 40, 12);
    const out = new Float32Array(2 * 480);
    gatherModelRows(data.x, 40, 12, [3, 1], out);
    assert.deepEqual(out.subarray(0, 480), all.subarray(3 * 480, 4 * 480));
    assert.deepEqual(out.subarray(480), all.subarray(480, 960));
  });

  test("sum to the same bits whether the micro-batches arrive in order or not", () => {
    const part = (seed: number, rows: number): MicroBatchGradient => {
      const grad = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(seed * 1000 + i) * 10 ** ((i % 7) - 3));
      return { grad, lossSum: seed * 0.1, correct: seed, rows };
    };
    const parts = [part(1, 4), part(2, 4), part(3, 4), part(4, 2)];
    const inOrder = new OrderedGradientSum(1000);
    parts.forEach((p, k) => inOrder.add(k, p));
    const shuffled = new OrderedGradientSum(1000);
    for (const k of [2, 0, 3, 1]) shuffled.add(k, parts[k] as MicroBatchGradient);
    const [a, b] = [inOrder.mean(4), shuffled.mean(4)];
    assert.deepEqual(Buffer.from(b.grad.buffer), Buffer.from(a.grad.buffer));
    assert.equal(b.loss, a.loss);
    assert.equal(a.correct, 10);
    assert.throws(() => inOrder.add(1, part(9, 4)), /added twice/);
    assert.throws(() => new OrderedGradientSum(1000).mean(1), /0 of 1/);
  });

  test("give the same summed gradients with the tape and the explicit backward pass, to 1e-4", () => {
    const data = syntheticMfccDataset(6, { seed: 2, separation: 1 });
    const model = buildCnn({}, 3);
    const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const buffer = new Float32Array(6 * 4000);
    const rows = Int32Array.from({ length: 6 }, (_, i) => i);
    const explicit = microBatchGradient(
      explicitSummedGradients(cnnBackprop(model)),
      data.x,
      40,
      100,
      rows,
      data.y,
      buffer,
    );
    const tape = microBatchGradient(tapeSummedGradients(model, variables), data.x, 40, 100, rows, data.y, buffer);
    assert.ok(
      Math.abs(tape.lossSum - explicit.lossSum) <= 1e-5 * explicit.lossSum,
      `loss sum ${tape.lossSum} vs ${explicit.lossSum}`,
    );
    assert.equal(tape.correct, explicit.correct);
    const scale = explicit.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = tape.grad.reduce((m, v, i) => Math.max(m, Math.abs(v - (explicit.grad[i] as number))), 0);
    assert.ok(worst <= 1e-4 * scale, `worst gradient difference ${worst} (largest gradient ${scale})`);
    model.dispose();
  });
});
