import { test } from "node:test";
import assert from "node:assert/strict";
import { dcaseMetrics, harmonicMean } from "../src/evaluate/dcaseMetrics";
import type { DcaseDomain } from "../src/data/dcaseNames";

// A hand-computed section: 2 normal + 1 anomalous source clips, 2 normal + 2 anomalous target clips.
//   source normals 0.1, 0.4; target normals 0.35, 0.8; anomalies 0.5 (source), 0.3 and 0.9 (target).
// AUC (source): normals {0.1, 0.4} vs ALL anomalies {0.5, 0.3, 0.9}: 5 of 6 pairs ordered -> 5/6.
// AUC (target): normals {0.35, 0.8} vs {0.5, 0.3, 0.9}: 3 of 6 -> 1/2.
// pAUC, whole section, 4 normals: ROC (0,0) (0,1/3) (1/4,1/3) ..., TPR 1/3 on [0, 0.1], area 1/30;
//   McClish 0.5 * (1 + (1/30 - 0.005) / (0.1 - 0.005)) = 37/57; area / 0.1 = 1/3.
// official score = hmean(5/6, 1/2, 37/57) = 3 / (6/5 + 2 + 57/37) = 555/877.
// (scripts/reference/dcase_metrics_ref.py computes them with scikit-learn as the evaluator does: the same values.)
const labels = [0, 0, 1, 0, 0, 1, 1];
const scores = [0.1, 0.4, 0.5, 0.35, 0.8, 0.3, 0.9];
const domains: DcaseDomain[] = ["source", "source", "source", "target", "target", "target", "target"];

test("per-domain AUC uses that domain's normal clips against all anomalies of the section (hand-computed)", () => {
  const m = dcaseMetrics(labels, scores, domains)!;
  assert.equal(m.sections.length, 1);
  const s = m.sections[0]!;
  assert.ok(Math.abs(s.aucSource! - 5 / 6) < 1e-12, `${s.aucSource}`);
  assert.ok(Math.abs(s.aucTarget! - 1 / 2) < 1e-12, `${s.aucTarget}`);
  assert.deepEqual(s.counts, {
    normalSource: 2,
    normalTarget: 2,
    anomalySource: 1,
    anomalyTarget: 2,
    normalUnknown: 0,
    anomalyUnknown: 0,
  });
});

test("pAUC is the section's McClish-standardised partial AUC (FPR 0.1); the official score the harmonic mean", () => {
  const m = dcaseMetrics(labels, scores, domains)!;
  const s = m.sections[0]!;
  assert.ok(Math.abs(s.pAuc! - 37 / 57) < 1e-12, `${s.pAuc}`);
  assert.ok(Math.abs(s.pAucNormalized! - 1 / 3) < 1e-12, `${s.pAucNormalized}`);
  assert.ok(Math.abs(m.officialScore! - 555 / 877) < 1e-12, `${m.officialScore}`);
  assert.equal(m.maxFpr, 0.1);
});

test("the per-domain pAUC (information only) uses the domain's own clips", () => {
  // target only: normals {0.35, 0.8}, anomalies {0.3, 0.9}; top score 0.9 anomalous, then 0.8 normal (FPR 1/2):
  // TPR 1/2 up to FPR 0.1 -> area 0.05, McClish 0.5 * (1 + 0.045 / 0.095) = 0.5 + 9/38
  const s = dcaseMetrics(labels, scores, domains)!.sections[0]!;
  assert.ok(Math.abs(s.pAucTarget! - (0.5 + 9 / 38)) < 1e-12, `${s.pAucTarget}`);
  // source only: normals {0.1, 0.4} below the anomaly 0.5 -> perfect
  assert.equal(s.pAucSource, 1);
});

test("sections are scored separately and the official score is the harmonic mean over all their values", () => {
  const shifted = scores.map((v) => v + 10); // a second section with the same ranking
  const flipped = scores.map((v) => -v); // a third one, inverted
  const all = dcaseMetrics(
    [...labels, ...labels, ...labels],
    [...scores, ...shifted, ...flipped],
    [...domains, ...domains, ...domains],
    [...labels.map(() => "00"), ...labels.map(() => "01"), ...labels.map(() => "02")],
  )!;
  assert.deepEqual(
    all.sections.map((s) => s.section),
    ["00", "01", "02"],
  );
  assert.equal(all.sections[1]!.aucSource, all.sections[0]!.aucSource);
  assert.ok(Math.abs(all.sections[2]!.aucSource! - 1 / 6) < 1e-12);
  const values = all.sections.flatMap((s) => [s.aucSource!, s.aucTarget!, s.pAuc!]);
  const expected = values.length / values.reduce((a, v) => a + 1 / v, 0);
  assert.ok(Math.abs(all.officialScore! - expected) < 1e-12);
  assert.ok(Math.abs(all.aucSourceHmean! - 3 / (6 / 5 + 6 / 5 + 6)) < 1e-12);
});

test("anomalies of unknown domain count for both domains; normals of unknown domain for neither", () => {
  const m = dcaseMetrics([0, 0, 1, 0], [0.1, 0.9, 0.5, 0.99], ["source", "target", null, null])!;
  const s = m.sections[0]!;
  assert.equal(s.aucSource, 1); // 0.1 < 0.5
  assert.equal(s.aucTarget, 0); // 0.9 > 0.5
  assert.equal(s.counts.normalUnknown, 1);
  assert.equal(s.counts.anomalyUnknown, 1);
  assert.equal(
    m.officialScore,
    3 / (1 + 1 / Number.EPSILON + 1 / s.pAuc!),
    "an AUC of 0 is floored at machine epsilon",
  );
});

test("a domain without normal clips leaves its AUC and the official score undefined (null)", () => {
  const m = dcaseMetrics([0, 1, 1], [0.1, 0.5, 0.9], ["source", "source", "target"])!;
  assert.equal(m.sections[0]!.aucSource, 1);
  assert.equal(m.sections[0]!.aucTarget, null);
  assert.equal(m.officialScore, null);
  assert.equal(m.aucTargetHmean, null);
});

test("without any known domain there is nothing to report (null), and mismatched lengths throw", () => {
  assert.equal(dcaseMetrics([0, 1], [0.2, 0.4], [null, null]), null);
  assert.throws(() => dcaseMetrics([0, 1], [0.2], ["source", "target"]), /one of each per row/);
});

test("harmonicMean: 2ab/(a+b) for two values, null for an empty or undefined list", () => {
  assert.ok(Math.abs(harmonicMean([0.5, 1])! - 2 / 3) < 1e-15);
  assert.equal(harmonicMean([]), null);
  assert.equal(harmonicMean([0.5, null]), null);
});
