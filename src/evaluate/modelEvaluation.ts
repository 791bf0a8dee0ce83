/**
 * Everything we report about one model's scores on one labelled set: the decisions at its
 * threshold (classification report, balanced accuracy, confusion matrix) and the
 * threshold-free metrics (ROC AUC, partial AUC, average precision) with their curves.
 */
import { classificationReport, type ClassificationReport } from "./metrics";
import {
  averagePrecision,
  bothClassesPresent,
  partialRocAuc,
  precisionRecallCurve,
  rocCurve,
  rocAuc,
  type PartialRocAuc,
  type PrecisionRecallCurve,
  type RocCurve,
} from "./scores";
import { applyThreshold } from "./thresholds";

/** How a model's score becomes a decision, and where that rule came from. */
export interface ScoreThreshold {
  /** Predict class 1 when score >= value. */
  value: number;
  /** e.g. "validation rows (balanced accuracy)", "argmax (0.5)". */
  source: string;
}

/** One model's results on one set. */
export interface ModelEvaluation {
  /** Model name, e.g. "cnn", "logistic-regression", "autoencoder". */
  model: string;
  /** What the score is, e.g. "P(broken)" or "reconstruction error". */
  scoreName: string;
  threshold: ScoreThreshold;
  /** Predicted class per row: 1 where score >= threshold. */
  predictions: Int32Array;
  report: ClassificationReport;
  /** Threshold-free metrics; null when the set holds only one class (they are undefined). */
  ranking: {
    rocAuc: number;
    partialAuc: PartialRocAuc;
    averagePrecision: number;
    roc: RocCurve;
    precisionRecall: PrecisionRecallCurve;
  } | null;
}

/**
 * Evaluate scores against labels (class 1 = broken = positive; higher score = more broken).
 *
 * @param labels  true class per row
 * @param scores  one score per row
 * @param maxFpr  upper false-positive rate of the partial AUC (DCASE: 0.1)
 */
export function evaluateScores(
  model: string,
  scoreName: string,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: ScoreThreshold,
  classNames: string[],
  maxFpr: number,
): ModelEvaluation {
  const predictions = applyThreshold(scores, threshold.value);
  const report = classificationReport(labels, predictions, classNames);
  const ranking = bothClassesPresent(labels)
    ? {
        rocAuc: rocAuc(labels, scores),
        partialAuc: partialRocAuc(labels, scores, maxFpr),
        averagePrecision: averagePrecision(labels, scores),
        roc: rocCurve(labels, scores),
        precisionRecall: precisionRecallCurve(labels, scores),
      }
    : null;
  return { model, scoreName, threshold, predictions, report, ranking };
}

/** The headline numbers of an evaluation, flat (for tables, CSV and cross-validation means). */
export interface HeadlineMetrics {
  accuracy: number;
  balancedAccuracy: number;
  /** Recall of class 0 (normal): share of normal rows recognised. */
  recallNormal: number;
  /** Recall of class 1 (broken): share of broken rows caught. */
  recallBroken: number;
  precisionBroken: number;
  f1Macro: number;
  rocAuc: number;
  /** Partial AUC up to maxFpr, normalised by maxFpr (DCASE task description). */
  pAuc: number;
  averagePrecision: number;
}

export const HEADLINE_METRICS: readonly (keyof HeadlineMetrics)[] = [
  "accuracy",
  "balancedAccuracy",
  "recallNormal",
  "recallBroken",
  "precisionBroken",
  "f1Macro",
  "rocAuc",
  "pAuc",
  "averagePrecision",
];

/** Human-readable column titles of {@link HEADLINE_METRICS}. */
export const HEADLINE_TITLES: Record<keyof HeadlineMetrics, string> = {
  accuracy: "accuracy",
  balancedAccuracy: "balanced acc.",
  recallNormal: "recall normal",
  recallBroken: "recall broken",
  precisionBroken: "precision broken",
  f1Macro: "F1 macro",
  rocAuc: "ROC AUC",
  pAuc: "pAUC",
  averagePrecision: "AP",
};

export function headlineMetrics(e: ModelEvaluation): HeadlineMetrics {
  const r = e.report;
  return {
    accuracy: r.accuracy,
    balancedAccuracy: r.balancedAccuracy,
    recallNormal: r.perClass[0]?.recall ?? Number.NaN,
    recallBroken: r.perClass[1]?.recall ?? Number.NaN,
    precisionBroken: r.perClass[1]?.precision ?? Number.NaN,
    f1Macro: r.macroAvg.f1,
    rocAuc: e.ranking?.rocAuc ?? Number.NaN,
    pAuc: e.ranking?.partialAuc.normalized ?? Number.NaN,
    averagePrecision: e.ranking?.averagePrecision ?? Number.NaN,
  };
}

/** A metric for a CSV cell: the number, or null (an empty cell) when it is undefined (NaN). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** A markdown table, one row per model, the headline metrics as columns (NaN shown as "n/a"). */
export function headlineTable(
  rows: Array<{ name: string; metrics: HeadlineMetrics; sd?: HeadlineMetrics }>,
  digits = 3,
): string {
  const fmt = (v: number, sd?: number) =>
    Number.isFinite(v)
      ? v.toFixed(digits) + (sd !== undefined && Number.isFinite(sd) ? ` ± ${sd.toFixed(digits)}` : "")
      : "n/a";
  const head = `| model | ${HEADLINE_METRICS.map((k) => HEADLINE_TITLES[k]).join(" | ")} |`;
  const rule = `| --- | ${HEADLINE_METRICS.map(() => "---:").join(" | ")} |`;
  const body = rows.map(
    (r) => `| ${r.name} | ${HEADLINE_METRICS.map((k) => fmt(r.metrics[k], r.sd?.[k])).join(" | ")} |`,
  );
  return [head, rule, ...body].join("\n");
}
