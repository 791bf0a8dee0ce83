/**
 * Turning a score into a decision: choose the threshold on a validation set (never on the test
 * set), apply it, and bin scores per class for a histogram.
 *
 * Conventions as in ./scores: class 1 (broken) is positive, a higher score means more likely
 * class 1, and a row is predicted 1 when `score >= threshold`.
 */
import { ConfigError, ShapeError } from "../errors";
import { type BinaryLabels, checkBinaryScores, type Scores } from "./scores";

/**
 * What the threshold maximises.
 * - `balancedAccuracy`: (recall of class 1 + recall of class 0) / 2.
 * - `youden`: Youden's J = TPR - FPR = 2 * balanced accuracy - 1, so it picks the same
 *   threshold as `balancedAccuracy`; only the reported value differs.
 * - `f1`: F1 of class 1 = 2 TP / (2 TP + FP + FN).
 */
export type ThresholdCriterion = "balancedAccuracy" | "youden" | "f1";

export const THRESHOLD_CRITERIA: readonly ThresholdCriterion[] = ["balancedAccuracy", "youden", "f1"];

/** Confusion counts of a thresholded score: class 1 is positive. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ChosenThreshold {
  /** Predict 1 when score >= threshold. */
  threshold: number;
  /** The criterion's value at that threshold on the rows it was chosen on. */
  value: number;
  criterion: ThresholdCriterion;
  /** Counts at that threshold on the rows it was chosen on. */
  counts: ConfusionCounts;
}

