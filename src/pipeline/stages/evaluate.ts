import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { toCsv, type CsvValue } from "../../data/csv";
import { assertSafeLayout } from "../../data/dataset";
import { loadNpy } from "../../data/npy";
import {
  classificationReportCsv,
  confusionMatrixCsv,
  formatClassificationReport,
  type ClassificationReport,
} from "../../evaluate/metrics";
import {
  evaluateScores,
  finiteOrNull,
  headlineMetrics,
  headlineTable,
  HEADLINE_METRICS,
  type ModelEvaluation,
  type ScoreThreshold,
} from "../../evaluate/modelEvaluation";
import type { DecisionThreshold } from "../../model/save";
import { writeFileAtomic } from "../../util/atomicWrite";
import { fitBaselines } from "../baselines";
import { evaluationFigures } from "../reports/evaluationFigures";
import { readFeatureManifest } from "../manifest";
import { loadTrainedModel } from "../modelStore";
import { FEATURE_MANIFEST, LABELS_FILE, type FeatureRow } from "./augmentAndExtract";
import { dcaseJson, dcaseModelMetrics, dcaseTable, writeDcaseReport } from "../reports/dcaseReport";
import { writeRunProvenance } from "../reports/runProvenance";
import { SKIPPED_CSV, skippedCsvPath } from "../reports/skipped";
import { copyIntoRun, runDirectory, writeFigures, writeRunConfig, type NamedFigure } from "../reports/runReport";
import { loadFeatureSet, recordingsOnSeveralSides, SPLIT_FILES, type FeatureSet, type SplitAssignment } from "./split";
import type { Reporter } from "../../util/reporter";
import { recordingAggregation } from "../detect/configured";
import {
  headlineSummary,
  recordingFigures,
  recordingLevelReport,
  writeRecordingLevelReport,
  type RecordingLevelReport,
} from "../detect/recordingReport";
import { loadRecordings } from "../detect/recordings";
import { loadStoredDetectors } from "../detect/store";

/** What the evaluate stage computed and wrote. */
export interface EvaluateReport {
  /** The CNN's classification report at its decision threshold. */
  report: ClassificationReport;
  /** The CNN and each baseline, on the same test rows. */
  evaluations: ModelEvaluation[];
  /** Predicted class per test row (CNN). */
  predictions: Int32Array;
  /** Probability of class 1 (broken) per test row (CNN). */
  brokenProbability: Float32Array;
  /** The CNN's decision threshold on P(broken) and where it came from. */
  threshold: ScoreThreshold;
  /** The printable summary. */
  text: string;
  /** Things that make the headline numbers misleading (sent to the reporter, kept in metrics.json). */
  warnings: string[];
  /** The run's report folder. */
  runDir: string;
  /** The report's figures (also written to `<runDir>/figures/` unless evaluate.figures is "none"). */
  figures: NamedFigure[];
  /** Files written. */
  files: {
    metricsJson: string;
    reportCsv: string;
    confusionCsv: string;
    predictionsCsv: string;
    comparisonCsv: string;
    comparisonMd: string;
    figures: string[];
  };
  backend: string;
}

/** The confusion matrix as an aligned text table with row and column labels. */
export function formatConfusionMatrix(report: ClassificationReport): string {
  const names = report.classNames;
  const width = Math.max(
    8,
    ...names.map((n) => n.length + 2),
    ...report.confusion.flat().map((v) => String(v).length + 2),
  );
  const label = Math.max(...names.map((n) => n.length)) + 7;
  const lines = [`${"".padStart(label)}${names.map((n) => `pred ${n}`.padStart(width + 5)).join("")}`];
  report.confusion.forEach((row, i) =>
    lines.push(`${`true ${names[i]}`.padStart(label)}${row.map((v) => String(v).padStart(width + 5)).join("")}`),
  );
  return lines.join("\n");
}

/**
 * Warnings for a report whose accuracy hides a useless model: a class that is never recognised
 * (recall 0), or a test set so unbalanced that always answering the majority class scores high.
 */
