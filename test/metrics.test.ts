import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracy, classificationReport, confusionMatrix, formatClassificationReport } from "../src/evaluate/metrics";
import { degenerateModelWarnings } from "../src/pipeline/stages/evaluate";

// A hand-made case: 10 rows, true = 4 normal (0) + 6 broken (1).
// predictions: normal rows -> 0,0,0,1 ; broken rows -> 1,1,1,1,0,1
const yTrue = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const yPred = [0, 0, 0, 1, 1, 1, 1, 1, 0, 1];

test("counts a hand-made confusion matrix as [true][predicted]", () => {
  assert.deepEqual(confusionMatrix(yTrue, yPred, 2), [
    [3, 1],
    [1, 5],
  ]);
});

test("computes accuracy as the fraction of correct rows", () => {
  assert.equal(accuracy(yTrue, yPred), 0.8);
});

test("matches scikit-learn's classification_report numbers on the hand-made case", () => {
  const r = classificationReport(yTrue, yPred, ["normal", "broken"]);
  // normal: precision 3/4, recall 3/4; broken: precision 5/6, recall 5/6 (values from sklearn 1.2)
  assert.equal(r.perClass[0]!.precision, 0.75);
  assert.equal(r.perClass[0]!.recall, 0.75);
  assert.equal(r.perClass[0]!.f1, 0.75);
  assert.equal(r.perClass[0]!.support, 4);
  assert.ok(Math.abs(r.perClass[1]!.precision - 5 / 6) < 1e-15);
  assert.ok(Math.abs(r.perClass[1]!.f1 - 5 / 6) < 1e-15);
  assert.ok(Math.abs(r.macroAvg.f1 - (0.75 + 5 / 6) / 2) < 1e-15);
  assert.ok(Math.abs(r.weightedAvg.precision - (0.75 * 4 + (5 / 6) * 6) / 10) < 1e-15);
  assert.ok(Math.abs(r.balancedAccuracy - (0.75 + 5 / 6) / 2) < 1e-15);
  assert.equal(r.macroAvg.support, 10);
});

test("scores a model that always says broken with zero normal recall and balanced accuracy 0.5", () => {
  const t = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
  const p = new Array(10).fill(1);
  const r = classificationReport(t, p, ["normal", "broken"]);
  assert.equal(r.accuracy, 0.8);
  assert.equal(r.perClass[0]!.recall, 0);
  assert.equal(r.perClass[0]!.precision, 0); // zero_division=0
  assert.equal(r.perClass[0]!.f1, 0);
  assert.equal(r.balancedAccuracy, 0.5);
});

test("lays the text report out with the class names and the accuracy row", () => {
  const text = formatClassificationReport(classificationReport(yTrue, yPred, ["normal", "broken"]));
  assert.match(text, /normal\s+0\.75\s+0\.75\s+0\.75\s+4/);
  assert.match(text, /accuracy\s+0\.80\s+10/);
});

test("rejects predictions of a different length", () => {
  assert.throws(() => confusionMatrix([0, 1], [0], 2), /2 true labels but 1 predictions/);
});

test("warns when a class is never recognised and the test set is dominated by one class", () => {
  const t = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  const warnings = degenerateModelWarnings(classificationReport(t, new Array(20).fill(1), ["normal", "broken"]));
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /no "normal" test row was recognised/);
  assert.match(warnings[1]!, /85 % of the test rows are one class/);
  assert.deepEqual(degenerateModelWarnings(classificationReport(yTrue, yPred, ["normal", "broken"])), []);
});