/** Value of a criterion for given counts (P = tp + fn > 0 and N = fp + tn > 0). */
export function criterionValue(criterion: ThresholdCriterion, c: ConfusionCounts): number {
  const tpr = c.tp / (c.tp + c.fn);
  const tnr = c.tn / (c.tn + c.fp);
  switch (criterion) {
    case "balancedAccuracy":
      return (tpr + tnr) / 2;
    case "youden":
      return tpr + tnr - 1;
    case "f1":
      return (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
  }
}

/** Values closer than this count as equal when comparing candidate thresholds. */
const TIE_TOLERANCE = 1e-12;

/** The smallest double above `x` (used when a midpoint rounds onto one of its neighbours). */
function justAbove(x: number): number {
  return x + Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
}

/**
 * The threshold that maximises `criterion` on `labels`/`scores` (a validation set).
 *
 * Candidates are the midpoints between adjacent distinct scores, so the threshold sits in the
 * middle of the gap it cuts and generalises to scores not seen here, plus one below the lowest
 * score (everything flagged) and one above the highest (nothing flagged), each half the nearest
 * gap away (0.5 when all scores are equal). Ties: among candidates whose values agree within
 * 1e-12, the **highest** threshold wins (the fewest rows flagged, i.e. the fewest false alarms).
 *
 * Throws a ShapeError for the degenerate inputs of ./scores (one class only, NaN...), and a
 * ConfigError for an unknown criterion.
 */
export function chooseThreshold(labels: BinaryLabels, scores: Scores, criterion: ThresholdCriterion): ChosenThreshold {
  if (!THRESHOLD_CRITERIA.includes(criterion)) {
    throw new ConfigError(
      "chooseThreshold",
      `unknown criterion "${String(criterion)}"`,
      `use one of ${THRESHOLD_CRITERIA.join(", ")}`,
    );
  }
  checkBinaryScores("chooseThreshold", labels, scores);
  // distinct scores, increasing, with the class counts at each
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  const values: number[] = [];
  const positivesAt: number[] = [];
  const negativesAt: number[] = [];
  for (const i of order) {
    const s = scores[i] as number;
    if (values.length === 0 || values[values.length - 1] !== s) {
      values.push(s);
      positivesAt.push(0);
      negativesAt.push(0);
    }
    const last = values.length - 1;
    if (labels[i] === 1) positivesAt[last]! += 1;
    else negativesAt[last]! += 1;
  }
  const m = values.length;
  const positives = positivesAt.reduce((a, b) => a + b, 0);
  const negatives = negativesAt.reduce((a, b) => a + b, 0);
  const low = values[0] as number;
  const high = values[m - 1] as number;
  const edgeGap = (a: number, b: number) => (m > 1 ? (b - a) / 2 : 0.5);
  // candidate j flags the rows with score >= values[j] (j = m: nothing flagged); walk from the
  // top so the highest threshold is seen first and kept on ties
  let best: ChosenThreshold | null = null;
  let tp = 0;
  let fp = 0;
  for (let j = m; j >= 0; j--) {
    if (j < m) {
      tp += positivesAt[j] as number;
      fp += negativesAt[j] as number;
    }
    let threshold: number;
    if (j === m) {
      threshold = high + edgeGap(values[m - 2] ?? high, high);
      if (!(threshold > high)) threshold = justAbove(high);
    } else if (j === 0) {
      threshold = low - edgeGap(low, values[1] ?? low);
      if (!(threshold < low)) threshold = low;
    } else {
      const below = values[j - 1] as number;
      const above = values[j] as number;
      threshold = below + (above - below) / 2;
      if (!(threshold > below)) threshold = above;
    }
    const counts: ConfusionCounts = { tp, fp, tn: negatives - fp, fn: positives - tp };
    const value = criterionValue(criterion, counts);
    if (best === null || value > best.value + TIE_TOLERANCE) best = { threshold, value, criterion, counts };
  }
  return best as ChosenThreshold;
}

/** Class per row: 1 where score >= threshold, else 0. */
export function applyThreshold(scores: Scores, threshold: number): Int32Array {
  const out = new Int32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = (scores[i] as number) >= threshold ? 1 : 0;
  return out;
}

/** Counts of a thresholded score against binary labels. */
export function thresholdCounts(labels: BinaryLabels, scores: Scores, threshold: number): ConfusionCounts {
  if (labels.length !== scores.length) {
    throw new ShapeError(
      "thresholdCounts",
      `${labels.length} labels but ${scores.length} scores`,
      "pass one score per labelled row",
    );
  }
  const c: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const flagged = (scores[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (flagged) c.tp++;
      else c.fn++;
    } else if (flagged) c.fp++;
    else c.tn++;
  }
  return c;
}

/** Per-class counts of scores in shared bins. */
export interface ScoreHistogram {
  /** Bin edges, increasing, length bins + 1. Bin b is [edges[b], edges[b+1]), the last one closed. */
  edges: number[];
  /** `[class][bin]` counts, classes 0..max label. */
  counts: number[][];
}

/**
 * Histogram of the scores of each class on shared, equal-width bins spanning all scores (as
 * `numpy.histogram(scores[labels == c], bins, range=(min, max))` for each class c). When all
 * scores are equal the range is that score +- 0.5.
 *
 * @param labels  class per row, integers 0..nClasses-1
 * @param bins  number of bins, >= 1
 */
export function scoreHistogram(scores: Scores, labels: ArrayLike<number>, bins: number): ScoreHistogram {
  if (!(Number.isInteger(bins) && bins >= 1))
    throw new ConfigError("scoreHistogram", `bins is ${bins}`, "use a whole number of bins, at least 1");
  if (labels.length !== scores.length) {
    throw new ShapeError(
      "scoreHistogram",
      `${labels.length} labels but ${scores.length} scores`,
      "pass one score per labelled row",
    );
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let classes = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    const y = labels[i] as number;
    if (!Number.isFinite(s))
      throw new ShapeError("scoreHistogram", `row ${i} has score ${s}`, "replace NaN or infinite scores first");
    if (!(Number.isInteger(y) && y >= 0))
      throw new ShapeError("scoreHistogram", `row ${i} has label ${y}`, "pass class indices 0, 1, ...");
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
    classes = Math.max(classes, y + 1);
  }
  if (scores.length === 0) {
    lo = 0;
    hi = 1;
  } else if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, b) => (b === bins ? hi : lo + b * width));
  const counts = Array.from({ length: classes }, () => new Array<number>(bins).fill(0));
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    let b = Math.min(bins - 1, Math.floor((s - lo) / width));
    if (b > 0 && s < (edges[b] as number)) b--;
    else if (b < bins - 1 && s >= (edges[b + 1] as number)) b++;
    counts[labels[i] as number]![b]! += 1;
  }
  return { edges, counts };
}
