import { test } from "node:test";
import assert from "node:assert/strict";
import { presetConfig, recommendedConfig, thesisConfig, validateConfig } from "../src/config/pipeline";
import { oversampleIndices } from "../src/data/balance";
import {
  complementRows,
  groupedStratifiedFolds,
  groupedStratifiedSplit,
  stratifiedRowFolds,
  thesisSplit,
} from "../src/data/split";
import { ConfigError } from "../src/errors";
import { decideClass, meanProbabilities } from "../src/model/decision";
import { meanAndSd, summarizeFolds, type FoldResult } from "../src/pipeline/experiments/crossValidation";
import { modelThreshold } from "../src/pipeline/stages/evaluate";
import { createClipFeatureExtractor, normalizeRms } from "../src/pipeline/features";
import type { FeatureRow } from "../src/pipeline/stages/augmentAndExtract";
import { assignSplit, recordingsOnSeveralSides } from "../src/pipeline/stages/split";
import { SeededRandom } from "../src/util/random";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";

/** Rows of a synthetic dataset: `perClass` recordings per class, `chunks` rows each, and `augs` augmented copies of each broken row. */
function synthetic(
  perClass: number,
  chunks: number,
  augs: number,
  seed: number,
): { manifest: FeatureRow[]; labels: Int32Array } {
  const manifest: FeatureRow[] = [];
  for (const label of [0, 1] as const) {
    for (let r = 0; r < perClass; r++) {
      const source = `${label === 1 ? "broken" : "normal"}_audio/rec_${r}.wav`;
      for (let c = 0; c < chunks; c++)
        manifest.push({ row: 0, file: `${source}#${c}`, label, source, augmentation: "", chunk: c });
    }
  }
  const originals = manifest.filter((m) => m.label === 1);
  for (const m of originals)
    for (let a = 0; a < augs; a++) manifest.push({ ...m, file: `aug${a}_${m.file}`, augmentation: `aug${a}` });
  // shuffle row order so nothing depends on rows being grouped
  new SeededRandom(seed).shuffle(manifest);
  manifest.forEach((m, i) => (m.row = i));
  return { manifest, labels: Int32Array.from(manifest, (m) => m.label) };
}

const sourcesOf = (manifest: FeatureRow[], rows: ArrayLike<number>) =>
  new Set(Array.from(rows as ArrayLike<number>, (r) => manifest[r]!.source));

test("grouped split: no source recording is ever on both sides, for many seeds and sizes", () => {
  for (let seed = 0; seed < 40; seed++) {
    const perClass = 2 + (seed % 9);
    const { manifest, labels } = synthetic(perClass, 1 + (seed % 4), seed % 3, seed);
    const s = groupedStratifiedSplit(
      manifest.map((m) => m.source),
      labels,
      0.2,
      seed,
    );
    const train = sourcesOf(manifest, s.train);
    for (const g of sourcesOf(manifest, s.test)) assert.ok(!train.has(g), `seed ${seed}: ${g} on both sides`);
    assert.equal(s.train.length + s.test.length, labels.length);
  }
});

test("grouped split is stratified: each class sends max(1, round(0.2 x recordings)) recordings to test", () => {
  const { manifest, labels } = synthetic(12, 3, 0, 1);
  const s = groupedStratifiedSplit(
    manifest.map((m) => m.source),
    labels,
    0.2,
    42,
  );
  const testSources = [...sourcesOf(manifest, s.test)];
  assert.equal(testSources.filter((g) => g.startsWith("broken")).length, 2); // round(2.4)
  assert.equal(testSources.filter((g) => g.startsWith("normal")).length, 2);
  const { manifest: m2, labels: l2 } = synthetic(3, 1, 0, 2);
  const s2 = groupedStratifiedSplit(
    m2.map((m) => m.source),
    l2,
    0.2,
    42,
  );
  assert.equal(s2.test.length, 2, "round(0.6) = 1 recording per class, never 0");
});

test("grouped split depends on the recordings and the seed, not on the order of the rows", () => {
  const a = synthetic(10, 2, 1, 5);
  const b = { manifest: a.manifest.slice().reverse(), labels: Int32Array.from(a.labels).reverse() };
  const sa = groupedStratifiedSplit(
    a.manifest.map((m) => m.source),
    a.labels,
    0.3,
    9,
  );
  const sb = groupedStratifiedSplit(
    b.manifest.map((m) => m.source),
    b.labels,
    0.3,
    9,
  );
  assert.deepEqual([...sourcesOf(a.manifest, sa.test)].sort(), [...sourcesOf(b.manifest, sb.test)].sort());
  const other = groupedStratifiedSplit(
    a.manifest.map((m) => m.source),
    a.labels,
    0.3,
    10,
  );
  assert.notDeepEqual(
    [...sourcesOf(a.manifest, sa.test)].sort(),
    [...sourcesOf(a.manifest, other.test)].sort(),
    "another seed, other recordings",
  );
});

