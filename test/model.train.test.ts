/**
 * Training the CNN (src/model/train.ts) on the wasm backend: it learns, it is deterministic under
 * a seed, the thesis preset reports every 10 epochs, early stopping restores the best epoch.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ConfigError } from "../src/errors";
import { FlatAdam } from "../src/model/adam";
import { selectBackend } from "../src/model/backend";
import { buildCnn, flattenIndexFromTorch, THESIS_CNN, toModelInput } from "../src/model/cnn";
import { lossAndAccuracy, predictLogitsModelLayout, predictProbabilities } from "../src/model/predict";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { type EpochLog, MINIBATCH_TRAINING, THESIS_TRAINING, trainCnn } from "../src/model/train";
import { SeededRandom } from "../src/util/random";

before(async () => {
  await selectBackend("wasm");
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
}

describe("trainCnn", () => {
  test("learns a separable synthetic dataset with mini-batches: loss drops and accuracy is high", async () => {
    const data = syntheticMfccDataset(128, { seed: 1, separation: 2 });
    const { model, history } = await trainCnn(data.x, data.y, data.shape, {
      batchSize: 16,
      epochs: 8,
      shuffle: true,
      seed: 2,
    });
    assert.equal(history.backend, "wasm");
    assert.equal(history.loss.length, 8);
    assert.ok(
      (history.loss[7] as number) < 0.5 * (history.loss[0] as number),
      `loss ${history.loss[0]} -> ${history.loss[7]}`,
    );
    assert.ok((history.accuracy[7] as number) >= 0.95, `final training accuracy ${history.accuracy[7]}`);
    const fresh = syntheticMfccDataset(64, { seed: 99, separation: 2 });
    const probs = predictProbabilities(model, fresh.x, 64);
    let correct = 0;
    for (let i = 0; i < 64; i++) if (((probs[2 * i + 1] as number) > 0.5 ? 1 : 0) === fresh.y[i]) correct++;
    assert.ok(correct / 64 >= 0.9, `accuracy on unseen clips ${correct / 64}`);
    model.dispose();
  });

  test("learns full-batch with the thesis preset and reports the loss every 10 epochs", async () => {
    const data = syntheticMfccDataset(64, { seed: 3, separation: 1.5 });
    const logs: EpochLog[] = [];
    const { model, history } = await trainCnn(data.x, data.y, data.shape, { ...THESIS_TRAINING, epochs: 30 }, (log) =>
      logs.push(log),
    );
    assert.deepEqual(
      logs.map((l) => l.epoch),
      [10, 20, 30],
    );
    assert.equal(logs[2]?.loss, history.loss[29]);
    assert.ok(
      (history.loss[29] as number) < 0.5 * (history.loss[0] as number),
      `loss ${history.loss[0]} -> ${history.loss[29]}`,
    );
    assert.equal(history.valLoss, undefined);
    assert.equal(history.trainCount, 64);
    model.dispose();
  });

  test("gives bit-identical weights for the same seed, and different ones for another seed", async () => {
    const data = syntheticMfccDataset(48, { seed: 4 });
    const options = { batchSize: 16, epochs: 2, shuffle: true, validationSplit: 0.25, seed: 5 };
    const a = await trainCnn(data.x, data.y, data.shape, options);
    const b = await trainCnn(data.x, data.y, data.shape, options);
    const c = await trainCnn(data.x, data.y, data.shape, { ...options, seed: 6 });
    const [wa, wb, wc] = [weightsOf(a.model), weightsOf(b.model), weightsOf(c.model)];
    wa.forEach((w, i) => assert.deepEqual(w, wb[i], `weight ${i} differs between two runs with the same seed`));
    assert.deepEqual(a.history.loss, b.history.loss);
    assert.notDeepEqual(wa[0], wc[0]);
    [a, b, c].forEach((r) => r.model.dispose());
  });

  test("stops early on a rising validation loss and restores the best epoch's weights", async () => {
    // labels carry no signal, so the model can only overfit and validation loss soon rises
    const data = syntheticMfccDataset(64, { seed: 7, separation: 0 });
    const { model, history } = await trainCnn(data.x, data.y, data.shape, {
      ...MINIBATCH_TRAINING,
      batchSize: 8,
      epochs: 40,
      learningRate: 0.01,
      earlyStoppingPatience: 2,
      seed: 8,
    });
    const val = history.valLoss as number[];
    assert.equal(history.stoppedEarly, true);
    assert.ok(val.length < 40);
    const bestEpoch = val.indexOf(Math.min(...val)) + 1;
    assert.equal(history.weightsFromEpoch, bestEpoch);
    assert.equal(val.length, bestEpoch + 2, "stops after `patience` epochs without improvement");
    // the held-out clips are the ones the seeded split chose; recompute the loss on them
    const valIdx = heldOutIndices(64, MINIBATCH_TRAINING.validationSplit, 8);
    const per = 40 * 100;
    const xModel = toModelInput(data.x, 64, 40, 100);
    const valX = new Float32Array(valIdx.length * per);
    valIdx.forEach((clip, k) => valX.set(xModel.subarray(clip * per, (clip + 1) * per), k * per));
    const { loss } = lossAndAccuracy(
      predictLogitsModelLayout(model, valX, valIdx.length),
      valIdx.map((i) => data.y[i] as number),
      2,
    );
    assert.ok(
      Math.abs(loss - (val[bestEpoch - 1] as number)) < 1e-5,
      `restored model's validation loss ${loss} vs best ${val[bestEpoch - 1]}`,
    );
    model.dispose();
  });

  test("leaves no tensors behind but the trained model's weights", async () => {
    const data = syntheticMfccDataset(40, { seed: 10 });
    const before = tf.memory().numTensors;
    for (const options of [
      { batchSize: 16 as const, validationSplit: 0.25, earlyStoppingPatience: 1, restoreBestWeights: true },
      { batchSize: "full" as const },
      { batchSize: 8, gradients: "tape" as const },
    ]) {
      const { model } = await trainCnn(data.x, data.y, data.shape, { epochs: 3, ...options });
      assert.equal(tf.memory().numTensors, before + model.weights.length, JSON.stringify(options));
      model.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });

  test("rejects a batch size of 0 with a ConfigError naming the setting", async () => {
    const data = syntheticMfccDataset(4, { seed: 9 });
    await assert.rejects(
      trainCnn(data.x, data.y, data.shape, { batchSize: 0 }),
      (err: unknown) => err instanceof ConfigError && /batchSize/.test(err.message),
    );
  });

  test("rejects a label outside the classes", async () => {
    const data = syntheticMfccDataset(4, { seed: 9 });
    data.y[2] = 5;
    await assert.rejects(trainCnn(data.x, data.y, data.shape, { epochs: 1 }), /label 5 of clip 2/);
  });
});

/** Same split as trainCnn: SeededRandom(seed ^ 0x5eed) shuffles 0..count-1; the first part validates. */
function heldOutIndices(count: number, split: number, seed: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  new SeededRandom(seed ^ 0x5eed).shuffle(all);
  return all.slice(0, Math.max(1, Math.round(count * split))).sort((a, b) => a - b);
}

