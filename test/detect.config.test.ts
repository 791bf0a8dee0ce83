import { test } from "node:test";
import assert from "node:assert/strict";
import {
  mergeConfig,
  recommendedConfig,
  thesisConfig,
  validateConfig,
  type PipelineConfig,
} from "../src/config/pipeline";
import { ConfigError } from "../src/errors";

const base = () => recommendedConfig("/tmp/project");

function rejects(change: (c: PipelineConfig) => void, subject: RegExp): void {
  const c = base();
  change(c);
  assert.throws(
    () => validateConfig(c),
    (e: unknown) => e instanceof ConfigError && subject.test(e.message),
    subject.source,
  );
}

test("both presets validate; the recommended one reads log-mel max per whole recording and reports per recording", () => {
  validateConfig(thesisConfig("/tmp/project"));
  const c = base();
  validateConfig(c);
  assert.deepEqual(c.representation, { kind: "logmel", nMels: 128, nMfcc: 40, deltas: 0, window: "recording" });
  assert.deepEqual(c.pooling.statistics, ["max"]);
  assert.equal(c.evaluate.recordingScore, "mean");
});

test("detector settings a user can get wrong are refused with the setting's name", () => {
  rejects((c) => (c.pooling.statistics = ["max", "median" as "max"]), /^pooling\.statistics/);
  rejects((c) => (c.pooling.statistics = ["p120"]), /^pooling\.statistics/);
  rejects((c) => (c.pooling.statistics = []), /^pooling\.statistics/);
  rejects((c) => (c.pooling.statistics = ["max", "max"]), /^pooling\.statistics/);
  rejects((c) => (c.detectors.models = ["svm" as "knn"]), /^detectors\.models/);
  rejects((c) => (c.detectors.knnNeighbours = 0), /^detectors\.knnNeighbours/);
  rejects((c) => (c.detectors.l2 = 0), /^detectors\.l2/);
  rejects((c) => (c.representation.kind = "cqt" as "mfcc"), /^representation\.kind/);
  rejects((c) => (c.representation.nMfcc = 200), /^representation\.nMfcc/);
  rejects((c) => (c.representation.deltas = 3 as 2), /^representation\.deltas/);
  rejects((c) => (c.representation.window = "frame" as "chunk"), /^representation\.window/);
  rejects((c) => (c.evaluate.recordingScore = "median" as "max"), /^evaluate\.recordingScore/);
  rejects((c) => (c.evaluate.recordingTopK = 0), /^evaluate\.recordingTopK/);
});

test("a JSON config overrides the detector sections one setting at a time", () => {
  const c = mergeConfig(base(), {
    representation: { kind: "mfcc", deltas: 1 },
    pooling: { statistics: ["mean", "std", "p90"] },
    detectors: { models: ["knn"] },
  });
  validateConfig(c);
  assert.deepEqual(c.representation, { kind: "mfcc", nMels: 128, nMfcc: 40, deltas: 1, window: "recording" });
  assert.deepEqual(c.detectors, { models: ["knn"], knnNeighbours: 5, l2: 1 });
  assert.throws(() => mergeConfig(base(), { detectors: { k: 3 } as never }), ConfigError);
});
