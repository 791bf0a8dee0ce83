import { ShapeError } from "../errors";

/** Labels are class indices 0..nClasses-1. */
export type Labels = ArrayLike<number>;

/**
 * Confusion matrix `[true class][predicted class]` of counts, as scikit-learn's
 * `confusion_matrix(yTrue, yPred, labels=range(nClasses))`.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, nClasses: number): number[][] {
  if (yTrue.length !== yPred.length) {
    throw new ShapeError(
      "confusionMatrix",
      `${yTrue.length} true labels but ${yPred.length} predictions`,
      "pass one prediction per row",
    );
  }
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    if (!(t >= 0 && t < nClasses && p >= 0 && p < nClasses && Number.isInteger(t) && Number.isInteger(p))) {
      throw new ShapeError(
        "confusionMatrix",
        `row ${i} has label ${t} / prediction ${p} outside 0..${nClasses - 1}`,
        "check the class indices",
      );
    }
    (m[t] as number[])[p]! += 1;
  }
  return m;
}

/** Fraction of rows predicted correctly. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  if (yTrue.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** One class's row of a classification report. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of rows whose true class is this one. */
  support: number;
}

/** scikit-learn's `classification_report(..., output_dict=True)`, typed. */
export interface ClassificationReport {
  classNames: string[];
  perClass: ClassMetrics[];
  accuracy: number;
  /** Mean of per-class recall (scikit-learn's balanced_accuracy_score). */
  balancedAccuracy: number;
  macroAvg: ClassMetrics;
  weightedAvg: ClassMetrics;
  /** `[true][predicted]` counts. */
  confusion: number[][];
  /** Total rows. */
  support: number;
}

const safeDivide = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Precision, recall, F1 and support per class, with macro and weighted averages, as
 * scikit-learn's `classification_report` with `zero_division=0` (a ratio with a zero
 * denominator counts as 0, and scikit-learn would also warn).
 */
export function classificationReport(yTrue: Labels, yPred: Labels, classNames: string[]): ClassificationReport {
  const n = classNames.length;
  const confusion = confusionMatrix(yTrue, yPred, n);
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < n; c++) {
    const tp = (confusion[c] as number[])[c] as number;
    const support = (confusion[c] as number[]).reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + (row[c] as number), 0);
    const precision = safeDivide(tp, predicted);
    const recall = safeDivide(tp, support);
    const f1 = safeDivide(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support });
  }
  const total = yTrue.length;
  const average = (weights: number[]): ClassMetrics => {
    const w = weights.reduce((a, b) => a + b, 0);
    const pick = (key: "precision" | "recall" | "f1") =>
      safeDivide(
        perClass.reduce((a, m, i) => a + m[key] * (weights[i] as number), 0),
        w,
      );
    return { precision: pick("precision"), recall: pick("recall"), f1: pick("f1"), support: total };
  };
  const present = perClass.filter((m) => m.support > 0);
  return {
    classNames: [...classNames],
    perClass,
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: present.length === 0 ? Number.NaN : present.reduce((a, m) => a + m.recall, 0) / present.length,
    macroAvg: average(perClass.map(() => 1)),
    weightedAvg: average(perClass.map((m) => m.support)),
    confusion,
    support: total,
  };
}

/** The report as text laid out like scikit-learn's `classification_report` (2 decimals). */
export function formatClassificationReport(report: ClassificationReport, digits = 2): string {
  const names = [...report.classNames, "macro avg", "weighted avg"];
  const width = Math.max(12, ...names.map((s) => s.length));
  const col = (s: string) => s.padStart(10);
  const num = (x: number) => col(x.toFixed(digits));
  const lines = [`${"".padStart(width)}${col("precision")}${col("recall")}${col("f1-score")}${col("support")}`, ""];
  report.perClass.forEach((m, i) => {
    lines.push(
      `${(report.classNames[i] as string).padStart(width)}` +
        `${num(m.precision)}${num(m.recall)}${num(m.f1)}${col(String(m.support))}`,
    );
  });
  lines.push("");
  lines.push(`${"accuracy".padStart(width)}${col("")}${col("")}${num(report.accuracy)}${col(String(report.support))}`);
  for (const [name, m] of [
    ["macro avg", report.macroAvg],
    ["weighted avg", report.weightedAvg],
  ] as const) {
    lines.push(`${name.padStart(width)}${num(m.precision)}${num(m.recall)}${num(m.f1)}${col(String(m.support))}`);
  }
  return lines.join("\n");
}

/** The per-class table and averages as CSV (one header row, full precision). */
export function classificationReportCsv(report: ClassificationReport): string {
  const rows = ["class,precision,recall,f1,support"];
  report.perClass.forEach((m, i) =>
    rows.push(`${report.classNames[i]},${m.precision},${m.recall},${m.f1},${m.support}`),
  );
  rows.push(
    `macro avg,${report.macroAvg.precision},${report.macroAvg.recall},${report.macroAvg.f1},${report.macroAvg.support}`,
  );
  rows.push(
    `weighted avg,${report.weightedAvg.precision},${report.weightedAvg.recall},` +
      `${report.weightedAvg.f1},${report.weightedAvg.support}`,
  );
  rows.push(`accuracy,,,${report.accuracy},${report.support}`);
  rows.push(`balanced accuracy,,,${report.balancedAccuracy},${report.support}`);
  return rows.join("\n") + "\n";
}

/** The confusion matrix as CSV, rows = true class, columns = predicted class. */
export function confusionMatrixCsv(report: ClassificationReport): string {
  const header = ["true \\ predicted", ...report.classNames].join(",");
  return [header, ...report.confusion.map((row, i) => [report.classNames[i], ...row].join(","))].join("\n") + "\n";
}
