import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, ShapeError } from "../src/errors";
import { aggregateWindowScores, recordingScores } from "../src/evaluate/recordingScores";
import { createDetector, normalRows } from "../src/model/detectors/detector";
import { fitKnn, scoreKnn } from "../src/model/detectors/knn";
import { fitMahalanobis, ledoitWolf, scoreMahalanobis } from "../src/model/detectors/mahalanobis";
import { groupedStratifiedFolds } from "../src/data/split";
import { crossValidateDetector, domainTransfer, runDetector } from "../src/pipeline/detect/evaluateDetectors";
import type { PooledWindows } from "../src/pipeline/detect/windowFeatures";
import { SeededRandom } from "../src/util/random";

// ---- recording-level aggregation ----

test("a recording's score is the mean, the max or the mean of the top k of its windows' scores", () => {
  const s = [0.1, 0.9, 0.5, 0.3];
  assert.equal(aggregateWindowScores(s, { method: "mean", k: 2 }), 0.45);
  assert.equal(aggregateWindowScores(s, { method: "max", k: 2 }), 0.9);
  assert.equal(aggregateWindowScores(s, { method: "top-k", k: 2 }), 0.7);
  assert.equal(aggregateWindowScores([0.2], { method: "top-k", k: 3 }), 0.2, "fewer windows than k: all of them");
  assert.throws(() => aggregateWindowScores([], { method: "mean", k: 1 }), ShapeError);
  assert.throws(() => aggregateWindowScores([1], { method: "top-k", k: 0 }), ConfigError);
});

test("recordingScores groups windows by recording in order of first appearance and refuses mixed labels", () => {
  const r = recordingScores(["b", "a", "b", "a", "c"], [1, 0, 1, 0, 0], [0.2, 0.4, 0.6, 0.0, 0.7], {
    method: "max",
    k: 1,
  });
  assert.deepEqual(r.recordings, ["b", "a", "c"]);
  assert.deepEqual(Array.from(r.labels), [1, 0, 0]);
  assert.deepEqual(Array.from(r.scores), [0.6, 0.4, 0.7]);
  assert.deepEqual(Array.from(r.windows), [2, 2, 1]);
  assert.throws(() => recordingScores(["a", "a"], [0, 1], [0, 0], { method: "mean", k: 1 }), ShapeError);
});

// ---- normal-only detectors ----

test("kNN: mean distance to the k nearest normal vectors in the normal rows' standardised space", () => {
  // normals 0 and 2 (1-D): mean 1, sd 1 -> standardised -1 and 1
  const model = fitKnn([0, 2], 2, 1, 1);
  assert.deepEqual(Array.from(scoreKnn(model, [1, 5], 2)), [1, 3]); // z = 0 -> 1; z = 4 -> min(5, 3)
  const k2 = fitKnn([0, 2], 2, 1, 2);
  assert.deepEqual(Array.from(scoreKnn(k2, [5], 1)), [4]); // (5 + 3) / 2
  assert.equal(fitKnn([0, 2], 2, 1, 9).k, 2, "k is capped at the number of normal rows");
  assert.throws(() => fitKnn([0, 2], 2, 1, 0), ConfigError);
  assert.throws(() => scoreKnn(model, [1, 2], 1), ShapeError);
});

test("Ledoit-Wolf: no shrinkage for a diagonal sample covariance with equal variances, a convex mix otherwise", () => {
  // centred rows (±1, 0), (0, ±1): S = diag(0.5, 0.5) = mu I, so the target equals S (delta 0 -> beta 0 -> shrinkage 0)
  const iso = ledoitWolf(Float64Array.from([1, 0, -1, 0, 0, 1, 0, -1]), 4, 2);
  assert.equal(iso.shrinkage, 0);
  assert.deepEqual(Array.from(iso.covariance), [0.5, 0, 0, 0.5]);
  // strongly correlated 2-D rows: the shrunk covariance keeps the trace and lies between S and mu I
  const rng = new SeededRandom(3);
  const rows = 6;
  const x = new Float64Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    const a = rng.next() * 2 - 1;
    x[2 * i] = a;
    x[2 * i + 1] = a + 0.1 * (rng.next() - 0.5);
  }
  for (const j of [0, 1]) {
    let m = 0;
    for (let i = 0; i < rows; i++) m += x[2 * i + j]! / rows;
    for (let i = 0; i < rows; i++) x[2 * i + j] = x[2 * i + j]! - m;
  }
  const lw = ledoitWolf(x, rows, 2);
  assert.ok(lw.shrinkage > 0 && lw.shrinkage < 1, String(lw.shrinkage));
  let s01 = 0;
  let trace = 0;
  for (let i = 0; i < rows; i++) {
    s01 += (x[2 * i]! * x[2 * i + 1]!) / rows;
    trace += (x[2 * i]! ** 2 + x[2 * i + 1]! ** 2) / rows;
  }
  assert.ok(Math.abs(lw.covariance[1]! - (1 - lw.shrinkage) * s01) < 1e-15);
  assert.ok(Math.abs(lw.covariance[0]! + lw.covariance[3]! - trace) < 1e-12);
});

