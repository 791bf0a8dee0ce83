import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  averagePrecision,
  bothClassesPresent,
  partialRocAuc,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
} from "../src/evaluate/scores";
import {
  applyThreshold,
  chooseThreshold,
  criterionValue,
  scoreHistogram,
  thresholdCounts,
} from "../src/evaluate/thresholds";
import { ConfigError, ShapeError } from "../src/errors";

const close = (actual: number, expected: number, tol = 1e-12, what = "") =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} != ${expected} (tol ${tol})`);
const allClose = (actual: readonly number[], expected: readonly number[], tol = 1e-12, what = "") => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => close(v, expected[i] as number, tol, `${what}[${i}]`));
};

// Case A: 3 broken (1), 3 normal (0), one tie across the classes at 0.6.
//   score: 0.9  0.8  0.6  0.6  0.3  0.1
//   label:  1    1    1    0    0    0
// Flagging score >= t, from the top: t=0.9 -> TP 1 FP 0; 0.8 -> 2,0; 0.6 -> 3,1; 0.3 -> 3,2; 0.1 -> 3,3.
const labelsA = [0, 1, 0, 1, 0, 1];
const scoresA = [0.6, 0.8, 0.1, 0.9, 0.3, 0.6];

test("rocCurve lists every distinct score as a point when asked to keep intermediate points", () => {
  const roc = rocCurve(labelsA, scoresA, { dropIntermediate: false });
  allClose(roc.fpr, [0, 0, 0, 1 / 3, 2 / 3, 1]);
  allClose(roc.tpr, [0, 1 / 3, 2 / 3, 1, 1, 1]);
  assert.deepEqual(roc.thresholds, [Infinity, 0.9, 0.8, 0.6, 0.3, 0.1]);
});

test("rocCurve drops a point that lies on a straight segment, as scikit-learn's drop_intermediate", () => {
  // (2/3, 1) at t=0.3 lies between (1/3, 1) and (1, 1): second differences of FP (3-4+1) and TP (3-6+3) are 0
  const roc = rocCurve(labelsA, scoresA);
  allClose(roc.fpr, [0, 0, 0, 1 / 3, 1]);
  allClose(roc.tpr, [0, 1 / 3, 2 / 3, 1, 1]);
  assert.deepEqual(roc.thresholds, [Infinity, 0.9, 0.8, 0.6, 0.1]);
});

test("rocAuc of the hand-made case is 17/18: the tied pair counts one half", () => {
  // trapezoids: (0,2/3)->(1/3,1): 1/3 * (2/3 + 1)/2 = 5/18; (1/3,1)->(1,1): 2/3 = 12/18.
  // pairs: 0.9 and 0.8 beat all 3 normals (6), 0.6 beats 0.3 and 0.1 and ties 0.6 (2.5): 8.5/9
  close(rocAuc(labelsA, scoresA), 17 / 18);
});

test("partialRocAuc interpolates the curve at a max FPR that falls between two ROC points", () => {
  // up to FPR 0.1 the curve runs (0,0) -> (0,2/3) -> towards (1/3, 1): TPR at 0.1 = 2/3 + 0.1 * (1/3)/(1/3) = 0.7667
  // raw = 0.1 * (2/3 + 0.7667) / 2 = 0.0716667; normalized = raw / 0.1
  // McClish: 0.5 * (1 + (raw - 0.1^2/2) / (0.1 - 0.1^2/2)) = 0.5 * (1 + (1/15) / 0.095) = 0.8508772
  const p = partialRocAuc(labelsA, scoresA, 0.1);
  close(p.raw, (0.1 * (2 / 3 + 2 / 3 + 0.1)) / 2);
  close(p.normalized, (2 / 3 + 2 / 3 + 0.1) / 2);
  close(p.mcclish, 0.5 * (1 + 1 / 15 / 0.095));
  assert.equal(p.maxFpr, 0.1);
});

test("partialRocAuc at a max FPR that is a ROC point takes the area up to it, and at 1 equals the AUC", () => {
  // up to FPR 1/3: only the trapezoid (0,2/3)->(1/3,1) = 5/18
  close(partialRocAuc(labelsA, scoresA, 1 / 3).raw, 5 / 18);
  const full = partialRocAuc(labelsA, scoresA, 1);
  close(full.raw, 17 / 18);
  close(full.normalized, 17 / 18);
  close(full.mcclish, 17 / 18);
});

test("a perfect ranking scores 1 on every area, an inverted one 0 (McClish: just under 0.5)", () => {
  const labels = [0, 0, 1, 1];
  const perfect = [0.1, 0.2, 0.7, 0.9];
  const inverted = [0.9, 0.7, 0.2, 0.1];
  assert.equal(rocAuc(labels, perfect), 1);
  assert.deepEqual(partialRocAuc(labels, perfect), { raw: 0.1, normalized: 1, mcclish: 1, maxFpr: 0.1 });
  assert.equal(averagePrecision(labels, perfect), 1);
  assert.equal(rocAuc(labels, inverted), 0);
  const p = partialRocAuc(labels, inverted);
  assert.equal(p.raw, 0);
  // McClish of an area of 0: 0.5 * (1 + (0 - 0.005) / 0.095) = 0.4736842
  close(p.mcclish, 0.5 * (1 - 0.005 / 0.095));
  // AP of the inverted ranking: recall rises by 1/2 at precision 1/3 (t=0.2) and 1/2 at 2/4 (t=0.1)
  close(averagePrecision(labels, inverted), 0.5 / 3 + 0.5 * 0.5);
});

test("a score equal for every row is chance: AUC 0.5, normalized pAUC 0.05, McClish 0.5", () => {
  const labels = [0, 1, 0, 1];
  const same = [0.5, 0.5, 0.5, 0.5];
  assert.equal(rocAuc(labels, same), 0.5);
  const p = partialRocAuc(labels, same);
  close(p.raw, 0.005); // the triangle under the diagonal up to 0.1
  close(p.normalized, 0.05);
  close(p.mcclish, 0.5);
  assert.equal(averagePrecision(labels, same), 0.5);
});

test("precisionRecallCurve lists increasing thresholds with precision and recall, ending at (recall 0, precision 1)", () => {
  // counts from the top (see case A): precision 1, 1, 3/4, 3/5, 1/2 ; recall 1/3, 2/3, 1, 1, 1; reversed
  const pr = precisionRecallCurve(labelsA, scoresA);
  allClose(pr.precision, [1 / 2, 3 / 5, 3 / 4, 1, 1, 1]);
  allClose(pr.recall, [1, 1, 1, 2 / 3, 1 / 3, 0]);
  assert.deepEqual(pr.thresholds, [0.1, 0.3, 0.6, 0.8, 0.9]);
});

test("averagePrecision is the step-wise sum of recall gains times precision, not the trapezoid", () => {
  // (1 - 2/3) * 3/4 + (2/3 - 1/3) * 1 + (1/3 - 0) * 1 = 1/4 + 2/3 = 11/12
  close(averagePrecision(labelsA, scoresA), 11 / 12);
});

test("score metrics reject one-class sets, empty sets, NaN scores, other labels and length mismatches", () => {
  assert.throws(
    () => rocAuc([1, 1, 1], [0.1, 0.2, 0.3]),
    (e: unknown) => e instanceof ShapeError && /all 3 rows are class 1/.test(e.message),
  );
  assert.throws(
    () => averagePrecision([0, 0], [0.1, 0.2]),
    (e: unknown) => e instanceof ShapeError && /class 0/.test(e.message),
  );
  assert.throws(() => rocCurve([], []), ShapeError);
  assert.throws(
    () => rocAuc([0, 1], [0.1, Number.NaN]),
    (e: unknown) => e instanceof ShapeError && /row 1 has score NaN/.test(e.message),
  );
  assert.throws(
    () => rocAuc([0, 2], [0.1, 0.2]),
    (e: unknown) => e instanceof ShapeError && /label 2/.test(e.message),
  );
  assert.throws(() => precisionRecallCurve([0, 1], [0.1]), ShapeError);
  assert.throws(() => partialRocAuc([0, 1], [0.1, 0.2], 0), ConfigError);
  assert.throws(() => partialRocAuc([0, 1], [0.1, 0.2], 1.5), ConfigError);
  assert.equal(bothClassesPresent([1, 1, 1]), false);
  assert.equal(bothClassesPresent(new Int32Array([1, 0])), true);
});

// ---- cross-check against scikit-learn (fixture written by scripts/sklearn-fixtures.py) ----

interface SklearnScoreCase {
  name: string;
  labels: number[];
  scores: number[];
  roc_drop: { fpr: number[]; tpr: number[]; thresholds: number[] };
  roc_all: { fpr: number[]; tpr: number[]; thresholds: number[] };
  roc_auc: number;
  roc_auc_max_fpr: Record<string, number>;
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  average_precision: number;
}
const fixture = JSON.parse(readFileSync(resolve(__dirname, "fixtures/sklearn/scores.json"), "utf8")) as {
  versions: { sklearn: string };
  cases: SklearnScoreCase[];
};

test("the scikit-learn fixture was made with scikit-learn 1.2 and holds cases with ties", () => {
  assert.match(fixture.versions.sklearn, /^1\.2\./);
  const tied = fixture.cases.filter((c) => new Set(c.scores).size < c.scores.length);
  assert.ok(tied.length >= 2, "at least two cases have tied scores");
});

for (const c of fixture.cases) {
  test(`matches scikit-learn's roc_curve (both drop_intermediate settings): ${c.name}`, () => {
    for (const [drop, ref] of [
      [true, c.roc_drop],
      [false, c.roc_all],
    ] as const) {
      const roc = rocCurve(c.labels, c.scores, { dropIntermediate: drop });
      allClose(roc.fpr, ref.fpr, 1e-15, "fpr");
      allClose(roc.tpr, ref.tpr, 1e-15, "tpr");
      // scikit-learn 1.2 puts max + 1 where we (as scikit-learn >= 1.3) put +Infinity
      assert.equal(roc.thresholds[0], Infinity);
      close(ref.thresholds[0] as number, (ref.thresholds[1] as number) + 1, 1e-12);
      assert.deepEqual(roc.thresholds.slice(1), ref.thresholds.slice(1));
    }
  });

  test(`matches scikit-learn's roc_auc_score, with and without max_fpr (McClish): ${c.name}`, () => {
    close(rocAuc(c.labels, c.scores), c.roc_auc, 1e-12);
    for (const [maxFpr, ref] of Object.entries(c.roc_auc_max_fpr)) {
      const m = Number(maxFpr);
      const p = partialRocAuc(c.labels, c.scores, m);
      close(p.mcclish, ref, 1e-12, `max_fpr=${maxFpr}`);
      // the raw area follows from scikit-learn's number by inverting the McClish formula
      const raw = 0.5 * m * m + (2 * ref - 1) * (m - 0.5 * m * m);
      close(p.raw, raw, 1e-12, `raw at ${maxFpr}`);
    }
  });

  test(`matches scikit-learn's precision_recall_curve and average_precision_score: ${c.name}`, () => {
    const pr = precisionRecallCurve(c.labels, c.scores);
    allClose(pr.precision, c.pr.precision, 1e-15, "precision");
    allClose(pr.recall, c.pr.recall, 1e-15, "recall");
    assert.deepEqual(pr.thresholds, c.pr.thresholds);
    close(averagePrecision(c.labels, c.scores), c.average_precision, 1e-12);
  });
}

