/**
 * Threshold-free metrics of a binary score, as scikit-learn 1.2 computes them: ROC curve and its
 * area, partial area up to a false-positive rate (three conventions), precision-recall curve and
 * average precision.
 *
 * Conventions (all functions): class 1 is the positive class (broken), class 0 the negative
 * (normal); a higher score means "more likely class 1". Rows with equal scores are one point of
 * a curve (they cannot be separated by any threshold), as in scikit-learn.
 *
 * Degenerate inputs throw instead of returning NaN: an empty set, labels other than 0/1,
 * lengths that differ, NaN or infinite scores, and a set holding only one class (ROC and
 * precision-recall are undefined then; scikit-learn warns and returns NaN curves, or raises in
 * `roc_auc_score`). Call {@link bothClassesPresent} first to skip such a set instead.
 */
import { ConfigError, ShapeError } from "../errors";

/** Class per row: 0 (negative, normal) or 1 (positive, broken). */
export type BinaryLabels = ArrayLike<number>;
/** One score per row; higher = more likely class 1 (probability, logit, reconstruction error...). */
export type Scores = ArrayLike<number>;

/** Whether `labels` holds at least one row of class 0 and one of class 1. */
export function bothClassesPresent(labels: BinaryLabels): boolean {
  let zeros = 0;
  let ones = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) zeros++;
    else if (labels[i] === 1) ones++;
  }
  return zeros > 0 && ones > 0;
}

/**
 * Checks the inputs of a score metric; throws a {@link ShapeError} naming `metric` when they are
 * unusable (see the module comment).
 */
export function checkBinaryScores(metric: string, labels: BinaryLabels, scores: Scores): void {
  if (labels.length !== scores.length) {
    throw new ShapeError(
      metric,
      `${labels.length} labels but ${scores.length} scores`,
      "pass one score per labelled row",
    );
  }
  if (labels.length === 0) throw new ShapeError(metric, "no rows to score", "pass at least one row of each class");
  let ones = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1)
      throw new ShapeError(
        metric,
        `row ${i} has label ${String(y)}, not 0 or 1`,
        "pass binary labels (0 = normal, 1 = broken)",
      );
    if (!Number.isFinite(scores[i]))
      throw new ShapeError(
        metric,
        `row ${i} has score ${String(scores[i])}`,
        "replace NaN or infinite scores before computing the metric",
      );
    ones += y;
  }
  if (ones === 0 || ones === labels.length) {
    const only = ones === 0 ? 0 : 1;
    throw new ShapeError(
      metric,
      `all ${labels.length} rows are class ${only}, so the metric is undefined`,
      "score a set that holds at least one row of each class",
    );
  }
}

/**
 * Counts at each distinct score, from the highest score down: scikit-learn's
 * `_binary_clf_curve`. Entry k is "predict 1 when score >= thresholds[k]".
 */
interface BinaryCounts {
  /** False positives (class-0 rows with score >= threshold), non-decreasing. */
  fps: number[];
  /** True positives (class-1 rows with score >= threshold), non-decreasing. */
  tps: number[];
  /** The distinct scores, decreasing. */
  thresholds: number[];
}

function binaryCounts(labels: BinaryLabels, scores: Scores): BinaryCounts {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    // close a point at the last row of each group of equal scores
    if (next === undefined || scores[next] !== scores[i]) {
      fps.push(fp);
      tps.push(tp);
      thresholds.push(scores[i] as number);
    }
  }
  return { fps, tps, thresholds };
}

/** A ROC curve: point k is (fpr[k], tpr[k]) when predicting 1 for score >= thresholds[k]. */
export interface RocCurve {
  /** False-positive rate (share of class-0 rows flagged), from 0 up to 1. */
  fpr: number[];
  /** True-positive rate = recall of class 1, from 0 up to 1. */
  tpr: number[];
  /**
   * Decreasing. `thresholds[0]` is `+Infinity` (nothing flagged: the point (0, 0)), as
   * scikit-learn >= 1.3; scikit-learn 1.2 puts `max(score) + 1` there. `JSON.stringify` writes
   * Infinity as null.
   */
  thresholds: number[];
}

export interface RocCurveOptions {
  /**
   * Drop points that lie on a straight segment between their neighbours (they change neither
   * the plot nor the area), as scikit-learn's default `drop_intermediate=True`. Default true.
   */
  dropIntermediate?: boolean;
}

/** Receiver operating characteristic, as scikit-learn's `roc_curve` (see {@link RocCurve}). */
export function rocCurve(labels: BinaryLabels, scores: Scores, options: RocCurveOptions = {}): RocCurve {
  checkBinaryScores("rocCurve", labels, scores);
  let { fps, tps, thresholds } = binaryCounts(labels, scores);
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    // keep the ends and every corner: a point whose second difference is non-zero in fps or tps
    const keep = fps.map((_, k) => {
      if (k === 0 || k === fps.length - 1) return true;
      const d2 = (v: number[]) => (v[k + 1] as number) - 2 * (v[k] as number) + (v[k - 1] as number);
      return d2(fps) !== 0 || d2(tps) !== 0;
    });
    fps = fps.filter((_, k) => keep[k]);
    tps = tps.filter((_, k) => keep[k]);
    thresholds = thresholds.filter((_, k) => keep[k]);
  }
  const negatives = fps[fps.length - 1] as number;
  const positives = tps[tps.length - 1] as number;
  return {
    fpr: [0, ...fps.map((f) => f / negatives)],
    tpr: [0, ...tps.map((t) => t / positives)],
    thresholds: [Number.POSITIVE_INFINITY, ...thresholds],
  };
}

