import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recommendedConfig, thesisConfig, type PipelineConfig } from "../src/config/pipeline";
import { readCsv } from "../src/data/csv";
import { compareRuns } from "../src/pipeline/reports/compareRuns";
import { crossValidate } from "../src/pipeline/experiments/crossValidation";
import { CollectingReporter } from "../src/util/reporter";
import { runPipeline, type PipelineReport } from "../src/pipeline/run";
import { evaluateUnseen } from "../src/pipeline/experiments/unseen";
import { main } from "../src/pipeline/cli";
import { CHROMIUM_FLAGS, findChromium } from "../src/plots/save";
import { pcm16Wav, tone } from "./helpers/tinyDataset";

// Six recordings per class (3.2 s: one 3 s chunk each), clearly different tones, plus two unseen
// recordings per class; the recommended preset end to end, then the thesis preset on the same data.
const root = mkdtempSync(join(tmpdir(), "soundcheck-eval-"));
for (const [folder, count, freq, seed] of [
  ["broken_audio", 6, 1400, 100],
  ["normal_audio", 6, 350, 200],
  ["unseen_broken_audio", 2, 1400, 300],
  ["unseen_normal_audio", 2, 350, 400],
] as const) {
  mkdirSync(join(root, folder));
  for (let i = 0; i < count; i++)
    writeFileSync(
      join(root, folder, `rec_${i}.wav`),
      pcm16Wav([tone(3.2, 16000, freq + 15 * i, 0.3, 0.2, seed + i)], 16000),
    );
}
function configFor(preset: "recommended" | "thesis"): PipelineConfig {
  const config = preset === "recommended" ? recommendedConfig(root) : thesisConfig(root);
  config.dataRoot = root;
  config.modelDir = join(root, `model-${preset}`);
  config.reportsDir = join(root, "reports");
  config.runName = preset;
  config.train.epochs = 4;
  config.cv = { folds: 2, repeats: 1 };
  return config;
}
const recommended = configFor("recommended");
const reporter = new CollectingReporter();
let report: PipelineReport;
const runDir = join(root, "reports", "recommended");

test("the recommended preset runs end to end", async () => {
  report = await runPipeline(recommended, reporter);
  assert.equal(report.evaluate.runDir, runDir);
});

test("recommended: no recording on two sides; validation and test hold original clips of both classes only", () => {
  const s = report.split;
  assert.equal(s.recordingsOnSeveralSides, 0);
  assert.ok(s.droppedAugmentedRows > 0);
  assert.ok(s.testCounts[0] > 0 && s.testCounts[1] > 0);
  assert.ok(s.validationCounts[0] > 0 && s.validationCounts[1] > 0);
  const manifest = readCsv(join(root, "processed_data", "manifest.csv"));
  const predictions = readCsv(join(runDir, "test_predictions.csv"));
  assert.equal(predictions.length, s.indices.test.length);
  for (const p of predictions) {
    assert.equal(p.augmentation, "", "test rows are original clips");
    assert.equal(manifest[Number(p.feature_row)]!.source, p.source);
  }
  const trainSources = new Set(Array.from(s.indices.train, (r) => manifest[r]!.source));
  for (const p of predictions) assert.ok(!trainSources.has(p.source!), `${p.source} trained on and tested on`);
});

test("recommended: normal recordings are chunked and the training classes balanced by oversampling", () => {
  assert.ok(report.clean.samples.filter((c) => c.label === 0).every((c) => c.chunk !== null));
  assert.equal(report.train.fitCounts[0], report.train.fitCounts[1]);
  assert.ok(
    report.train.fitCounts[1] > report.split.trainCounts[0],
    "broken rows (with augmentations) outnumber normal rows before balancing",
  );
});

test("recommended: the threshold is chosen on validation, stored with the model, and used by evaluate", () => {
  const meta = JSON.parse(readFileSync(join(recommended.modelDir, "metadata.json"), "utf8")) as {
    decisionThreshold?: { value: number; chosenOn: string };
  };
  assert.ok(meta.decisionThreshold !== undefined);
  assert.ok(meta.decisionThreshold.value >= 0 && meta.decisionThreshold.value <= 1);
  assert.match(meta.decisionThreshold.chosenOn, /validation rows/);
  assert.equal(report.evaluate.threshold.value, meta.decisionThreshold.value);
  const p = report.evaluate.brokenProbability;
  report.evaluate.predictions.forEach((pred, i) => assert.equal(pred, p[i]! >= meta.decisionThreshold!.value ? 1 : 0));
});

