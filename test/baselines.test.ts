import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pooledMfccStatistics, pooledStatisticNames } from "../src/model/baselines/pooledStatistics";
import {
  scoreLogisticRegression,
  standardisation,
  trainLogisticRegression,
} from "../src/model/baselines/logisticRegression";
import { DenseWorkspace, glorotUniformLayers, multiplyTransposed } from "../src/model/baselines/denseNetwork";
import { type AutoencoderModel, scoreAutoencoder, trainAutoencoder } from "../src/model/baselines/autoencoder";
import { rocAuc } from "../src/evaluate/scores";
import { ConfigError, ShapeError } from "../src/errors";
import { SeededRandom } from "../src/util/random";

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
};

// ---- pooled statistics ----

test("pooledMfccStatistics gives each coefficient's mean over frames, then its population standard deviation", () => {
  // clip 0: coefficient 0 = 1 2 3 4 (mean 2.5, sd sqrt(((1.5² + 0.5²) * 2) / 4) = sqrt(1.25)), coefficient 1 = 5 5 5 5 (mean 5, sd 0)
  // clip 1: coefficient 0 = 0 0 0 8 (mean 2, sd sqrt((3 * 4 + 36) / 4) = sqrt(12)), coefficient 1 = -1 1 -1 1 (mean 0, sd 1)
  const x = Float32Array.from([1, 2, 3, 4, 5, 5, 5, 5, 0, 0, 0, 8, -1, 1, -1, 1]);
  const pooled = pooledMfccStatistics(x, 2, 2, 4);
  assert.ok(maxAbsDiff(pooled, [2.5, 5, Math.sqrt(1.25), 0, 2, 0, Math.sqrt(12), 1]) < 1e-6);
  assert.deepEqual(pooledStatisticNames(2), ["mean_0", "mean_1", "sd_0", "sd_1"]);
  assert.throws(() => pooledMfccStatistics(x, 2, 2, 5), ShapeError);
});

// ---- logistic regression ----

/** Rows of 3 features; class 1 iff 2·f0 - f1 + 0.5·f2 > 0.3, with a margin of 0.2 kept empty. */
function separableSet(rows: number, seed: number): { x: Float64Array; y: Int32Array } {
  const rng = new SeededRandom(seed);
  const x = new Float64Array(rows * 3);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows;) {
    const f = [rng.next() * 4 - 2, rng.next() * 10 + 5, rng.next() * 2 - 1];
    const s = 2 * f[0]! - (f[1]! - 10) * 0.1 + 0.5 * f[2]! - 0.3;
    if (Math.abs(s) < 0.2) continue;
    x.set(f, i * 3);
    y[i] = s > 0 ? 1 : 0;
    i++;
  }
  return { x, y };
}

test("logistic regression separates a linearly separable set, on training and on new rows", () => {
  const train = separableSet(200, 1);
  const model = trainLogisticRegression(train.x, train.y, 3, { l2: 0.01 });
  assert.equal(model.kind, "logistic-regression");
  assert.ok(model.converged);
  const fresh = separableSet(200, 2);
  for (const set of [train, fresh]) {
    const p = scoreLogisticRegression(model, set.x);
    const wrong = Array.from(p).filter((v, i) => (v >= 0.5 ? 1 : 0) !== set.y[i]).length;
    assert.ok(wrong <= 2, `${wrong} of 200 rows misclassified`);
    assert.equal(rocAuc(set.y, p), 1);
  }
  // the fitted direction on standardised features points like the true one (2, -0.1, 0.5) · scale
  assert.ok(model.coefficients[0]! > 0 && model.coefficients[1]! < 0 && model.coefficients[2]! > 0);
});

interface SklearnLogisticCase {
  name: string;
  rows: number;
  dims: number;
  class_weight: "balanced" | null;
  x: number[];
  labels: number[];
  x_test: number[];
  mean: number[];
  scale: number[];
  coef: number[];
  intercept: number;
  proba_test: number[];
}
const logisticFixture = JSON.parse(readFileSync(resolve(__dirname, "fixtures/sklearn/logistic.json"), "utf8")) as {
  versions: { sklearn: string };
  cases: SklearnLogisticCase[];
};