// ---- thresholds ----

test("chooseThreshold puts a perfectly separating threshold in the middle of the gap", () => {
  // normals 0.1 0.2 0.3, broken 0.7 0.9: the gap is 0.3..0.7, its middle 0.5
  const labels = [0, 0, 0, 1, 1];
  const scores = [0.1, 0.3, 0.2, 0.9, 0.7];
  for (const criterion of ["balancedAccuracy", "youden", "f1"] as const) {
    const chosen = chooseThreshold(labels, scores, criterion);
    close(chosen.threshold, 0.5, 1e-15, criterion);
    assert.equal(chosen.value, 1);
    assert.deepEqual(chosen.counts, { tp: 2, fp: 0, tn: 3, fn: 0 });
  }
});

test("balanced accuracy and Youden's J pick the same threshold; their values differ by 2 * BA - 1", () => {
  // case A: cut between 0.3 and 0.6 -> TPR 1, FPR 1/3: BA = (1 + 2/3)/2 = 5/6, J = 2/3;
  // cut between 0.6 and 0.8 -> TPR 2/3, FPR 0: BA = 5/6 as well: a tie, the higher threshold (0.7) wins
  const ba = chooseThreshold(labelsA, scoresA, "balancedAccuracy");
  const j = chooseThreshold(labelsA, scoresA, "youden");
  close(ba.threshold, 0.7, 1e-12);
  assert.equal(j.threshold, ba.threshold);
  close(ba.value, 5 / 6);
  close(j.value, 2 / 3);
  close(j.value, 2 * ba.value - 1);
});