test("Mahalanobis: with an isotropic normal cloud the distance is the Euclidean distance in standardised units", () => {
  const normal = [1, 0, -1, 0, 0, 1, 0, -1]; // standardised: sd sqrt(0.5) per axis, covariance I after standardising
  const model = fitMahalanobis(normal, 4, 2);
  assert.equal(model.shrinkage, 0);
  const d = scoreMahalanobis(model, [0, 0, Math.SQRT1_2 * 3, 0, Math.SQRT1_2, Math.SQRT1_2], 3);
  assert.ok(Math.abs(d[0]!) < 1e-12);
  assert.ok(Math.abs(d[1]! - 3) < 1e-12);
  assert.ok(Math.abs(d[2]! - Math.SQRT2) < 1e-12);
  assert.throws(() => fitMahalanobis([1, 2], 1, 2), ShapeError);
});

test("normal-only detectors fit on the class-0 rows alone; their models do not change with the broken rows", () => {
  const data = { x: Float64Array.from([0, 2, 100, -50]), rows: 4, dims: 1 };
  assert.deepEqual(Array.from(normalRows(data, [0, 0, 1, 1]).x), [0, 2]);
  for (const name of ["knn", "mahalanobis"] as const) {
    const det = createDetector(name, { knnNeighbours: 1, l2: 1 });
    assert.equal(det.supervision, "normal-only");
    const a = det.fit(data, [0, 0, 1, 1]);
    const b = det.fit({ x: Float64Array.from([0, 2, 7, 7]), rows: 4, dims: 1 }, [0, 0, 1, 1]);
    assert.deepEqual(a, b);
  }
});

// ---- grouped CV of detectors ----

/** 16 recordings (8 per class), 2 windows each; broken ones are shifted in feature 0, domain alternates. */
function syntheticRecordings(): {
  pooled: PooledWindows;
  recordings: Array<{ id: string; label: 0 | 1; domain: "source" | "target" }>;
} {
  const rng = new SeededRandom(11);
  const recordings = Array.from({ length: 16 }, (_, i) => ({
    id: `rec_${String(i).padStart(2, "0")}`,
    label: (i < 8 ? 0 : 1) as 0 | 1,
    domain: (i % 2 === 0 ? "source" : "target") as "source" | "target",
  }));
  const dims = 3;
  const rows = 32;
  const x = new Float64Array(rows * dims);
  const owner = new Int32Array(rows);
  for (let w = 0; w < rows; w++) {
    const r = Math.floor(w / 2);
    owner[w] = r;
    for (let j = 0; j < dims; j++) x[w * dims + j] = rng.next() + (j === 0 && recordings[r]!.label === 1 ? 3 : 0);
  }
  return { pooled: { x, rows, dims, recordingOfWindow: owner, names: ["f0", "f1", "f2"] }, recordings };
}

const options = {
  aggregation: { method: "mean" as const, k: 1 },
  validationFraction: 0.25,
  maxFpr: 0.1,
  classNames: ["normal", "broken"],
};

