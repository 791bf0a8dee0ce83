import { test } from "node:test";
import assert from "node:assert/strict";
import {
  metricsComparisonFigure,
  precisionRecallFigure,
  rocFigure,
  scoreHistogramFigure,
  type Figure,
} from "../src/plots";
import { averagePrecision, partialRocAuc, precisionRecallCurve, rocAuc, rocCurve } from "../src/evaluate/scores";

type Obj = Record<string, unknown>;
const axisTitle = (fig: Figure, axis: "xaxis" | "yaxis") => ((fig.layout[axis] as Obj)["title"] as Obj)["text"];
const shapes = (fig: Figure) => fig.layout["shapes"] as Obj[];

const labels = [0, 0, 0, 0, 1, 1, 1, 0, 1, 1];
const cnnScores = [0.1, 0.2, 0.15, 0.3, 0.8, 0.7, 0.9, 0.6, 0.4, 0.95];
const baselineScores = [0.3, 0.5, 0.2, 0.6, 0.4, 0.7, 0.8, 0.1, 0.9, 0.65];

test("rocFigure draws one line per model plus the chance diagonal, and shades FPR up to maxFpr", () => {
  const curves = [
    ["CNN", cnnScores],
    ["logistic regression", baselineScores],
  ] as const;
  const fig = rocFigure(
    curves.map(([name, s]) => ({
      name,
      ...rocCurve(labels, s),
      auc: rocAuc(labels, s),
      pAuc: partialRocAuc(labels, s).normalized,
    })),
    0.2,
  );
  assert.equal(fig.data.length, 3);
  const cnnRoc = rocCurve(labels, cnnScores);
  assert.deepEqual(fig.data[0]!["x"], cnnRoc.fpr);
  assert.deepEqual(fig.data[0]!["y"], cnnRoc.tpr);
  assert.match(String(fig.data[0]!["name"]), new RegExp(`^CNN \\(AUC ${rocAuc(labels, cnnScores).toFixed(3)}, pAUC `));
  assert.deepEqual(
    [fig.data[2]!["x"], fig.data[2]!["y"]],
    [
      [0, 1],
      [0, 1],
    ],
  );
  assert.match(String(axisTitle(fig, "xaxis")), /false-positive rate/);
  assert.match(String(axisTitle(fig, "yaxis")), /true-positive rate/);
  const region = shapes(fig)[0]!;
  assert.equal(region["type"], "rect");
  assert.deepEqual([region["x0"], region["x1"]], [0, 0.2]);
});

test("precisionRecallFigure draws step curves and a chance line at the share of positives", () => {
  const pr = precisionRecallCurve(labels, cnnScores);
  const fig = precisionRecallFigure(
    [{ name: "CNN", ...pr, averagePrecision: averagePrecision(labels, cnnScores) }],
    0.5,
  );
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0]!["x"], pr.recall);
  assert.equal((fig.data[0]!["line"] as Obj)["shape"], "hv");
  assert.deepEqual(fig.data[1]!["y"], [0.5, 0.5]);
  assert.match(String(axisTitle(fig, "xaxis")), /^recall/);
  assert.match(String(axisTitle(fig, "yaxis")), /^precision/);
  assert.equal(
    precisionRecallFigure([{ name: "CNN", ...pr, averagePrecision: 1 }]).data.length,
    1,
    "no chance line without a positive rate",
  );
});

test("scoreHistogramFigure overlays one histogram per class and marks the threshold with a labelled line at its value", () => {
  const fig = scoreHistogramFigure(cnnScores, labels, ["normal", "broken"], 0.55, "P(broken)", "Scores", 5);
  assert.equal(fig.data.length, 2);
  assert.equal(fig.layout["barmode"], "overlay");
  const perClass = fig.data.map((t) => (t["y"] as number[]).reduce((a, b) => a + b, 0));
  assert.deepEqual(perClass, [5, 5]);
  assert.match(String(fig.data[1]!["name"]), /^broken \(5 clips\)/);
  const line = shapes(fig)[0]!;
  assert.deepEqual([line["type"], line["x0"], line["x1"], line["yref"]], ["line", 0.55, 0.55, "paper"]);
  const label = (fig.layout["annotations"] as Obj[])[0]!;
  assert.equal(label["x"], 0.55);
  assert.match(String(label["text"]), /threshold 0\.55/);
  assert.equal(axisTitle(fig, "xaxis"), "P(broken)");
  assert.equal(axisTitle(fig, "yaxis"), "clips");
});

test("metricsComparisonFigure groups one bar per setup under each metric, with sd error bars when given", () => {
  const fig = metricsComparisonFigure(
    [
      { name: "thesis preset", metrics: { accuracy: 0.97, "balanced accuracy": 0.5, AUC: 0.61 } },
      {
        name: "recommended preset",
        metrics: { accuracy: 0.9, "balanced accuracy": 0.88, AUC: 0.93 },
        sd: { accuracy: 0.02, "balanced accuracy": 0.03, AUC: 0.01 },
      },
    ],
    ["accuracy", "balanced accuracy", "AUC"],
  );
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0]!["x"], ["accuracy", "balanced accuracy", "AUC"]);
  assert.deepEqual(fig.data[1]!["y"], [0.9, 0.88, 0.93]);
  assert.equal(fig.data[0]!["error_y"], undefined);
  assert.deepEqual((fig.data[1]!["error_y"] as Obj)["array"], [0.02, 0.03, 0.01]);
  assert.equal(fig.layout["barmode"], "group");
  assert.deepEqual((fig.layout["yaxis"] as Obj)["range"], [0, 1.15]);
  assert.equal(fig.data[0]!["text"], undefined, "no value labels to collide with error bars");
  const counts = metricsComparisonFigure([{ name: "a", metrics: { clips: 120 } }], ["clips"]);
  assert.equal(axisTitle(counts, "yaxis"), "value", "values outside 0..1 are not called scores");
  assert.deepEqual(counts.data[0]!["text"], ["120"]);
});
