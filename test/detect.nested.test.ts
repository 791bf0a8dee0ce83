import { test } from "node:test";
import assert from "node:assert/strict";
import { candidateName, nestedCrossValidate, type DetectorCandidate } from "../src/pipeline/detect";
import { RepresentationCache } from "../src/pipeline/detect/windowFeatures";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";
import { SeededRandom } from "../src/util/random";

// 12 recordings per class, 1 s of the same noise level; broken ones carry three short loud clicks.
// Mean levels barely differ, peak levels do: pooling by max must win the inner choice.
const rate = DEFAULT_FEATURE_CONFIG.sampleRateHz;
const rng = new SeededRandom(7);
const recordings = Array.from({ length: 24 }, (_, i) => {
  const label = (i < 12 ? 0 : 1) as 0 | 1;
  const samples = Float32Array.from({ length: rate }, () => 0.05 * (rng.next() * 2 - 1));
  if (label === 1)
    for (const at of [0.2, 0.5, 0.8])
      for (let k = 0; k < 64; k++) samples[Math.floor(at * rate) + k] = 0.6 * Math.sin(k * 1.3);
  return { id: `rec_${String(i).padStart(2, "0")}`, label, samples };
});
const logmel = { kind: "logmel" as const, nMels: 32, nMfcc: 20, deltas: 0 as const, window: "recording" as const };
const candidates: DetectorCandidate[] = [
  { representation: logmel, pooling: { statistics: ["p10"] }, model: "logistic-regression" },
  { representation: logmel, pooling: { statistics: ["max"] }, model: "logistic-regression" },
];

test("nested CV chooses a candidate on the outer training recordings only and reports the outer folds", async () => {
  const options = {
    aggregation: { method: "mean" as const, k: 1 },
    validationFraction: 0.25,
    maxFpr: 0.1,
    classNames: ["normal", "broken"],
  };
  const settings = {
    features: DEFAULT_FEATURE_CONFIG,
    chunkSeconds: 3,
    detectorOptions: { knnNeighbours: 3, l2: 1 },
    folds: 3,
    repeats: 1,
    seed: 1,
    innerFolds: 2,
  };
  const result = await nestedCrossValidate(
    recordings,
    new RepresentationCache(recordings),
    candidates,
    settings,
    options,
  );
  assert.equal(result.folds.length, 3);
  const max = candidateName(candidates[1]!, 3);
  assert.equal(max, "logistic-regression on logmel32 max");
  assert.deepEqual(result.picks, [{ name: max, count: 3 }]);
  for (const f of result.folds) {
    assert.equal(f.metrics.rocAuc, 1);
    assert.ok(f.inner.rocAuc > 0.5, `inner ROC AUC ${f.inner.rocAuc}`);
  }
  assert.equal(result.summary.rocAuc.mean, 1);
});