test("grouped split refuses a class with one recording and a recording with two labels", () => {
  assert.throws(
    () => groupedStratifiedSplit(["a", "b", "c"], [0, 1, 1], 0.2, 1),
    (e: unknown) => e instanceof ConfigError && /at least 2 per class/.test(e.message),
  );
  assert.throws(
    () => groupedStratifiedSplit(["a", "a", "b", "c"], [0, 1, 0, 1], 0.2, 1),
    (e: unknown) => e instanceof ConfigError && /labels 0 and 1/.test(e.message),
  );
});

test("grouped folds: every recording in exactly one fold, every fold holds both classes, folds cover all rows", () => {
  const { manifest, labels } = synthetic(7, 2, 2, 3);
  const groups = manifest.map((m) => m.source);
  const folds = groupedStratifiedFolds(groups, labels, 3, 11);
  const seen = new Map<string, number>();
  folds.forEach((rows, f) => {
    assert.ok(rows.some((r) => labels[r] === 0) && rows.some((r) => labels[r] === 1), `fold ${f} has both classes`);
    for (const g of sourcesOf(manifest, rows)) {
      assert.ok(!seen.has(g) || seen.get(g) === f, `${g} in two folds`);
      seen.set(g, f);
    }
  });
  assert.equal(
    folds.reduce((a, f) => a + f.length, 0),
    labels.length,
  );
  assert.equal(seen.size, 14);
  assert.throws(() => groupedStratifiedFolds(groups, labels, 8, 1), /at most 7 folds/);
  const rows = stratifiedRowFolds(labels, 4, 2);
  assert.deepEqual(
    Array.from(rows.flatMap((r) => Array.from(r))).sort((x, y) => x - y),
    Array.from({ length: labels.length }, (_, i) => i),
  );
  assert.deepEqual(Array.from(complementRows(6, [1, 4])), [0, 2, 3, 5]);
});

test("assignSplit, recommended: augmented rows only in training, no recording on two sides, grouped validation", () => {
  const { manifest, labels } = synthetic(10, 3, 9, 4);
  const config = recommendedConfig("/tmp");
  const { assignment, droppedAugmentedRows } = assignSplit(config, manifest, labels);
  assert.equal(recordingsOnSeveralSides(assignment, manifest), 0);
  for (const side of ["validation", "test"] as const) {
    assert.ok(assignment[side].length > 0);
    for (const r of assignment[side]) assert.equal(manifest[r]!.augmentation, "", `augmented row ${r} in ${side}`);
  }
  assert.ok(droppedAugmentedRows > 0);
  assert.ok(
    assignment.train.some((r) => manifest[r]!.augmentation !== ""),
    "augmented rows train",
  );
  // dropped rows are gone entirely: they are not moved into training
  const used = assignment.train.length + assignment.validation.length + assignment.test.length;
  assert.equal(used + droppedAugmentedRows, labels.length);
});

test("assignSplit, thesis: exactly the row-level train_test_split, and it does leak recordings", () => {
  const { manifest, labels } = synthetic(10, 3, 9, 4);
  const config = thesisConfig("/tmp");
  const { assignment, droppedAugmentedRows } = assignSplit(config, manifest, labels);
  const expected = thesisSplit(labels.length, 0.2, 42);
  assert.deepEqual(Array.from(assignment.train), Array.from(expected.train));
  assert.deepEqual(Array.from(assignment.test), Array.from(expected.test));
  assert.equal(assignment.validation.length, 0);
  assert.equal(droppedAugmentedRows, 0);
  assert.ok(recordingsOnSeveralSides(assignment, manifest) > 0);
});

test("oversampling repeats the smaller class to the size of the larger one, each row within one copy of the others", () => {
  const labels = Int32Array.from([...Array<number>(7).fill(0), ...Array<number>(30).fill(1)]);
  const idx = oversampleIndices(labels, 3);
  const counts = [0, 0];
  const copies = new Map<number, number>();
  for (const r of idx) {
    counts[labels[r]!]!++;
    copies.set(r, (copies.get(r) ?? 0) + 1);
  }
  assert.deepEqual(counts, [30, 30]);
  for (let r = 7; r < 37; r++) assert.equal(copies.get(r), 1, "larger class once each");
  const normalCopies = Array.from({ length: 7 }, (_, r) => copies.get(r)!);
  assert.ok(Math.min(...normalCopies) === 4 && Math.max(...normalCopies) === 5, `30 = 7 x 4 + 2: ${normalCopies}`);
  assert.deepEqual(Array.from(oversampleIndices(labels, 3)), Array.from(idx), "deterministic");
  assert.notDeepEqual(Array.from(oversampleIndices(labels, 4)), Array.from(idx), "seeded");
});