test("the run folder is self-contained: config, metrics with ranking metrics, predictions, comparison, figures", () => {
  for (const f of [
    "config.json",
    "metrics.json",
    "classification_report.csv",
    "confusion_matrix.csv",
    "test_predictions.csv",
    "model_comparison.csv",
    "model_comparison.md",
    "split_indices.json",
    "provenance.json",
    "figures/index.html",
    "figures/plotly.min.js",
  ]) {
    assert.ok(existsSync(join(runDir, f)), f);
  }
  const provenance = JSON.parse(readFileSync(join(runDir, "provenance.json"), "utf8")) as {
    backend: string;
    inputs: { files: Array<{ path: string; sha256: string }> };
  };
  assert.equal(provenance.backend, report.evaluate.backend);
  assert.ok(
    provenance.inputs.files.some((f) => f.path === "broken_audio/rec_0.wav" && /^[0-9a-f]{64}$/.test(f.sha256)),
  );
  const config = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")) as PipelineConfig;
  assert.equal(config.preset, "recommended");
  const metrics = JSON.parse(readFileSync(join(runDir, "metrics.json"), "utf8")) as {
    balancedAccuracy: number;
    rocAuc: number | null;
    models: Record<string, { rocAuc: number | null; threshold: { value: number } }>;
  };
  assert.equal(metrics.balancedAccuracy, report.evaluate.report.balancedAccuracy);
  assert.ok(typeof metrics.rocAuc === "number" && metrics.rocAuc >= 0 && metrics.rocAuc <= 1);
  assert.deepEqual(
    Object.keys(metrics.models),
    report.evaluate.evaluations.map((e) => e.model),
  );
  assert.ok(report.evaluate.files.figures.length > 0);
});

test("cross-validation trains and scores every fold, with mean and sd per model", async () => {
  const cv = await crossValidate(recommended, new CollectingReporter());
  for (const level of ["window", "recording"] as const) {
    assert.equal(cv.folds.filter((f) => f.model === "cnn" && f.level === level).length, 2, `${level}-level CNN folds`);
  }
  const folds = readCsv(join(runDir, "cv_folds.csv"));
  assert.equal(folds.length, cv.folds.length);
  const summary = readCsv(join(runDir, "cv_summary.csv"));
  assert.equal(summary[0]!.level, "recording", "the recording-level rows come first (the headline)");
  const cnn = summary.find((r) => r.model === "cnn" && r.level === "window")!;
  const values = cv.folds
    .filter((f) => f.model === "cnn" && f.level === "window")
    .map((f) => f.metrics.balancedAccuracy);
  assert.ok(Math.abs(Number(cnn.balancedAccuracy_mean) - (values[0]! + values[1]!) / 2) < 1e-12);
  assert.match(readFileSync(join(runDir, "cv_summary.md"), "utf8"), /± /);
});

test("unseen recordings are cleaned, featurised and scored by the saved model without retraining", async () => {
  const before = readFileSync(join(recommended.modelDir, "weights.bin"));
  const unseen = await evaluateUnseen(recommended, new CollectingReporter());
  assert.equal(unseen.recordings.report.support, 4);
  assert.equal(unseen.rows.length, 4, "one 3 s window per 3.2 s recording");
  assert.deepEqual(readFileSync(join(recommended.modelDir, "weights.bin")), before);
  assert.equal(readCsv(join(runDir, "unseen_recordings.csv")).length, 4);
  assert.equal(unseen.windows.threshold.value, report.evaluate.threshold.value);
});

test("the thesis preset on the same data warns about leakage, and compare puts both runs side by side", async () => {
  const thesisReporter = new CollectingReporter();
  await runPipeline(configFor("thesis"), thesisReporter);
  assert.ok(
    thesisReporter.warnings.some((w) => /both sides of the split|in both training and test/.test(w)),
    thesisReporter.warnings.join("\n"),
  );
  const table = compareRuns([runDir, join(root, "reports", "thesis")]);
  assert.match(table, /recommended \(recommended, grouped split/);
  assert.match(table, /thesis \(thesis, row-level split/);
  assert.match(table, /Cross-validation/);
  const out = join(root, "comparison.md");
  const code = await main(["compare", runDir, join(root, "reports", "thesis"), "--out", out, "--quiet"]);
  assert.equal(code, 0);
  assert.equal(readFileSync(out, "utf8"), table);
});

test("the run's figure page draws every figure offline in headless Chromium, also those cross-validation added", async () => {
  const executablePath = findChromium();
  assert.ok(executablePath, "no Chromium: install it (Debian: apt install chromium) or set SOUNDCHECK_CHROMIUM");
  const expected = readdirSync(join(runDir, "figures"))
    .filter((f) => f.endsWith(".plotly.json"))
    .map((f) => f.replace(".plotly.json", ""))
    .sort();
  for (const name of ["confusion_matrix", "roc", "precision_recall", "scores_cnn", "training_loss", "cv_metrics"])
    assert.ok(expected.includes(name), name);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.route(/^https?:/, (route) => {
      errors.push(`fetched ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`file://${join(runDir, "figures", "index.html")}`);
    await page.waitForFunction((n) => document.querySelectorAll("svg.main-svg").length >= n, expected.length, {
      timeout: 60_000,
    });
    const drawn = await page.evaluate(() =>
      Array.from(document.querySelectorAll("figure > div")).map((d) => ({
        id: d.id,
        traces: d.querySelectorAll("svg.main-svg .trace, svg.main-svg image").length,
      })),
    );
    assert.deepEqual(
      drawn.map((d) => d.id),
      expected,
    );
    for (const d of drawn) assert.ok(d.traces >= 1, `${d.id} drew its traces`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