export function degenerateModelWarnings(report: ClassificationReport): string[] {
  const warnings: string[] = [];
  report.perClass.forEach((m, i) => {
    if (m.support > 0 && m.recall === 0) {
      warnings.push(
        `no "${report.classNames[i]}" test row was recognised (recall 0): ` +
          `the accuracy of ${report.accuracy.toFixed(3)} comes from the other class alone; ` +
          `look at balanced accuracy (${report.balancedAccuracy.toFixed(3)}) and balance the classes ` +
          `(more recordings of "${report.classNames[i]}", or chunk them too: clean.chunkNormal)`,
      );
    }
  });
  const supports = report.perClass.map((m) => m.support);
  const majority = Math.max(...supports) / Math.max(1, report.support);
  if (majority >= 0.8) {
    warnings.push(
      `${(majority * 100).toFixed(0)} % of the test rows are one class: ` +
        `a model that always answers that class scores ${(majority * 100).toFixed(0)} % accuracy`,
    );
  }
  return warnings;
}

/** The decision rule of a saved model: its stored threshold, or the argmax (0.5). */
export function modelThreshold(stored: DecisionThreshold | undefined): ScoreThreshold {
  if (stored === undefined) return { value: 0.5, source: "argmax (P(broken) >= 0.5)" };
  return {
    value: stored.value,
    source: `chosen on ${stored.chosenOn} by ${stored.criterion} (${stored.criterionValue.toFixed(4)})`,
  };
}

/** split_indices.json as the split stage wrote it. */
export function readSplitAssignment(processed: string): SplitAssignment & { method: string } {
  const path = join(processed, SPLIT_FILES.indices);
  if (!existsSync(path))
    return { method: "unknown", train: new Int32Array(0), validation: new Int32Array(0), test: new Int32Array(0) };
  const raw = JSON.parse(readFileSync(path, "utf8")) as {
    method?: string;
    train?: number[];
    validation?: number[];
    test?: number[];
  };
  return {
    method: raw.method ?? "unknown",
    train: Int32Array.from(raw.train ?? []),
    validation: Int32Array.from(raw.validation ?? []),
    test: Int32Array.from(raw.test ?? []),
  };
}

/**
 * Stage 5: score the saved model (at its decision threshold) and the configured baselines on
 * the test rows, and write the run's report folder (`runDirectory(config)`): `metrics.json`,
 * `classification_report.csv`, `confusion_matrix.csv`, `test_predictions.csv` (every test row:
 * file, source recording, each model's score and decision), `model_comparison.csv` / `.md`,
 * `config.json`, `provenance.json`, `skipped.csv` (when files were skipped) and `figures/`; with
 * `config.dcaseNames` and DCASE file names also `dcase_metrics.csv` / `.md` (AUC per domain, pAUC,
 * official score, per window and per recording) and the same under `dcase` in metrics.json.
 */
