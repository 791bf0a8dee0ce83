/**
 * The CNN's input standardisation (src/model/standardise.ts): statistics from the training rows
 * only, stored with the model by the train stage, and applied the same way to a saved model as
 * to the one in memory (evaluate, unseen and predict load it through modelStore; the browser app
 * reads metadata.json with parseModelDescription).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseModelDescription } from "../src/browser/modelDescription";
import { mergeConfig, recommendedConfig, thesisConfig, validateConfig } from "../src/config/pipeline";
import { saveNpy } from "../src/data/npy";
import { selectBackend } from "../src/model/backend";
import { modelInputShape } from "../src/model/cnn";
import { predictProbabilities } from "../src/model/predict";
import { METADATA_JSON } from "../src/model/save";
import { fitInputStandardisation, parseInputStandardisation, standardiseInput } from "../src/model/standardise";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { loadTrainedModel } from "../src/pipeline/modelStore";
import { SPLIT_FILES, type FeatureSet } from "../src/pipeline/stages/split";
import {
  assembleTrainingData,
  standardiseTrainingData,
  trainConfiguredCnn,
  trainStage,
} from "../src/pipeline/stages/train";
import { silentReporter } from "../src/util/reporter";

function featureSet(count: number, seed: number, frames = 20): FeatureSet {
  const d = syntheticMfccDataset(count, { seed, frames, separation: 1 });
  return { x: d.x, y: Int32Array.from(d.y), shape: [count, 40, frames] };
}

describe("fitInputStandardisation", () => {
  test("mean and population std per coefficient over every frame of the given rows, each row once", () => {
    // 3 clips of [2 coefficients][2 frames]
    const x = Float32Array.from([1, 3, 10, 10, /* clip 1 */ 5, 7, 10, 10, /* clip 2 */ 100, 100, 100, 100]);
    const s = fitInputStandardisation(x, [1, 0, 1, 1], 2, 2);
    assert.deepEqual(s.mean, [4, 10]);
    assert.deepEqual(s.std, [Math.sqrt(5), 1]); // coefficient 1 is constant: std 1, shifted only
    const z = standardiseInput(x, 2, 2, s);
    assert.deepEqual(Array.from(z.subarray(0, 4)), [-3 / Math.sqrt(5), -1 / Math.sqrt(5), 0, 0].map(Math.fround));
    assert.throws(() => fitInputStandardisation(x, [3], 2, 2), /row 3 is not a clip/);
  });
});

describe("standardiseTrainingData", () => {
  test("statistics come from the training rows only: changing a validation row leaves them unchanged", () => {
    const train = featureSet(12, 1);
    const validation = featureSet(6, 2);
    const stats = (v: FeatureSet) => {
      const data = assembleTrainingData(train, v, "oversample", 42);
      return { data, s: standardiseTrainingData(data, "per-coefficient") };
    };
    const before = stats(validation);
    const changed = { ...validation, x: validation.x.slice() };
    changed.x.fill(1000, 0, 40 * 20); // the whole first validation clip
    const after = stats(changed);
    assert.deepEqual(after.s, before.s);
    // ...and the validation rows are standardised with the training statistics
    const valStart = 12 * 40 * 20;
    assert.equal(after.data.x[valStart], Math.fround((1000 - (after.s?.mean[0] ?? 0)) / (after.s?.std[0] ?? 1)));
    // changing a training row does change them
    const train2 = { ...train, x: train.x.slice() };
    train2.x[0] = 1000;
    const moved = standardiseTrainingData(assembleTrainingData(train2, validation, "none", 42), "per-coefficient");
    assert.notDeepEqual(moved?.mean, before.s?.mean);
  });

  test('"none" leaves the data alone; without validation rows the caller\'s features are not modified', () => {
    const train = featureSet(8, 3);
    const original = train.x.slice();
    const data = assembleTrainingData(train, null, "none", 42);
    assert.equal(standardiseTrainingData(data, "none"), null);
    assert.equal(data.x, train.x);
    const s = standardiseTrainingData(data, "per-coefficient");
    assert.notEqual(data.x, train.x);
    assert.deepEqual(train.x, original);
    assert.ok(data.x.buffer instanceof SharedArrayBuffer, "training workers read the standardised rows in place");
    assert.deepEqual(data.x, standardiseInput(original, 40, 20, s ?? { mean: [], std: [] }));
  });
});

