/**
 * Configuration of the recording-level detectors: which representation of a recording they read
 * (computed from the same librosa-exact core as the CNN's MFCC), how its frames are pooled into
 * one vector per window, which models score those vectors, and how window scores become one
 * score per recording.
 */

/**
 * What a window of audio becomes before pooling, from the same STFT and mel filterbank as the
 * CNN's features (`features.sampleRateHz`, `nFft`, `hopLength`, `fMinHz`, `fMaxHz`, `topDb`):
 * - "mfcc": `nMfcc` MFCCs from `nMels` mel bands (librosa `feature.mfcc`);
 * - "logmel": the `nMels` mel bands in dB (librosa `power_to_db(melspectrogram, ref=1, top_db)`).
 */
export type RepresentationKind = "mfcc" | "logmel";

/**
 * How a window is cut from a recording:
 * - "recording": the whole recording is one window (no padding, no truncation);
 * - "chunk": consecutive `clean.chunkSeconds` chunks, the short remainder dropped (as the clean stage).
 */
export type WindowKind = "recording" | "chunk";

/** The time-frequency representation the pooled-feature detectors read. */
export interface RepresentationConfig {
  kind: RepresentationKind;
  /** Mel bands (the rows of "logmel"; the input of the DCT for "mfcc"). */
  nMels: number;
  /** MFCCs kept ("mfcc" only). */
  nMfcc: number;
  /**
   * Appended derivatives along time, librosa `feature.delta` (width 9, mode "interp"):
   * 0 = none, 1 = deltas, 2 = deltas and delta-deltas. Multiplies the rows by 1 + deltas.
   */
  deltas: 0 | 1 | 2;
  window: WindowKind;
}

/**
 * A statistic over a window's frames, per row (band or coefficient): "mean", "std"
 * (population, numpy's default), "min", "max", or a percentile "p<q>" with q in [0, 100]
 * (numpy's linear interpolation), e.g. "p90".
 */
export type PoolStatistic = "mean" | "std" | "min" | "max" | `p${number}`;

/** How a window's `[rows][frames]` representation becomes one vector `[statistics.length * rows]`. */
export interface PoolingConfig {
  statistics: PoolStatistic[];
}

/**
 * Models on pooled features:
 * - "logistic-regression": supervised, L2-regularised, standardised (scikit-learn's
 *   `StandardScaler` + `LogisticRegression(C = 1 / l2)`), classes balanced; score = logit of P(broken);
 * - "knn": normal-only (DCASE's spirit): mean Euclidean distance of the standardised vector to
 *   its `knnNeighbours` nearest normal training vectors;
 * - "mahalanobis": normal-only: Mahalanobis distance to the normal training vectors, covariance
 *   shrunk by the Ledoit-Wolf rule (as scikit-learn's `LedoitWolf`), on standardised vectors.
 * Standardisation is always fitted on the training rows only.
 */
export type DetectorName = "logistic-regression" | "knn" | "mahalanobis";

export const DETECTOR_NAMES: readonly DetectorName[] = ["logistic-regression", "knn", "mahalanobis"];

/** The pooled-feature detectors run next to the CNN (empty list = none, as the thesis). */
export interface DetectorsConfig {
  models: DetectorName[];
  /** Neighbours of the "knn" detector. */
  knnNeighbours: number;
  /** Penalty strength of the "logistic-regression" detector (1 / C of scikit-learn). */
  l2: number;
}

/**
 * How the scores of a recording's windows become the recording's score: "mean", "max", or
 * "top-k" (the mean of its k highest window scores). "none" reports windows only (the thesis).
 */
export type RecordingScoreRule = "none" | "mean" | "max" | "top-k";

export const DEFAULT_REPRESENTATION: Readonly<RepresentationConfig> = Object.freeze({
  kind: "mfcc",
  nMels: 128,
  nMfcc: 40,
  deltas: 0,
  window: "recording",
});

export const DEFAULT_POOLING: Readonly<PoolingConfig> = Object.freeze({
  statistics: ["mean", "std"] as PoolStatistic[],
});

export const DEFAULT_DETECTORS: Readonly<DetectorsConfig> = Object.freeze({
  models: [] as DetectorName[],
  knnNeighbours: 5,
  l2: 1,
});

/** The percentile q (0..100) of a "p<q>" statistic, or null for another statistic or a malformed one. */
export function percentileOf(statistic: string): number | null {
  const m = /^p(\d+(?:\.\d+)?)$/.exec(statistic);
  if (m === null) return null;
  const q = Number(m[1]);
  return q >= 0 && q <= 100 ? q : null;
}

/** Whether `value` names a pooling statistic (see {@link PoolStatistic}). */
export function isPoolStatistic(value: unknown): value is PoolStatistic {
  return typeof value === "string" && (["mean", "std", "min", "max"].includes(value) || percentileOf(value) !== null);
}

/** A short readable name of a representation and pooling, e.g. "logmel128 max" or "mfcc40+d1 mean,std (3 s chunks)". */
export function describeFeatures(
  representation: RepresentationConfig,
  pooling: PoolingConfig,
  chunkSeconds?: number,
): string {
  const rows = representation.kind === "mfcc" ? `mfcc${representation.nMfcc}` : `logmel${representation.nMels}`;
  const deltas = representation.deltas > 0 ? `+d${representation.deltas}` : "";
  const window = representation.window === "recording" ? "" : ` (${chunkSeconds ?? "?"} s chunks)`;
  return `${rows}${deltas} ${pooling.statistics.join(",")}${window}`;
}