describe("FlatAdam", () => {
  test("updates weights as tf.train.adam does with the same hyper-parameters", () => {
    const init = [0.5, -1, 2, 0.25];
    const grads = [
      [0.1, -0.2, 0.3, 0],
      [1, 1, -1, 0.5],
      [-0.3, 0.2, 0.1, 0.05],
    ];
    const mine = tf.variable(tf.tensor1d(init));
    const theirs = tf.variable(tf.tensor1d(init));
    const adam = new FlatAdam([mine], { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      adam.step([gt]);
      reference.applyGradients([{ name: theirs.name, tensor: gt }]);
      gt.dispose();
    }
    const a = mine.dataSync();
    const b = theirs.dataSync();
    for (let i = 0; i < init.length; i++)
      assert.ok(Math.abs((a[i] as number) - (b[i] as number)) < 1e-6, `weight ${i}: ${a[i]} vs ${b[i]}`);
    assert.notDeepEqual(Array.from(a), init);
    tf.dispose([mine, theirs]);
    reference.dispose();
  });
});

describe("CNN layout", () => {
  test("has the thesis's layers and 54 898 parameters", () => {
    const model = buildCnn();
    assert.deepEqual(model.inputs[0]?.shape, [null, 100, 40]);
    assert.deepEqual(model.outputs[0]?.shape, [null, 2]);
    // conv1 40*3*16+16, conv2 16*3*32+32, dense 800*64+64, logits 64*2+2
    assert.equal(model.countParams(), 1936 + 1568 + 51264 + 130);
    model.dispose();
  });

  test("initialises every weight and bias within PyTorch's ±1/√fanIn", () => {
    const model = buildCnn({}, 1);
    const fanIns = [120, 120, 48, 48, 800, 800, 64, 64];
    weightsOf(model).forEach((w, i) => {
      const bound = 1 / Math.sqrt(fanIns[i] as number);
      const max = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(max <= bound, `weight ${i}: max |w| ${max} exceeds ${bound}`);
      // with hundreds of uniform draws the largest comes close to the bound
      if (w.length >= 100) assert.ok(max > 0.9 * bound, `weight ${i}: max |w| ${max} is far below ${bound}`);
    });
    model.dispose();
  });

  test("transposes [count][nMfcc][frames] clips to the model's [count][frames][nMfcc]", () => {
    // 2 clips, 2 coefficients, 3 frames: value = clip*100 + coefficient*10 + frame
    const x = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    assert.deepEqual(Array.from(toModelInput(x, 2, 2, 3)), [0, 10, 1, 11, 2, 12, 100, 110, 101, 111, 102, 112]);
  });

  test("maps PyTorch's channel-major flatten index to ours", () => {
    // PyTorch index c*25 + t; ours t*32 + c
    assert.equal(flattenIndexFromTorch(0), 0);
    assert.equal(flattenIndexFromTorch(1), 32); // c=0, t=1
    assert.equal(flattenIndexFromTorch(25), 1); // c=1, t=0
    assert.equal(flattenIndexFromTorch(31 * 25 + 24, THESIS_CNN), 24 * 32 + 31);
  });
});