test("chooseThreshold by F1 can flag more rows than balanced accuracy does", () => {
  // case A: F1 at 0.7 (TP 2, FP 0, FN 1) = 4/5; at 0.45 (TP 3, FP 1, FN 0) = 6/7 > 4/5
  const f1 = chooseThreshold(labelsA, scoresA, "f1");
  close(f1.threshold, 0.45, 1e-12);
  close(f1.value, 6 / 7);
  assert.deepEqual(f1.counts, { tp: 3, fp: 1, tn: 2, fn: 0 });
});

test("chooseThreshold can flag every row, with a threshold half the lowest gap below the lowest score", () => {
  // 4 broken, 1 normal at the top: F1 is best flagging all (TP 4, FP 1: 8/9);
  // balanced accuracy: 0.5 with nothing flagged and with everything flagged, less in between;
  // the tie goes to the highest threshold
  const labels = [1, 1, 1, 1, 0];
  const scores = [1, 2, 3, 4, 5];
  const f1 = chooseThreshold(labels, scores, "f1");
  assert.equal(f1.threshold, 0.5);
  close(f1.value, 8 / 9);
  const ba = chooseThreshold(labels, scores, "balancedAccuracy");
  // candidates above 5 (nothing flagged) and 0.5 (all flagged) both give 0.5; 1.5..4.5 give < 0.5
  assert.equal(ba.threshold, 5.5);
  assert.equal(ba.value, 0.5);
});

