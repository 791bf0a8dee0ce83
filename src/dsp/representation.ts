/**
 * Time-frequency representations for the pooled-feature detectors, all from the librosa-exact
 * core of ./mfcc (same STFT, mel filterbank and dB conversion as the CNN's MFCC):
 * MFCC or log-mel, optionally with librosa's deltas appended.
 */
import type { RepresentationConfig } from "../config/detect";
import type { FeatureConfig } from "../config/features";
import { ShapeError } from "../errors";
import { zerosMatrix, type Matrix } from "./matrix";
import { createMfccExtractor } from "./mfcc";

/** Window length of librosa's `feature.delta` (its default). */
export const DELTA_WIDTH = 9;

/** Turns one mono clip at the feature rate into `[rows][frames]`, rows = bands × (1 + deltas). */
export type RepresentationExtractor = (samples: Float32Array) => Matrix;

/** Rows of a representation: `(kind === "mfcc" ? nMfcc : nMels) * (1 + deltas)`. */
export function representationRows(representation: RepresentationConfig): number {
  const bands = representation.kind === "mfcc" ? representation.nMfcc : representation.nMels;
  return bands * (1 + representation.deltas);
}

/** Readable name of each row, e.g. "mel 3", "mfcc 0", "d1 mfcc 0" (for pooled feature names). */
export function representationRowNames(representation: RepresentationConfig): string[] {
  const bands = representation.kind === "mfcc" ? representation.nMfcc : representation.nMels;
  const base = Array.from({ length: bands }, (_, i) => `${representation.kind === "mfcc" ? "mfcc" : "mel"} ${i}`);
  const out = [...base];
  for (let d = 1; d <= representation.deltas; d++) out.push(...base.map((n) => `d${d} ${n}`));
  return out;
}

/**
 * librosa 0.10 `feature.delta(data, width=9, order, axis=-1, mode="interp")`: the Savitzky-Golay
 * derivative of the given order (polynomial of that order over 9 frames). With mode "interp" the
 * first and last 4 frames take the value of the first and last full window (the fitted
 * polynomial's derivative of that order is constant).
 *
 * @param m  `[rows][frames]`, frames >= 9
 * @param order  1 (delta) or 2 (delta-delta, the second derivative itself, not a delta of deltas)
 * @returns  `[rows][frames]`
 */
export function deltaFeatures(m: Matrix, order: 1 | 2): Matrix {
  const half = (DELTA_WIDTH - 1) / 2;
  if (m.cols < DELTA_WIDTH) {
    throw new ShapeError(
      "deltaFeatures",
      `${m.cols} frames are fewer than the ${DELTA_WIDTH}-frame delta window`,
      "use longer windows, or representation.deltas 0",
    );
  }
  // least-squares derivative coefficients over k = -4..4: order 1 k / Σk²; order 2 2(k² − mean k²) / Σ(k² − mean)²
  const coefficients = new Float64Array(DELTA_WIDTH);
  const meanSquare = 20 / 3;
  for (let k = -half; k <= half; k++) coefficients[k + half] = order === 1 ? k / 60 : (2 * (k * k - meanSquare)) / 308;
  const out = zerosMatrix(m.rows, m.cols);
  for (let r = 0; r < m.rows; r++) {
    const o = r * m.cols;
    for (let t = half; t < m.cols - half; t++) {
      let s = 0;
      for (let k = 0; k < DELTA_WIDTH; k++) s += (coefficients[k] as number) * (m.data[o + t - half + k] as number);
      out.data[o + t] = s;
    }
    for (let t = 0; t < half; t++) out.data[o + t] = out.data[o + half] as number;
    for (let t = m.cols - half; t < m.cols; t++) out.data[o + t] = out.data[o + m.cols - half - 1] as number;
  }
  return out;
}

/** `[a; b; ...]` stacked along rows (all with the same number of columns). */
function stackRows(parts: Matrix[]): Matrix {
  const cols = (parts[0] as Matrix).cols;
  const out = zerosMatrix(
    parts.reduce((a, p) => a + p.rows, 0),
    cols,
  );
  let offset = 0;
  for (const p of parts) {
    out.data.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

/**
 * An extractor of the configured representation. The STFT parameters come from `features`
 * (sample rate, nFft, hop, fMin/fMax, topDb); the bands from `representation`. Every frame of
 * the clip is kept (no padding or truncation). Not re-entrant (one per concurrent caller).
 *
 * @returns  a function mapping a mono clip at `features.sampleRateHz` to `[rows][frames]`,
 *   frames = 1 + floor(samples / hop), rows = {@link representationRows}
 */
export async function createRepresentationExtractor(
  features: FeatureConfig,
  representation: RepresentationConfig,
): Promise<RepresentationExtractor> {
  const nMfcc = representation.kind === "mfcc" ? representation.nMfcc : Math.min(features.nMfcc, representation.nMels);
  const extractor = await createMfccExtractor({ ...features, nMels: representation.nMels, nMfcc, frames: null });
  const base = (samples: Float32Array) =>
    representation.kind === "mfcc" ? extractor.mfcc(samples) : extractor.melSpectrogramDb(samples);
  if (representation.deltas === 0) return base;
  return (samples) => {
    const m = base(samples);
    return stackRows(
      representation.deltas === 1 ? [m, deltaFeatures(m, 1)] : [m, deltaFeatures(m, 1), deltaFeatures(m, 2)],
    );
  };
}