/** Area under a polyline by the trapezoid rule, as scikit-learn's `auc` (x non-decreasing). */
function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let k = 1; k < x.length; k++)
    area += (((x[k] as number) - (x[k - 1] as number)) * ((y[k] as number) + (y[k - 1] as number))) / 2;
  return area;
}

/**
 * Area under the ROC curve, as scikit-learn's `roc_auc_score`: the probability that a random
 * class-1 row scores higher than a random class-0 row (ties count one half). 1 = perfect,
 * 0.5 = chance, 0 = perfectly inverted.
 */
export function rocAuc(labels: BinaryLabels, scores: Scores): number {
  checkBinaryScores("rocAuc", labels, scores);
  const roc = rocCurve(labels, scores);
  return trapezoidArea(roc.fpr, roc.tpr);
}

/** The partial area under the ROC curve from FPR 0 to `maxFpr`, in three conventions. */
export interface PartialRocAuc {
  /** The area itself, in [0, maxFpr]. */
  raw: number;
  /**
   * `raw / maxFpr`, in [0, 1]: the DCASE challenge's pAUC as defined in its task description
   * (1 = perfect; chance is maxFpr / 2, i.e. 0.05 at maxFpr = 0.1).
   */
  normalized: number;
  /**
   * McClish's standardisation, in [0.5, 1] for better-than-chance curves: 0.5 = chance, 1 =
   * perfect. What scikit-learn's `roc_auc_score(max_fpr=...)` returns, and so what the DCASE
   * baseline code reports as pAUC.
   */
  mcclish: number;
  maxFpr: number;
}

/**
 * Partial ROC AUC up to a false-positive rate of `maxFpr` (DCASE uses 0.1), with the ROC
 * interpolated linearly at `maxFpr` (scikit-learn's procedure). See {@link PartialRocAuc} for
 * which of the three numbers is which.
 */
export function partialRocAuc(labels: BinaryLabels, scores: Scores, maxFpr = 0.1): PartialRocAuc {
  if (!(maxFpr > 0 && maxFpr <= 1)) {
    throw new ConfigError(
      "partialRocAuc",
      `maxFpr is ${maxFpr}`,
      "use a false-positive rate in (0, 1], e.g. 0.1 as in DCASE",
    );
  }
  checkBinaryScores("partialRocAuc", labels, scores);
  const { fpr, tpr } = rocCurve(labels, scores);
  let raw: number;
  if (maxFpr === 1) {
    raw = trapezoidArea(fpr, tpr);
  } else {
    // first index with fpr > maxFpr (numpy searchsorted side="right"); fpr ends at 1 > maxFpr
    let stop = 0;
    while ((fpr[stop] as number) <= maxFpr) stop++;
    const x0 = fpr[stop - 1] as number;
    const x1 = fpr[stop] as number;
    const y0 = tpr[stop - 1] as number;
    const y1 = tpr[stop] as number;
    const yAtMax = y0 + ((y1 - y0) * (maxFpr - x0)) / (x1 - x0);
    raw = trapezoidArea([...fpr.slice(0, stop), maxFpr], [...tpr.slice(0, stop), yAtMax]);
  }
  const minArea = 0.5 * maxFpr * maxFpr;
  const mcclish = maxFpr === 1 ? raw : 0.5 * (1 + (raw - minArea) / (maxFpr - minArea));
  return { raw, normalized: raw / maxFpr, mcclish, maxFpr };
}

/**
 * A precision-recall curve as scikit-learn 1.2's `precision_recall_curve`: entry k (k <
 * thresholds.length) is the precision and recall of class 1 when predicting 1 for score >=
 * thresholds[k]; thresholds increase, so recall decreases. The last entry is the point
 * (recall 0, precision 1), which has no threshold.
 */
export interface PrecisionRecallCurve {
  /** Share of flagged rows that are class 1; length thresholds.length + 1. */
  precision: number[];
  /** Share of class-1 rows flagged, from 1 down to 0; length thresholds.length + 1. */
  recall: number[];
  /** The distinct scores, increasing. */
  thresholds: number[];
}

/** Precision and recall of class 1 at every distinct score (see {@link PrecisionRecallCurve}). */
export function precisionRecallCurve(labels: BinaryLabels, scores: Scores): PrecisionRecallCurve {
  checkBinaryScores("precisionRecallCurve", labels, scores);
  const { fps, tps, thresholds } = binaryCounts(labels, scores);
  const positives = tps[tps.length - 1] as number;
  const precision = tps.map((t, k) => t / (t + (fps[k] as number))).reverse();
  const recall = tps.map((t) => t / positives).reverse();
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: [...thresholds].reverse() };
}

/**
 * Average precision, as scikit-learn's `average_precision_score`: the step-wise area under the
 * precision-recall curve, `sum_k (R_k - R_{k-1}) P_k` over thresholds from high to low (no
 * interpolation, no trapezoid). 1 = perfect; a random score gets about the share of class 1.
 */
export function averagePrecision(labels: BinaryLabels, scores: Scores): number {
  checkBinaryScores("averagePrecision", labels, scores);
  const { precision, recall } = precisionRecallCurve(labels, scores);
  let ap = 0;
  for (let k = 0; k + 1 < recall.length; k++)
    ap += ((recall[k] as number) - (recall[k + 1] as number)) * (precision[k] as number);
  return ap;
}
