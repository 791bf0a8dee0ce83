// End to end on the bundled demo data (data/: 20 + 20 valve recordings of 10 s, 6 + 6 unseen):
// the recommended preset's pooled-feature detectors in cross-validation (without features.npy),
// then a short pipeline run (CNN at 3 epochs) whose saved detectors evaluate, unseen and predict use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { recommendedConfig, thesisConfig, type PipelineConfig } from "../src/config/pipeline";
import { readCsv } from "../src/data/csv";
import { crossValidate } from "../src/pipeline/experiments/crossValidation";
import { evaluateUnseen } from "../src/pipeline/experiments/unseen";
import { loadStoredDetectors } from "../src/pipeline/detect/store";
import { formatPredictions, predictFiles } from "../src/pipeline/predict";
import { runPipeline } from "../src/pipeline/run";
import { CollectingReporter } from "../src/util/reporter";

const demo = resolve(__dirname, "..", "data");
const root = mkdtempSync(join(tmpdir(), "soundcheck-detect-"));
for (const folder of ["broken_audio", "normal_audio", "unseen_broken_audio", "unseen_normal_audio"])
  cpSync(join(demo, folder), join(root, folder), { recursive: true });

function config(): PipelineConfig {
  const c = recommendedConfig(root);
  c.dataRoot = root;
  c.modelDir = join(root, "model");
  c.reportsDir = join(root, "reports");
  c.evaluate.figures = "none";
  c.train.epochs = 3;
  c.workers = 1;
  return c;
}
const detectorNames = ["logistic-regression on logmel128 max", "knn on logmel128 max", "mahalanobis on logmel128 max"];

test("the thesis preset has no detectors and no recording-level reports; the recommended one has three", () => {
  const thesis = thesisConfig(root);
  assert.deepEqual(thesis.detectors.models, []);
  assert.equal(thesis.evaluate.recordingScore, "none");
  assert.deepEqual(config().detectors.models, ["logistic-regression", "knn", "mahalanobis"]);
});

test("cv without features.npy cross-validates the detectors per recording on the raw recordings, with the domain check", async () => {
  const c = { ...config(), runName: "cv" };
  const reporter = new CollectingReporter();
  const cv = await crossValidate(c, reporter);
  assert.ok(reporter.warnings.some((w) => /features\.npy not found/.test(w)));
  assert.equal(cv.folds.length, 3 * c.cv.folds * c.cv.repeats);
  assert.deepEqual(
    cv.summary.map((s) => `${s.model}|${s.level}`),
    detectorNames.map((n) => `${n}|recording`),
  );
  for (const f of cv.folds) assert.equal(f.testRows, 8, "a fifth of the 40 recordings, 4 per class");
  const lr = cv.summary[0]!;
  assert.ok(
    lr.mean.rocAuc >= 0.9,
    `the log-mel max logistic regression separates the demo recordings (ROC AUC ${lr.mean.rocAuc})`,
  );
  assert.equal(cv.detectors?.transfer.length, 6, "source -> target and target -> source for each detector");
  const transfer = readCsv(join(c.reportsDir, "cv", "cv_domain_transfer.csv"));
  assert.deepEqual(transfer.map((r) => `${r.train_domain}->${r.test_domain}`).slice(0, 2), [
    "source->target",
    "target->source",
  ]);
  assert.ok(transfer.every((r) => Number(r.test_recordings) === 20));
  assert.match(readFileSync(join(c.reportsDir, "cv", "cv_summary.md"), "utf8"), /per recording/);
});

test("pipeline saves the detectors; evaluate, unseen and predict report every model per recording", async () => {
  const c = { ...config(), runName: "run" };
  const report = await runPipeline(c, new CollectingReporter());
  const stored = loadStoredDetectors(c.modelDir);
  assert.ok(stored !== null);
  assert.deepEqual(
    stored.detectors.map((d) => d.reportName),
    detectorNames,
  );
  const testSources = new Set(readCsv(join(c.reportsDir, "run", "test_predictions.csv")).map((r) => r.source));
  for (const id of [...stored.trainedOn.train, ...stored.trainedOn.validation])
    assert.ok(!testSources.has(id), `${id} trained on and tested on`);
  const perRecording = readCsv(join(c.reportsDir, "run", "recording_comparison.csv"));
  assert.deepEqual(
    perRecording.map((r) => r.model),
    ["cnn", "logistic-regression", "autoencoder", ...detectorNames],
  );
  assert.ok(perRecording.every((r) => Number(r.recordings) === testSources.size));
  assert.match(report.evaluate.text, /Per recording \(8 test recordings/);

  const unseen = await evaluateUnseen(c, new CollectingReporter());
  assert.deepEqual(
    unseen.models.evaluations.map((e) => e.model),
    ["cnn", "logistic-regression", "autoencoder", ...detectorNames],
  );
  assert.equal(unseen.models.recordings.length, 12);
  // the headline is the preset's default model (first in detectors.models), per recording, not the CNN
  assert.equal(unseen.models.headline?.model, detectorNames[0]);
  assert.match(unseen.text, new RegExp(`Headline \\(per recording\\): ${detectorNames[0]}: ROC AUC`));
  assert.match(report.evaluate.text, new RegExp(`Headline \\(per recording\\): ${detectorNames[0]}: ROC AUC`));
  const scores = readCsv(join(c.reportsDir, "run", "unseen_recording_scores.csv"));
  assert.equal(scores.length, 12);
  const cnnMean = new Map(
    readCsv(join(c.reportsDir, "run", "unseen_recordings.csv")).map((r) => [r.file, Number(r.mean_probability_broken)]),
  );
  for (const r of scores)
    assert.ok(
      Math.abs(Number(r.cnn_score) - cnnMean.get(r.recording)!) < 1e-12,
      "the CNN's recording score is its windows' mean",
    );

  const files = readdirSync(join(root, "unseen_broken_audio")).map((f) => join(root, "unseen_broken_audio", f));
  const predictions = await predictFiles(c, files.slice(0, 2), new CollectingReporter());
  const lr = unseen.models.evaluations[3]!;
  for (const p of predictions) {
    assert.equal(p.detectors?.length, 3);
    const i = unseen.models.recordings.findIndex((id) => resolve(root, id) === p.file);
    assert.ok(
      Math.abs(p.detectors![0]!.score - unseen.models.scores[3]![i]!) < 1e-9,
      "predict and unseen give a recording the same detector score",
    );
    assert.equal(p.detectors![0]!.label, lr.predictions[i] === 1 ? "broken" : "normal");
  }
  // the printed table leads with the headline model's verdict, then the CNN's, and names the headline
  const lines = formatPredictions(predictions).split("\n");
  assert.match(lines[0]!, /^file +verdict \(score\) +cnn +probability +chunks +knn \(score\) +mahalanobis \(score\)$/);
  predictions.forEach((p, row) => {
    const cells = lines[row + 1]!.slice(p.file.length).trim().split(/\s+/);
    assert.deepEqual(cells.slice(0, 3), [p.detectors![0]!.label, `(${p.detectors![0]!.score.toFixed(3)})`, p.label]);
  });
  assert.match(lines.at(-1)!, new RegExp(`^verdict: ${detectorNames[0]}, the headline model`));
  const cnnOnly = formatPredictions(predictions.map(({ detectors: _, ...p }) => p)).split("\n");
  assert.match(cnnOnly[0]!, /^file +label +probability +chunks$/);
  assert.equal(cnnOnly.length, predictions.length + 1);
  assert.ok(existsSync(join(c.modelDir, "detectors.json")));
});