describe("a standardised, globally max-pooled CNN saved by the train stage", () => {
  test("predicts from its folder exactly what it predicted in memory (metadata.json holds the statistics)", async () => {
    await selectBackend("wasm");
    const root = mkdtempSync(join(tmpdir(), "soundcheck-standardise-"));
    try {
      const processed = join(root, "processed_data");
      mkdirSync(processed);
      const train = featureSet(24, 4);
      const validation = featureSet(8, 5);
      const test = featureSet(10, 6);
      // shift the levels so standardising matters
      for (const set of [train, validation, test])
        for (let i = 0; i < set.x.length; i++) set.x[i] = set.x[i]! * 30 - 200;
      const write = (name: string, set: FeatureSet) =>
        saveNpy(join(processed, name), { dtype: "<f4", shape: set.shape, data: set.x });
      const labels = (name: string, set: FeatureSet) =>
        saveNpy(join(processed, name), {
          dtype: "<i8",
          shape: [set.y.length],
          data: BigInt64Array.from(set.y, BigInt),
        });
      write(SPLIT_FILES.xTrain, train);
      labels(SPLIT_FILES.yTrain, train);
      write(SPLIT_FILES.xVal, validation);
      labels(SPLIT_FILES.yVal, validation);
      const config = mergeConfig(recommendedConfig(root), {
        dataRoot: root,
        modelDir: join(root, "model"),
        workers: 1,
        features: { frames: 20 },
        train: { epochs: 4, inputStandardisation: "per-coefficient", timePooling: "global-max" },
        detectors: { models: [] },
      });
      validateConfig(config);
      await trainStage(config, silentReporter);
      // the same training again, in memory (training is deterministic under the seed)
      const trained = await trainConfiguredCnn(config, train, validation, silentReporter, false);
      assert.equal(trained.model.layers[4]?.outputShape[1], 32, "global max pooling: 32 features");
      const inMemory = predictProbabilities(trained.model, test.x, 10, trained.inputStandardisation);
      const saved = await loadTrainedModel(config.modelDir, [40, 20], "wasm");
      assert.deepEqual(saved.metadata.inputStandardisation, trained.inputStandardisation);
      assert.deepEqual(modelInputShape(saved.model), { frames: 20, nMfcc: 40 });
      assert.deepEqual(saved.predict(test.x, 10), inMemory);
      // without the statistics the same weights predict something else: they are not decoration
      assert.notDeepEqual(predictProbabilities(trained.model, test.x, 10), inMemory);
      // the statistics are the training rows' alone
      const expected = fitInputStandardisation(
        train.x,
        Array.from({ length: 24 }, (_, i) => i),
        40,
        20,
      );
      assert.deepEqual(trained.inputStandardisation, expected);
      // the browser app reads the same statistics from metadata.json
      const text = readFileSync(join(config.modelDir, METADATA_JSON), "utf8");
      assert.deepEqual(parseModelDescription(text, "metadata.json").inputStandardisation, expected);
      trained.model.dispose();
      saved.model.dispose();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("models without the field load with none, and a malformed one is a clear error", () => {
    assert.equal(parseInputStandardisation(undefined, "m.json"), null);
    assert.throws(() => parseInputStandardisation({ mean: [0, 1], std: [1] }, "m.json"), /m\.json.*equal length/s);
    assert.throws(() => parseInputStandardisation({ mean: [0], std: [0] }, "m.json"), /<= 0/);
  });

  test("the thesis preset keeps the thesis network and raw features; bad values are rejected", () => {
    const t = thesisConfig("/x").train;
    assert.equal(t.timePooling, "flatten");
    assert.equal(t.inputStandardisation, "none");
    const bad = mergeConfig(thesisConfig("/x"), { train: { timePooling: "global" as "global-max" } });
    assert.throws(() => validateConfig(bad), /train\.timePooling/);
  });
});