for (const c of logisticFixture.cases) {
  test(`logistic regression matches scikit-learn ${logisticFixture.versions.sklearn} (StandardScaler + LogisticRegression(C=1)) within 1e-7: ${c.name}`, () => {
    const model = trainLogisticRegression(c.x, c.labels, c.dims, { l2: 1, classWeight: c.class_weight });
    assert.ok(model.converged);
    assert.ok(maxAbsDiff(model.mean, c.mean) < 1e-9, "standardisation mean");
    assert.ok(maxAbsDiff(model.scale, c.scale) < 1e-9, "standardisation scale");
    // scikit-learn's newton-cholesky at tol=1e-12 and our Newton solve reach the same optimum
    assert.ok(
      maxAbsDiff(model.coefficients, c.coef) < 1e-7,
      `coefficients differ by ${maxAbsDiff(model.coefficients, c.coef)}`,
    );
    assert.ok(Math.abs(model.intercept - c.intercept) < 1e-7, "intercept");
    assert.ok(
      maxAbsDiff(scoreLogisticRegression(model, c.x_test), c.proba_test) < 1e-8,
      "probabilities on held-out rows",
    );
  });
}

test("balanced class weights give each class the same total weight", () => {
  const c = logisticFixture.cases.find((k) => k.class_weight === "balanced")!;
  const model = trainLogisticRegression(c.x, c.labels, c.dims, { classWeight: "balanced" });
  const positives = c.labels.filter((v) => v === 1).length;
  const [w0, w1] = model.classWeights;
  assert.ok(Math.abs(w0 * (c.rows - positives) - w1 * positives) < 1e-9);
  assert.ok(Math.abs(w0 * (c.rows - positives) + w1 * positives - c.rows) < 1e-9);
});

test("a logistic-regression model survives a JSON round trip with identical scores", () => {
  const c = logisticFixture.cases[0]!;
  const model = trainLogisticRegression(c.x, c.labels, c.dims);
  const copy = JSON.parse(JSON.stringify(model)) as typeof model;
  assert.deepEqual(scoreLogisticRegression(copy, c.x_test), scoreLogisticRegression(model, c.x_test));
});

test("standardisation gives a constant feature scale 1, as StandardScaler", () => {
  const { mean, scale } = standardisation([0.1, 3, 0.1, 5, 0.1, 7], 3, 2);
  assert.ok(Math.abs(mean[0]! - 0.1) < 1e-15);
  assert.equal(scale[0], 1);
  assert.ok(Math.abs(scale[1]! - Math.sqrt(8 / 3)) < 1e-12);
});

test("logistic regression rejects one-class training sets, a zero penalty and mismatched shapes", () => {
  assert.throws(
    () => trainLogisticRegression([1, 2, 3], [1, 1, 1], 1),
    (e: unknown) => e instanceof ShapeError && /all 3 training rows are class 1/.test(e.message),
  );
  assert.throws(() => trainLogisticRegression([1, 2], [0, 1], 1, { l2: 0 }), ConfigError);
  assert.throws(() => trainLogisticRegression([1, 2, 3], [0, 1], 2), ShapeError);
});

// ---- the dense network under the autoencoder ----

test("multiplyTransposed equals the plain triple loop, including edge rows and columns and the bias", () => {
  const rng = new SeededRandom(3);
  for (const [m, n, k] of [
    [7, 5, 3],
    [8, 4, 16],
    [1, 1, 1],
    [5, 9, 2],
  ] as const) {
    const a = Float32Array.from({ length: m * k }, () => rng.next() - 0.5);
    const b = Float32Array.from({ length: n * k }, () => rng.next() - 0.5);
    const bias = Float32Array.from({ length: n }, () => rng.next());
    const c = new Float32Array(m * n);
    multiplyTransposed(a, b, c, m, n, k, bias);
    const expected = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = bias[j]!;
        for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
        expected[i * n + j] = s;
      }
    }
    assert.deepEqual(c, expected, `${m}x${n}x${k}`);
  }
});

test("backwardMse's gradients agree with finite differences of the loss", () => {
  const layers = glorotUniformLayers([4, 6, 3, 4], 11);
  for (const b of layers.biases) b.fill(0.05); // keep units active so the loss is smooth near the point
  const rows = 5;
  const rng = new SeededRandom(12);
  const input = Float32Array.from({ length: rows * 4 }, () => rng.next() * 2 - 1);
  const ws = new DenseWorkspace(layers, rows);
  ws.forward(input, rows);
  ws.backwardMse(input, input, rows);
  const loss = () => {
    ws.forward(input, rows);
    const e = new Float64Array(rows);
    ws.rowErrors(input, rows, e);
    return e.reduce((s, v) => s + v, 0) / rows;
  };
  const h = 1e-3;
  let checked = 0;
  layers.weights.forEach((w, l) => {
    const analytic = Float32Array.from(ws.weightGradients[l]!);
    for (let i = 0; i < w.length; i += 3) {
      const keep = w[i]!;
      w[i] = keep + h;
      const up = loss();
      w[i] = keep - h;
      const down = loss();
      w[i] = keep;
      const numeric = (up - down) / (2 * h);
      assert.ok(
        Math.abs(numeric - analytic[i]!) < 2e-3 + 0.02 * Math.abs(numeric),
        `layer ${l} weight ${i}: ${analytic[i]} vs ${numeric}`,
      );
      checked++;
    }
  });
  assert.ok(checked > 10);
});