export async function evaluateStage(config: PipelineConfig, reporter: Reporter): Promise<EvaluateReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const processed = dataPath(config, "processed");
  const test = loadFeatureSet(join(processed, SPLIT_FILES.xTest), join(processed, SPLIT_FILES.yTest));
  const trained = await loadTrainedModel(config.modelDir, test.shape.slice(1), config.train.backend);
  const classNames = trained.metadata.classNames;
  const n = test.shape[0] as number;
  const probabilities = trained.predict(test.x, n);
  const brokenProbability = Float32Array.from({ length: n }, (_, i) => probabilities[i * 2 + 1] as number);
  const threshold = modelThreshold(trained.metadata.decisionThreshold);
  const maxFpr = config.evaluate.maxFpr;
  const cnn = evaluateScores("cnn", `P(${classNames[1]})`, test.y, brokenProbability, threshold, classNames, maxFpr);

  // baselines, fitted on the same training (and validation) rows
  const evaluations: ModelEvaluation[] = [cnn];
  const baselineScores: Array<{ name: string; scores: Float64Array; predictions: Int32Array }> = [];
  if (config.evaluate.baselines.length > 0) {
    const train = loadFeatureSet(join(processed, SPLIT_FILES.xTrain), join(processed, SPLIT_FILES.yTrain));
    const validation: FeatureSet | null = existsSync(join(processed, SPLIT_FILES.xVal))
      ? loadFeatureSet(join(processed, SPLIT_FILES.xVal), join(processed, SPLIT_FILES.yVal))
      : null;
    for (const b of fitBaselines(config, train, validation, reporter)) {
      const scores = b.score(test.x, n);
      const evaluation = evaluateScores(b.name, b.scoreName, test.y, scores, b.threshold, classNames, maxFpr);
      evaluations.push(evaluation);
      baselineScores.push({ name: b.name, scores, predictions: evaluation.predictions });
    }
  }

  // which recording each test row came from
  const assignment = readSplitAssignment(processed);
  const manifestPath = join(processed, FEATURE_MANIFEST);
  const labelsPath = join(processed, LABELS_FILE);
  const manifest =
    existsSync(manifestPath) && existsSync(labelsPath)
      ? readFeatureManifest(manifestPath, loadNpy(labelsPath).shape[0] as number)
      : null;
  const testRows = assignment.test.length === n ? assignment.test : null;

  // DCASE metrics per domain, per window and per recording, when the file names carry domains
  const dcaseScores = [
    { model: "cnn", scores: brokenProbability },
    ...baselineScores.map((b) => ({ model: b.name, scores: b.scores })),
  ];
  const dcase =
    config.dcaseNames && manifest !== null && testRows !== null
      ? dcaseModelMetrics(
          dcaseScores,
          test.y,
          Array.from(testRows, (r) => (manifest[r] as FeatureRow).source),
          maxFpr,
          recordingAggregation(config),
        )
      : [];

  // one decision per recording: the window models' scores aggregated, and the pooled-feature detectors on the
  // same recordings
  let perRecording: RecordingLevelReport | null = null;
  if (config.evaluate.recordingScore !== "none" && manifest !== null && testRows !== null) {
    const sources = Array.from(testRows, (r) => (manifest[r] as FeatureRow).source);
    const stored = loadStoredDetectors(config.modelDir);
    const wanted = new Set(sources);
    const quiet: Reporter = {
      info: () => undefined,
      warn: (m) => reporter.warn(m),
      skip: () => undefined,
      progress: () => undefined,
    };
    const audio = stored === null ? [] : await loadRecordings(config, quiet, "training", (id) => wanted.has(id));
    const windowScores = [brokenProbability, ...baselineScores.map((b) => b.scores)];
    const windowModels = evaluations.map((e, i) => ({
      model: e.model,
      scoreName: e.scoreName,
      threshold: e.threshold,
      scores: windowScores[i] as ArrayLike<number>,
    }));
    perRecording = await recordingLevelReport(
      windowModels,
      sources,
      test.y,
      recordingAggregation(config),
      stored,
      audio,
      classNames,
      maxFpr,
    );
    // the pooled-feature detectors score whole recordings: their DCASE metrics are per recording
    if (config.dcaseNames) {
      const windowNames = new Set(windowModels.map((m) => m.model));
      perRecording.evaluations.forEach((e, i) => {
        if (windowNames.has(e.model) || perRecording === null) return;
        dcase.push(
          ...dcaseModelMetrics(
            [{ model: e.model, scores: perRecording.scores[i] as Float64Array }],
            perRecording.labels,
            perRecording.recordings,
            maxFpr,
          ),
        );
      });
    }
  }

  const warnings = degenerateModelWarnings(cnn.report);
  if (manifest !== null && assignment.train.length > 0) {
    const leaking = recordingsOnSeveralSides(assignment, manifest);
    if (leaking > 0)
      warnings.push(
        `${leaking} source recordings have rows in both training and test (row-level split): ` +
          `these scores are optimistic; the recommended preset splits by recording`,
      );
  }
  for (const w of warnings) reporter.warn(w);

  const dir = runDirectory(config);
  const files = {
    metricsJson: join(dir, "metrics.json"),
    reportCsv: join(dir, "classification_report.csv"),
    confusionCsv: join(dir, "confusion_matrix.csv"),
    predictionsCsv: join(dir, "test_predictions.csv"),
    comparisonCsv: join(dir, "model_comparison.csv"),
    comparisonMd: join(dir, "model_comparison.md"),
    figures: [] as string[],
  };
  const perModel = Object.fromEntries(
    evaluations.map((e) => [
      e.model,
      {
        score: e.scoreName,
        threshold: e.threshold,
        ...headlineMetrics(e),
        partialAuc: e.ranking?.partialAuc ?? null,
        perClass: Object.fromEntries(classNames.map((c, i) => [c, e.report.perClass[i]])),
        macroAvg: e.report.macroAvg,
        weightedAvg: e.report.weightedAvg,
        confusionMatrix: e.report.confusion,
      },
    ]),
  );
  writeFileAtomic(
    files.metricsJson,
    JSON.stringify(
      {
        accuracy: cnn.report.accuracy,
        balancedAccuracy: cnn.report.balancedAccuracy,
        rocAuc: cnn.ranking?.rocAuc ?? null,
        partialAuc: cnn.ranking?.partialAuc ?? null,
        averagePrecision: cnn.ranking?.averagePrecision ?? null,
        threshold,
        classNames,
        perClass: Object.fromEntries(classNames.map((c, i) => [c, cnn.report.perClass[i]])),
        macroAvg: cnn.report.macroAvg,
        weightedAvg: cnn.report.weightedAvg,
        confusionMatrix: { rows: "true class", columns: "predicted class", counts: cnn.report.confusion },
        models: perModel,
        testRows: n,
        split: {
          method: assignment.method,
          train: assignment.train.length,
          validation: assignment.validation.length,
          test: assignment.test.length,
        },
        preset: config.preset,
        model: config.modelDir,
        backend: trained.backend,
        warnings,
        ...(dcase.length > 0 ? { dcase: dcaseJson(dcase) } : {}),
        ...(perRecording === null
          ? {}
          : {
              recordings: {
                aggregation: recordingAggregation(config),
                count: perRecording.recordings.length,
                models: Object.fromEntries(
                  perRecording.evaluations.map((e) => [
                    e.model,
                    {
                      score: e.scoreName,
                      threshold: e.threshold,
                      ...headlineMetrics(e),
                      partialAuc: e.ranking?.partialAuc ?? null,
                      confusionMatrix: e.report.confusion,
                    },
                  ]),
                ),
              },
            }),
        evaluatedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  writeFileAtomic(files.reportCsv, classificationReportCsv(cnn.report));
  writeFileAtomic(files.confusionCsv, confusionMatrixCsv(cnn.report));
  const predictionRows = Array.from({ length: n }, (_, i) => {
    const featureRow = testRows?.[i];
    const m = featureRow === undefined ? undefined : manifest?.[featureRow];
    const row: Record<string, CsvValue> = {
      test_row: i,
      feature_row: featureRow ?? null,
      file: m?.file ?? null,
      source: m?.source ?? null,
      augmentation: m?.augmentation ?? null,
      true_label: test.y[i] as number,
      probability_broken: brokenProbability[i] as number,
      predicted_label: cnn.predictions[i] as number,
    };
    for (const b of baselineScores) {
      row[`${b.name}_score`] = b.scores[i] as number;
      row[`${b.name}_predicted`] = b.predictions[i] as number;
    }
    return row;
  });
  const columns = [
    "test_row",
    "feature_row",
    "file",
    "source",
    "augmentation",
    "true_label",
    "probability_broken",
    "predicted_label",
    ...baselineScores.flatMap((b) => [`${b.name}_score`, `${b.name}_predicted`]),
  ];
  writeFileAtomic(files.predictionsCsv, toCsv(predictionRows, columns));
  const headline = evaluations.map((e) => ({ name: e.model, metrics: headlineMetrics(e) }));
  writeFileAtomic(
    files.comparisonCsv,
    toCsv(
      evaluations.map((e): Record<string, CsvValue> => ({
        model: e.model,
        score: e.scoreName,
        threshold: e.threshold.value,
        threshold_source: e.threshold.source,
        ...Object.fromEntries(HEADLINE_METRICS.map((k) => [k, finiteOrNull(headlineMetrics(e)[k])])),
      })),
      ["model", "score", "threshold", "threshold_source", ...HEADLINE_METRICS],
    ),
  );
  const table = headlineTable(headline);
  writeFileAtomic(
    files.comparisonMd,
    `# ${config.runName ?? "Evaluation"} (${n} test rows, preset ${config.preset})\n\n${table}\n\n` +
      `pAUC: partial ROC AUC up to FPR ${maxFpr}, divided by ${maxFpr} (DCASE).\n`,
  );
  writeDcaseReport(
    dir,
    dcase,
    `DCASE metrics: ${config.runName ?? "evaluation"} (${n} test rows, preset ${config.preset})`,
    maxFpr,
  );
  if (perRecording !== null)
    writeRecordingLevelReport(
      dir,
      perRecording,
      `${config.runName ?? "Evaluation"}: every model per recording (preset ${config.preset})`,
    );
  writeRunConfig(dir, config);
  copyIntoRun(dir, skippedCsvPath(config), SKIPPED_CSV);
  copyIntoRun(dir, join(processed, SPLIT_FILES.indices), SPLIT_FILES.indices);
  writeRunProvenance(dir, config, trained.backend);
  const figures = evaluationFigures(
    evaluations,
    [brokenProbability, ...baselineScores.map((b) => b.scores)],
    test.y,
    classNames,
    trained.metadata.history,
    maxFpr,
  );
  if (perRecording !== null) figures.push(...recordingFigures(perRecording, classNames, maxFpr));
  files.figures = await writeFigures(
    dir,
    figures,
    config.evaluate.figures,
    `soundcheck evaluation: ${config.runName ?? config.preset}`,
    reporter,
  );

  const thresholdLine = `Decision threshold: P(${classNames[1]}) >= ${threshold.value.toFixed(4)}, ${threshold.source}`;
  const ranking =
    cnn.ranking === null
      ? "ROC AUC n/a (one class only in the test set)"
      : `ROC AUC ${cnn.ranking.rocAuc.toFixed(4)}, ` +
        `pAUC(FPR <= ${maxFpr}) ${cnn.ranking.partialAuc.normalized.toFixed(4)}, ` +
        `average precision ${cnn.ranking.averagePrecision.toFixed(4)}`;
  const headlineModel = perRecording?.headline ?? null;
  const text = [
    `Evaluation on ${n} test rows (model ${config.modelDir}, backend ${trained.backend})`,
    thresholdLine,
    ...(perRecording === null
      ? []
      : [
          ...(headlineModel === null
            ? []
            : ["", `Headline (per recording): ${headlineSummary(headlineModel, perRecording.recordings.length)}`]),
          "",
          `Per recording (${perRecording.recordings.length} test recordings, ` +
            `one decision each; recording_comparison.md)`,
          perRecording.table,
          "",
          "Per window (CNN)",
        ]),
    "",
    formatClassificationReport(cnn.report, 4),
    "",
    `balanced accuracy ${cnn.report.balancedAccuracy.toFixed(4)}; ${ranking}`,
    "",
    "Confusion matrix (rows: true class, columns: predicted class)",
    formatConfusionMatrix(cnn.report),
    ...(evaluations.length > 1 ? ["", "All models on the same test rows", table] : []),
    ...(dcase.length > 0
      ? ["", "DCASE metrics (domains from the file names; dcase_metrics.md defines them)", dcaseTable(dcase)]
      : []),
    "",
    `Reports written to ${dir}`,
  ].join("\n");
  const cnnSummary =
    `accuracy ${cnn.report.accuracy.toFixed(4)}, ` +
    `balanced accuracy ${cnn.report.balancedAccuracy.toFixed(4)}` +
    `${cnn.ranking === null ? "" : `, ROC AUC ${cnn.ranking.rocAuc.toFixed(4)}`} on ${n} test rows`;
  reporter.info(
    headlineModel === null || perRecording === null
      ? `evaluate: ${cnnSummary}`
      : `evaluate: ${headlineSummary(headlineModel, perRecording.recordings.length)} (headline); CNN: ${cnnSummary}`,
  );
  return {
    report: cnn.report,
    evaluations,
    predictions: cnn.predictions,
    brokenProbability,
    threshold,
    text,
    warnings,
    runDir: dir,
    figures,
    files,
    backend: trained.backend,
  };
}