test("presets: recommended differs from thesis where it should, unknown presets and threshold without validation are refused", () => {
  const t = thesisConfig("/p");
  const r = presetConfig("recommended", "/p");
  assert.equal(t.split.method, "rows");
  assert.equal(r.split.method, "grouped");
  assert.equal(r.split.augmentedInTest, false);
  assert.equal(r.clean.chunkNormal, true);
  assert.equal(r.train.classBalance, "oversample");
  assert.equal(r.train.threshold, "validation");
  assert.deepEqual(r.features, t.features, "same features as the thesis");
  assert.deepEqual(r.augment, t.augment, "same augmentations as the thesis");
  validateConfig(r);
  assert.throws(
    () => presetConfig("fancy"),
    (e: unknown) => e instanceof ConfigError && /thesis, recommended/.test(e.message),
  );
  const bad = recommendedConfig("/p");
  bad.train.validationFraction = 0;
  assert.throws(() => validateConfig(bad), /validationFraction/);
});

test("RMS normalisation sets the clip's RMS to 0.1, leaves silence alone, and changes only MFCC 0", async () => {
  const rng = new SeededRandom(8);
  const clip = Float32Array.from({ length: 22050 }, (_, i) => 0.02 * Math.sin(i / 7) + 0.01 * rng.gaussian());
  const norm = normalizeRms(clip);
  const rms = Math.sqrt(norm.reduce((a, v) => a + v * v, 0) / norm.length);
  assert.ok(Math.abs(rms - 0.1) < 1e-6, `rms ${rms}`);
  const silent = new Float32Array(100);
  assert.equal(normalizeRms(silent), silent);
  const plain = (await createClipFeatureExtractor({ ...DEFAULT_FEATURE_CONFIG }))(clip);
  const levelled = (await createClipFeatureExtractor({ ...DEFAULT_FEATURE_CONFIG, levelNormalization: "rms" }))(clip);
  const louder = (await createClipFeatureExtractor({ ...DEFAULT_FEATURE_CONFIG, levelNormalization: "rms" }))(
    clip.map((v) => v * 3),
  );
  let maxOther = 0;
  let maxC0 = 0;
  for (let t = 0; t < plain.cols; t++) {
    maxC0 = Math.max(maxC0, Math.abs(plain.data[t]! - levelled.data[t]!));
    for (let c = 1; c < plain.rows; c++)
      maxOther = Math.max(maxOther, Math.abs(plain.data[c * plain.cols + t]! - levelled.data[c * plain.cols + t]!));
  }
  assert.ok(maxC0 > 1, "coefficient 0 carries the level");
  assert.ok(maxOther < 1e-3, `other coefficients unchanged: ${maxOther}`);
  let maxLevel = 0;
  for (let i = 0; i < levelled.data.length; i++)
    maxLevel = Math.max(maxLevel, Math.abs(levelled.data[i]! - louder.data[i]!));
  assert.ok(maxLevel < 1e-3, `a 3x louder clip gives the same normalised features: ${maxLevel}`);
});

test("decisions: the stored threshold on P(class 1), else the argmax", () => {
  assert.equal(decideClass([0.7, 0.3], 0.25), 1);
  assert.equal(decideClass([0.7, 0.3], null), 0);
  assert.equal(decideClass([0.5, 0.5], 0.5), 1, ">= threshold");
  assert.equal(decideClass([0.2, 0.3, 0.5], 0.1), 2, "threshold ignored for 3 classes");
  assert.deepEqual(
    meanProbabilities(
      [
        [0.2, 0.8],
        [0.6, 0.4],
      ],
      2,
    ).map((v) => +v.toFixed(12)),
    [0.4, 0.6],
  );
  assert.deepEqual(modelThreshold(undefined), { value: 0.5, source: "argmax (P(broken) >= 0.5)" });
  assert.equal(
    modelThreshold({
      value: 0.31,
      score: "probability of class 1",
      chosenOn: "validation rows (10 rows)",
      criterion: "balancedAccuracy",
      criterionValue: 0.9,
    }).value,
    0.31,
  );
});

test("cross-validation summary: mean and sample standard deviation per model, hand-computed", () => {
  assert.deepEqual(meanAndSd([1, 2, 3, 4]), { mean: 2.5, sd: Math.sqrt(5 / 3) });
  assert.deepEqual(meanAndSd([2]), { mean: 2, sd: 0 });
  assert.ok(Number.isNaN(meanAndSd([Number.NaN]).mean));
  const m = (v: number) => ({
    accuracy: v,
    balancedAccuracy: v,
    recallNormal: v,
    recallBroken: v,
    precisionBroken: v,
    f1Macro: v,
    rocAuc: v,
    pAuc: v,
    averagePrecision: v,
  });
  const folds: FoldResult[] = [
    { repeat: 0, fold: 0, model: "cnn", testRows: 4, threshold: 0.5, metrics: m(0.5) },
    { repeat: 0, fold: 1, model: "cnn", testRows: 4, threshold: 0.5, metrics: m(1) },
    { repeat: 0, fold: 0, model: "autoencoder", testRows: 4, threshold: 0.5, metrics: m(0.75) },
  ];
  const s = summarizeFolds(folds);
  assert.deepEqual(
    s.map((x) => x.model),
    ["cnn", "autoencoder"],
  );
  assert.equal(s[0]!.mean.rocAuc, 0.75);
  assert.ok(Math.abs(s[0]!.sd.rocAuc - Math.sqrt(0.125)) < 1e-15);
  assert.equal(s[1]!.folds, 1);
});