test("detector CV uses the grouped stratified folds of the recording ids and separates a separable set perfectly", () => {
  const { pooled, recordings } = syntheticRecordings();
  for (const name of ["logistic-regression", "knn", "mahalanobis"] as const) {
    const folds = crossValidateDetector(
      createDetector(name, { knnNeighbours: 2, l2: 1 }),
      pooled,
      recordings,
      { folds: 4, repeats: 2, seed: 5 },
      options,
    );
    assert.equal(folds.length, 8);
    for (const f of folds) {
      assert.equal(f.recording.rocAuc, 1, `${name} fold ${f.repeat}/${f.fold}`);
      assert.equal(f.testWindows, 2 * f.testRecordings);
    }
    const expected = groupedStratifiedFolds(
      recordings.map((r) => r.id),
      recordings.map((r) => r.label),
      4,
      6,
    )[2]!;
    assert.deepEqual(folds[6]!.scores.recordings.slice().sort(), Array.from(expected, (i) => recordings[i]!.id).sort());
  }
});

test("runDetector chooses the threshold on validation recordings, never on test ones", () => {
  const { pooled, recordings } = syntheticRecordings();
  const det = createDetector("logistic-regression", { knnNeighbours: 1, l2: 1 });
  const sets = {
    train: Int32Array.from([0, 1, 2, 8, 9, 10]),
    validation: Int32Array.from([3, 4, 11, 12]),
    test: Int32Array.from([5, 6, 7, 13, 14, 15]),
  };
  const run = runDetector(det, pooled, recordings, sets, options);
  assert.match(run.threshold.source, /4 validation recordings/);
  // moving the test recordings' features does not move the threshold
  const moved = { ...pooled, x: Float64Array.from(pooled.x) };
  for (let w = 10; w < 16; w++) moved.x[w * 3] = 50;
  assert.equal(runDetector(det, moved, recordings, sets, options).threshold.value, run.threshold.value);
  assert.deepEqual(run.test.recordings, ["rec_05", "rec_06", "rec_07", "rec_13", "rec_14", "rec_15"]);
});

test("domain transfer trains on one DCASE domain and tests on every recording of the other", () => {
  const { pooled, recordings } = syntheticRecordings();
  const run = domainTransfer(
    createDetector("knn", { knnNeighbours: 1, l2: 1 }),
    pooled,
    recordings,
    "source",
    "target",
    1,
    options,
  );
  assert.deepEqual(
    run.test.recordings,
    recordings.filter((r) => r.domain === "target").map((r) => r.id),
  );
  assert.equal(run.recordings.ranking?.rocAuc, 1);
  const noDomains = recordings.map((r) => ({ ...r, domain: null }));
  assert.throws(
    () =>
      domainTransfer(
        createDetector("knn", { knnNeighbours: 1, l2: 1 }),
        pooled,
        noDomains,
        "source",
        "target",
        1,
        options,
      ),
    ConfigError,
  );
});

test("Ledoit-Wolf matches scikit-learn 1.2.1 ledoit_wolf(assume_centered=True) on a correlated 7 x 4 sample", () => {
  // reference: numpy default_rng(0).normal((7, 4)) rounded to 3 decimals, column 1 += 2 * column 0, centred;
  // sklearn.covariance.ledoit_wolf -> shrinkage 0.4249694258834664 and the covariance below
  const raw = [
    [0.126, 0.12, 0.64, 0.105],
    [-0.536, -0.71, 1.304, 0.947],
    [-0.704, -2.673, -0.623, 0.041],
    [-2.325, -4.869, -1.246, -0.732],
    [-0.544, -1.404, 0.412, 1.043],
    [-0.129, 1.108, -0.665, 0.352],
    [0.903, 1.9, -0.743, -0.922],
  ];
  const means = [0, 1, 2, 3].map((j) => raw.reduce((a, r) => a + r[j]!, 0) / raw.length);
  const x = Float64Array.from(raw.flatMap((r) => r.map((v, j) => v - means[j]!)));
  const lw = ledoitWolf(x, 7, 4);
  assert.ok(Math.abs(lw.shrinkage - 0.4249694258834664) < 1e-12, String(lw.shrinkage));
  const expected = [
    1.186548218265935, 1.0631345391395306, 0.12205050926854456, 0.009499293848684028, 1.0631345391395306,
    3.3412980210563674, 0.2708514525803081, 0.06131087466749956, 0.12205050926854456, 0.2708514525803081,
    1.1234755790078386, 0.2611484570845727, 0.009499293848684028, 0.06131087466749956, 0.2611484570845727,
    0.9850007530984316,
  ];
  expected.forEach((v, i) => assert.ok(Math.abs(lw.covariance[i]! - v) < 1e-12, `[${i}] ${lw.covariance[i]} vs ${v}`));
});