// ---- the autoencoder ----

const N_MFCC = 12;
const FRAMES = 40;

/**
 * Clips `[count][12][40]` whose frames lie near a 3-dimensional subspace (three fixed spectral
 * shapes, each modulated by a slow sine of random amplitude and phase) plus small noise; an
 * anomaly adds `shift` times a fixed other shape to every frame (a steady extra component, like
 * a tone the normal machine does not make).
 */
function clips(count: number, seed: number, shift = 0): Float32Array {
  const shapes = new SeededRandom(99);
  const basis = Array.from({ length: 3 }, () => Array.from({ length: N_MFCC }, () => shapes.next() * 2 - 1));
  const extra = Array.from({ length: N_MFCC }, () => shapes.next() * 2 - 1);
  const rng = new SeededRandom(seed);
  const x = new Float32Array(count * N_MFCC * FRAMES);
  for (let c = 0; c < count; c++) {
    const amp = basis.map(() => 1 + rng.next());
    const phase = basis.map(() => rng.next() * 2 * Math.PI);
    for (let m = 0; m < N_MFCC; m++) {
      for (let t = 0; t < FRAMES; t++) {
        let v = 0;
        basis.forEach((b, k) => (v += b[m]! * amp[k]! * Math.sin(0.3 * (k + 1) * t + phase[k]!)));
        x[(c * N_MFCC + m) * FRAMES + t] = v + 0.1 * (rng.next() - 0.5) + shift * extra[m]!;
      }
    }
  }
  return x;
}

const trainClips = clips(120, 1);
const OPTIONS = { epochs: 8, windowsPerClip: 12, seed: 5 };
let trained: AutoencoderModel | null = null;
const model = () => (trained ??= trainAutoencoder(trainClips, 120, N_MFCC, FRAMES, OPTIONS));

test("the autoencoder's training loss decreases", () => {
  const history = model().training.lossHistory;
  assert.equal(history.length, 8);
  assert.ok(history[7]! < 0.5 * history[0]!, `loss ${history[0]} -> ${history[7]}`);
  assert.deepEqual(model().layerSizes, [60, 64, 64, 8, 64, 64, 60]);
});

test("autoencoder training is deterministic: the same seed gives identical weights, another seed different ones", () => {
  const again = trainAutoencoder(trainClips, 120, N_MFCC, FRAMES, OPTIONS);
  assert.deepEqual(again.weights, model().weights);
  assert.deepEqual(again.training.lossHistory, model().training.lossHistory);
  const other = trainAutoencoder(trainClips, 120, N_MFCC, FRAMES, { ...OPTIONS, seed: 6, epochs: 1 });
  assert.notDeepEqual(other.weights[0], model().weights[0]);
});

test("the autoencoder scores clips with an added component higher than held-out normal clips (AUC > 0.9)", () => {
  const normal = scoreAutoencoder(model(), clips(40, 2), 40, N_MFCC, FRAMES);
  const anomalous = scoreAutoencoder(model(), clips(40, 3, 0.5), 40, N_MFCC, FRAMES);
  const auc = rocAuc([...new Array<number>(40).fill(0), ...new Array<number>(40).fill(1)], [...normal, ...anomalous]);
  assert.ok(auc > 0.9, `AUC ${auc}`);
});

test("an autoencoder survives a JSON round trip with identical scores", () => {
  const x = clips(5, 4, 0.2);
  const copy = JSON.parse(JSON.stringify(model())) as AutoencoderModel;
  assert.equal(copy.kind, "autoencoder");
  assert.deepEqual(scoreAutoencoder(copy, x, 5, N_MFCC, FRAMES), scoreAutoencoder(model(), x, 5, N_MFCC, FRAMES));
});

test("the autoencoder rejects clips shorter than its window and features of another size", () => {
  assert.throws(
    () => trainAutoencoder(new Float32Array(2 * 12 * 4), 2, 12, 4),
    (e: unknown) => e instanceof ShapeError && /fewer than the 5-frame window/.test(e.message),
  );
  assert.throws(
    () => scoreAutoencoder(model(), new Float32Array(40 * 10), 1, 10, 40),
    (e: unknown) => e instanceof ShapeError && /trained on 12/.test(e.message),
  );
  assert.throws(() => trainAutoencoder(trainClips, 120, N_MFCC, FRAMES, { batchSize: 0 }), ConfigError);
});
