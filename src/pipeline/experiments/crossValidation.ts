/**
 * Repeated k-fold cross-validation for thesis tables: every fold trains the CNN (and the
 * configured baselines) from scratch on the other folds, exactly as the train stage would, and
 * scores its own rows; the report gives every metric per fold and its mean ± standard
 * deviation over all folds of all repetitions.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { toCsv, type CsvValue } from "../../data/csv";
import { assertSafeLayout } from "../../data/dataset";
import { complementRows, groupedStratifiedFolds, stratifiedRowFolds } from "../../data/split";
import {
  evaluateScores,
  finiteOrNull,
  HEADLINE_METRICS,
  headlineMetrics,
  headlineTable,
  type HeadlineMetrics,
} from "../../evaluate/modelEvaluation";
import type { Figure } from "../../plots/figure";
import { writeFileAtomic } from "../../util/atomicWrite";
import { fitBaselines } from "../baselines";
import { modelThreshold } from "../stages/evaluate";
import { metricsComparisonFigureFor } from "../reports/evaluationFigures";
import { readFeatureManifest } from "../manifest";
import { FEATURE_MANIFEST, FEATURES_FILE, LABELS_FILE, type FeatureRow } from "../stages/augmentAndExtract";
import { dcaseModelMetrics, writeCvDcaseReport, type DcaseFold } from "../reports/dcaseReport";
import type { Reporter } from "../../util/reporter";
import { writeRunProvenance } from "../reports/runProvenance";
import { runDirectory, writeFigures, writeRunConfig } from "../reports/runReport";
import { carveValidation, keepOriginalsInEvaluation, loadFeatureSet, subsetFeatureSet } from "../stages/split";
import { trainConfiguredCnn } from "../stages/train";
import { predictProbabilities } from "../../model/predict";
import { recordingScores } from "../../evaluate/recordingScores";
import {
  crossValidateConfiguredDetectors,
  recordingAggregation,
  type DetectorCrossValidation,
} from "../detect/configured";
import { detectorFoldResults, detectorReportName, writeDomainTransferReport } from "../detect/reports";

/** One model's metrics on one fold. */
export interface FoldResult {
  repeat: number;
  fold: number;
  model: string;
  testRows: number;
  threshold: number;
  metrics: HeadlineMetrics;
  /**
   * What was scored: each window (chunk) or each recording (its windows' scores aggregated by
   * evaluate.recordingScore). Absent when recording-level scores are off (the thesis): windows.
   */
  level?: "window" | "recording";
}

/** Mean and sample standard deviation of every headline metric, per model. */
export interface ModelSummary {
  model: string;
  /** As {@link FoldResult.level}. */
  level?: "window" | "recording";
  folds: number;
  mean: HeadlineMetrics;
  sd: HeadlineMetrics;
}

export interface CrossValidationReport {
  folds: FoldResult[];
  summary: ModelSummary[];
  /** Markdown table of mean ± sd per model (recording-level rows first when they are on). */
  table: string;
  /** The pooled-feature detectors' folds and domain-transfer check; null when none are configured. */
  detectors: DetectorCrossValidation | null;
  /** Markdown table of the DCASE metrics' mean ± sd per model and level; null without DCASE names. */
  dcaseTable: string | null;
  runDir: string;
  /** Mean ± sd of the headline metrics per model. */
  figure: Figure;
  files: string[];
}

/** Mean and sample standard deviation (n - 1) of the finite values; NaN when there are none. */
export function meanAndSd(values: number[]): { mean: number; sd: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (v.length - 1));
  return { mean, sd };
}

/** Per-model (and level) mean ± sd over folds; recording-level summaries first, then window-level ones. */
export function summarizeFolds(folds: FoldResult[]): ModelSummary[] {
  const keys = [...new Set(folds.map((f) => `${f.level ?? ""}\u0000${f.model}`))];
  const rank = (k: string) => (k.startsWith("recording\u0000") ? 0 : 1);
  return keys
    .sort((a, b) => rank(a) - rank(b))
    .map((key) => {
      const mine = folds.filter((f) => `${f.level ?? ""}\u0000${f.model}` === key);
      const { model, level } = mine[0] as FoldResult;
      const mean = {} as HeadlineMetrics;
      const sd = {} as HeadlineMetrics;
      for (const k of HEADLINE_METRICS) {
        const s = meanAndSd(mine.map((f) => f.metrics[k]));
        mean[k] = s.mean;
        sd[k] = s.sd;
      }
      return { model, ...(level === undefined ? {} : { level }), folds: mine.length, mean, sd };
    });
}

/** A summary's row name: the model, with "per recording" / "per window" when levels are reported. */
export function summaryName(s: { model: string; level?: "window" | "recording" }): string {
  return s.level === undefined ? s.model : `${s.model}, per ${s.level}`;
}

