import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../config/pipeline";
import { classificationReport, classificationReportCsv, confusionMatrixCsv, formatClassificationReport, type ClassificationReport } from "../evaluate/metrics";
import { writeFileAtomic } from "../util/atomicWrite";
import { loadTrainedModel } from "./modelStore";
import { loadFeatureSet, SPLIT_FILES } from "./split";
import type { Reporter } from "./reporter";

/** What the evaluate stage computed and wrote. */
export interface EvaluateReport {
  report: ClassificationReport;
  /** Predicted class per test row. */
  predictions: Int32Array;
  /** Probability of class 1 (broken) per test row. */
  brokenProbability: Float32Array;
  /** The printable summary (report table and confusion matrix). */
  text: string;
  /** Things that make the headline numbers misleading (sent to the reporter, kept in metrics.json). */
  warnings: string[];
  /** Files written. */
  files: { metricsJson: string; reportCsv: string; confusionCsv: string; predictionsCsv: string };
  backend: string;
}

/** The confusion matrix as an aligned text table with row and column labels. */
export function formatConfusionMatrix(report: ClassificationReport): string {
  const names = report.classNames;
  const width = Math.max(8, ...names.map((n) => n.length + 2), ...report.confusion.flat().map((v) => String(v).length + 2));
  const label = Math.max(...names.map((n) => n.length)) + 7;
  const lines = [`${"".padStart(label)}${names.map((n) => `pred ${n}`.padStart(width + 5)).join("")}`];
  report.confusion.forEach((row, i) => lines.push(`${`true ${names[i]}`.padStart(label)}${row.map((v) => String(v).padStart(width + 5)).join("")}`));
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
      warnings.push(`no "${report.classNames[i]}" test row was recognised (recall 0): the accuracy of ${report.accuracy.toFixed(3)} comes from the other class alone; look at balanced accuracy (${report.balancedAccuracy.toFixed(3)}) and balance the classes (more recordings of "${report.classNames[i]}", or chunk them too: clean.chunkNormal)`);
    }
  });
  const supports = report.perClass.map((m) => m.support);
  const majority = Math.max(...supports) / Math.max(1, report.support);
  if (majority >= 0.8) {
    warnings.push(`${(majority * 100).toFixed(0)} % of the test rows are one class: a model that always answers that class scores ${(majority * 100).toFixed(0)} % accuracy`);
  }
  return warnings;
}

/**
 * Stage 5: score the saved model on X_test / y_test and write `metrics.json`,
 * `classification_report.csv`, `confusion_matrix.csv` and `test_predictions.csv` to the
 * reports folder.
 */
export async function evaluateStage(config: PipelineConfig, reporter: Reporter): Promise<EvaluateReport> {
  const processed = dataPath(config, "processed");
  const test = loadFeatureSet(join(processed, SPLIT_FILES.xTest), join(processed, SPLIT_FILES.yTest));
  const trained = await loadTrainedModel(config.modelDir, test.shape.slice(1), config.train.backend);
  const n = test.shape[0] as number;
  const probabilities = trained.predict(test.x, n);
  const predictions = new Int32Array(n);
  const brokenProbability = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p1 = probabilities[i * 2 + 1] as number;
    brokenProbability[i] = p1;
    predictions[i] = p1 > (probabilities[i * 2] as number) ? 1 : 0;
  }
  const classNames = trained.metadata.classNames;
  const report = classificationReport(test.y, predictions, classNames);
  const warnings = degenerateModelWarnings(report);
  for (const w of warnings) reporter.warn(w);
  const dir = config.reportsDir;
  const files = {
    metricsJson: join(dir, "metrics.json"),
    reportCsv: join(dir, "classification_report.csv"),
    confusionCsv: join(dir, "confusion_matrix.csv"),
    predictionsCsv: join(dir, "test_predictions.csv"),
  };
  writeFileAtomic(
    files.metricsJson,
    JSON.stringify(
      {
        accuracy: report.accuracy,
        balancedAccuracy: report.balancedAccuracy,
        classNames,
        perClass: Object.fromEntries(classNames.map((c, i) => [c, report.perClass[i]])),
        macroAvg: report.macroAvg,
        weightedAvg: report.weightedAvg,
        confusionMatrix: { rows: "true class", columns: "predicted class", counts: report.confusion },
        testRows: n,
        model: config.modelDir,
        backend: trained.backend,
        warnings,
        evaluatedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  writeFileAtomic(files.reportCsv, classificationReportCsv(report));
  writeFileAtomic(files.confusionCsv, confusionMatrixCsv(report));
  const predLines = ["test_row,true_label,predicted_label,probability_broken"];
  for (let i = 0; i < n; i++) predLines.push(`${i},${test.y[i]},${predictions[i]},${brokenProbability[i]}`);
  writeFileAtomic(files.predictionsCsv, predLines.join("\n") + "\n");
  const text = [
    `Evaluation on ${n} test rows (model ${config.modelDir}, backend ${trained.backend})`,
    "",
    formatClassificationReport(report, 4),
    "",
    `balanced accuracy ${report.balancedAccuracy.toFixed(4)}`,
    "",
    "Confusion matrix (rows: true class, columns: predicted class)",
    formatConfusionMatrix(report),
    "",
    `Reports written to ${dir}`,
  ].join("\n");
  reporter.info(`evaluate: accuracy ${report.accuracy.toFixed(4)}, balanced accuracy ${report.balancedAccuracy.toFixed(4)} on ${n} test rows`);
  return { report, predictions, brokenProbability, text, warnings, files, backend: trained.backend };
}