test("applyThreshold flags scores at or above the threshold, and reproduces the chosen counts", () => {
  assert.deepEqual(Array.from(applyThreshold([0.2, 0.5, 0.7, 0.5], 0.5)), [0, 1, 1, 1]);
  const chosen = chooseThreshold(labelsA, scoresA, "f1");
  const counts = thresholdCounts(labelsA, scoresA, chosen.threshold);
  assert.deepEqual(counts, chosen.counts);
  assert.equal(criterionValue("f1", counts), chosen.value);
  const predicted = applyThreshold(scoresA, chosen.threshold);
  assert.equal(
    predicted.reduce((a, b) => a + b, 0),
    counts.tp + counts.fp,
  );
});

test("chooseThreshold rejects an unknown criterion and one-class sets", () => {
  assert.throws(() => chooseThreshold(labelsA, scoresA, "accuracy" as never), ConfigError);
  assert.throws(() => chooseThreshold([0, 0], [1, 2], "f1"), ShapeError);
});

test("scoreHistogram counts each class on shared bins, the top edge included in the last bin", () => {
  // range 0..1 in 4 bins of 0.25: class 0 at 0, 0.1, 0.3 -> [2, 1, 0, 0]; class 1 at 0.5, 0.75, 1 -> [0, 0, 1, 2]
  const h = scoreHistogram([0, 0.1, 0.3, 0.5, 0.75, 1], [0, 0, 0, 1, 1, 1], 4);
  assert.deepEqual(h.edges, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(h.counts, [
    [2, 1, 0, 0],
    [0, 0, 1, 2],
  ]);
  const same = scoreHistogram([2, 2], [0, 1], 2);
  assert.deepEqual(same.edges, [1.5, 2, 2.5]);
  assert.deepEqual(same.counts, [
    [0, 1],
    [0, 1],
  ]);
  assert.throws(() => scoreHistogram([1], [0], 0), ConfigError);
});