/**
 * `config.cv.repeats` × `config.cv.folds` cross-validation on features.npy: folds are grouped by
 * source recording and stratified by class (split.method "grouped"), or stratified by rows
 * ("rows", the thesis's unit). Repetition r uses seed split.seed + r. Within each fold the
 * validation rows, class balance, threshold and baselines follow the config, and augmented rows
 * of the held-out fold are not scored unless split.augmentedInTest. Writes `cv_folds.csv`,
 * `cv_summary.csv`, `cv_summary.md`, `config.json`, `provenance.json` and figures to the run
 * folder; with `config.dcaseNames` and DCASE file names also `cv_dcase_folds.csv` and
 * `cv_dcase_summary.csv` / `.md` (AUC per domain, pAUC, official score per window and recording).
 */
export async function crossValidate(config: PipelineConfig, reporter: Reporter): Promise<CrossValidationReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const processed = dataPath(config, "processed");
  // the pooled-feature detectors read the raw recordings; the CNN and chunk baselines need features.npy
  const withCnn = config.detectors.models.length === 0 || existsSync(join(processed, FEATURES_FILE));
  if (!withCnn)
    reporter.warn(
      `${join(processed, FEATURES_FILE)} not found: cross-validating the pooled-feature detectors only ` +
        `(run "soundcheck preprocess" first to include the CNN and its baselines)`,
    );
  const set = withCnn
    ? loadFeatureSet(join(processed, FEATURES_FILE), join(processed, LABELS_FILE))
    : { x: new Float32Array(0), y: new Int32Array(0), shape: [0, 0, 0] };
  const rows = set.shape[0] as number;
  const manifest = withCnn ? readFeatureManifest(join(processed, FEATURE_MANIFEST), rows) : [];
  const perRecording = config.evaluate.recordingScore !== "none";
  const groups = manifest.map((m) => m.source);
  const { folds: k, repeats } = config.cv;
  const classNames = [...config.classNames];
  const results: FoldResult[] = [];
  const dcaseFolds: DcaseFold[] = [];
  let backend = "";
  const total = withCnn ? k * repeats : 0;
  reporter.progress("cross-validation", 0, total);
  for (let r = 0; withCnn && r < repeats; r++) {
    const seed = config.split.seed + r;
    const folds =
      config.split.method === "grouped"
        ? groupedStratifiedFolds(groups, set.y, k, seed)
        : stratifiedRowFolds(set.y, k, seed);
    for (let f = 0; f < k; f++) {
      const held = folds[f] as Int32Array;
      const rest = complementRows(rows, held);
      const { train, validation } = carveValidation(config, manifest, set.y, rest, seed + 1);
      const { assignment } = keepOriginalsInEvaluation(config, manifest, { train, validation, test: held });
      const trainSet = subsetFeatureSet(set, assignment.train);
      const valSet = assignment.validation.length > 0 ? subsetFeatureSet(set, assignment.validation) : null;
      const testSet = subsetFeatureSet(set, assignment.test);
      const n = assignment.test.length;
      const trained = await trainConfiguredCnn(config, trainSet, valSet, reporter, false);
      backend = trained.history.backend;
      const epochs = trained.history;
      const probs = predictProbabilities(trained.model, testSet.x, n, trained.inputStandardisation);
      trained.model.dispose();
      const p1 = Float64Array.from({ length: n }, (_, i) => probs[i * 2 + 1] as number);
      const threshold = modelThreshold(trained.threshold ?? undefined);
      const foldScores: Array<{ model: string; scores: Float64Array }> = [];
      const add = (model: string, scoreName: string, scores: Float64Array, t: typeof threshold) => {
        const e = evaluateScores(model, scoreName, testSet.y, scores, t, classNames, config.evaluate.maxFpr);
        results.push({
          repeat: r,
          fold: f,
          model,
          testRows: n,
          threshold: t.value,
          metrics: headlineMetrics(e),
          ...(perRecording ? { level: "window" as const } : {}),
        });
        if (perRecording) {
          const sources = Array.from(assignment.test, (row) => (manifest[row] as FeatureRow).source);
          const rec = recordingScores(sources, testSet.y, scores, recordingAggregation(config));
          const er = evaluateScores(model, scoreName, rec.labels, rec.scores, t, classNames, config.evaluate.maxFpr);
          results.push({
            repeat: r,
            fold: f,
            model,
            testRows: rec.recordings.length,
            threshold: t.value,
            metrics: headlineMetrics(er),
            level: "recording",
          });
        }
        foldScores.push({ model, scores });
      };
      add("cnn", `P(${classNames[1]})`, p1, threshold);
      for (const b of fitBaselines(config, trainSet, valSet, reporter))
        add(b.name, b.scoreName, b.score(testSet.x, n), b.threshold);
      if (config.dcaseNames) {
        const sources = Array.from(assignment.test, (row) => (manifest[row] as FeatureRow).source);
        for (const d of dcaseModelMetrics(
          foldScores,
          testSet.y,
          sources,
          config.evaluate.maxFpr,
          recordingAggregation(config),
        ))
          dcaseFolds.push({ repeat: r, fold: f, ...d });
      }
      const cnn = results.filter((x) => x.model === "cnn").at(-1)?.metrics;
      reporter.info(
        `cv repeat ${r + 1}/${repeats} fold ${f + 1}/${k}: ${n} test rows, ` +
          `CNN balanced accuracy ${cnn?.balancedAccuracy.toFixed(4)}, ROC AUC ${cnn?.rocAuc.toFixed(4)} ` +
          `(${epochs.loss.length} epochs${epochs.stoppedEarly ? ", stopped early" : ""}, ` +
          `weights of epoch ${epochs.weightsFromEpoch})`,
      );
      reporter.progress("cross-validation", r * k + f + 1, total);
    }
  }
  const detectors =
    config.detectors.models.length > 0 ? await crossValidateConfiguredDetectors(config, reporter) : null;
  if (detectors !== null) results.push(...detectorFoldResults(detectors, config));
  if (detectors !== null && config.dcaseNames) {
    for (const d of detectors.folds) {
      for (const m of dcaseModelMetrics(
        [{ model: detectorReportName(d.model, detectors.features), scores: d.scores.scores }],
        d.scores.labels,
        d.scores.recordings,
        config.evaluate.maxFpr,
      ))
        dcaseFolds.push({ repeat: d.repeat, fold: d.fold, ...m });
    }
  }
  const summary = summarizeFolds(results);
  const table = headlineTable(summary.map((s) => ({ name: summaryName(s), metrics: s.mean, sd: s.sd })));
  const withLevel = results.some((x) => x.level !== undefined);
  const dir = runDirectory(config);
  const files = [join(dir, "cv_folds.csv"), join(dir, "cv_summary.csv"), join(dir, "cv_summary.md")];
  writeFileAtomic(
    files[0] as string,
    toCsv(
      results.map((x): Record<string, CsvValue> => ({
        repeat: x.repeat,
        fold: x.fold,
        model: x.model,
        level: x.level ?? null,
        test_rows: x.testRows,
        threshold: x.threshold,
        ...Object.fromEntries(HEADLINE_METRICS.map((m) => [m, finiteOrNull(x.metrics[m])])),
      })),
      ["repeat", "fold", "model", ...(withLevel ? ["level"] : []), "test_rows", "threshold", ...HEADLINE_METRICS],
    ),
  );
  writeFileAtomic(
    files[1] as string,
    toCsv(
      summary.map((s): Record<string, CsvValue> => ({
        model: s.model,
        level: s.level ?? null,
        folds: s.folds,
        ...Object.fromEntries(
          HEADLINE_METRICS.flatMap((m) => [
            [`${m}_mean`, finiteOrNull(s.mean[m])],
            [`${m}_sd`, finiteOrNull(s.sd[m])],
          ]),
        ),
      })),
      ["model", ...(withLevel ? ["level"] : []), "folds", ...HEADLINE_METRICS.flatMap((m) => [`${m}_mean`, `${m}_sd`])],
    ),
  );
  const unit =
    config.split.method === "grouped"
      ? "grouped by source recording, stratified by class"
      : "row-level, stratified by class (recordings can be on both sides)";
  const levels = withLevel
    ? `\n\nPer recording: each recording's window scores aggregated by "${config.evaluate.recordingScore}" ` +
      `(evaluate.recordingScore), one decision per recording.` +
      `${detectors === null ? "" : ` Detectors on pooled features: ${detectors.features}.`}`
    : "";
  writeFileAtomic(
    files[2] as string,
    `# Cross-validation: ${repeats} x ${k} folds (${unit}), preset ${config.preset}\n\n` +
      `Mean ± sample standard deviation over ${repeats * k} folds.${levels}\n\n${table}\n`,
  );
  if (detectors !== null) files.push(...writeDomainTransferReport(dir, detectors, config));
  const dcase = writeCvDcaseReport(
    dir,
    dcaseFolds,
    `DCASE metrics, cross-validation: ${repeats} x ${k} folds (${unit}), preset ${config.preset}`,
    config.evaluate.maxFpr,
  );
  files.push(...dcase.files);
  files.push(writeRunConfig(dir, config));
  files.push(writeRunProvenance(dir, config, backend));
  const figure = metricsComparisonFigureFor(
    summary.map((x) => ({ ...x, model: summaryName(x) })),
    `Cross-validation, ${repeats} x ${k} folds (mean ± sd)`,
  );
  files.push(
    ...(await writeFigures(
      dir,
      [{ name: "cv_metrics", figure }],
      config.evaluate.figures,
      `soundcheck cross-validation: ${config.runName ?? config.preset}`,
      reporter,
    )),
  );
  reporter.info(`cross-validation: ${repeats} x ${k} folds -> ${dir}`);
  return { folds: results, summary, table, detectors, dcaseTable: dcase.table, runDir: dir, figure, files };
}
