/**
 * Input standardisation of the CNN: each MFCC coefficient shifted by its mean and divided by its
 * standard deviation, both taken over every frame of the training clips only (never validation or
 * test clips). The statistics are stored with the model (metadata.json `inputStandardisation`) and
 * applied by {@link standardiseInput} wherever the CNN is fed, so a saved model predicts what it
 * predicted in memory. Browser-safe (no Node imports).
 */
import { ConfigError, ShapeError } from "../errors";

/** Per-coefficient statistics of the training clips: `mean[m]`, `std[m]` for m < nMfcc. */
export interface InputStandardisation {
  mean: number[];
  /** Population standard deviation; a coefficient constant in training gets 1 (shifted only). */
  std: number[];
}

/**
 * Mean and standard deviation of each coefficient over all frames of the given clips.
 *
 * @param x  clips `[count][nMfcc][frames]`, flat (the feature stage's layout)
 * @param rows  the clips to use (e.g. the training rows); repeated indices count once, so
 *   oversampling does not shift the statistics
 * @returns  float64 statistics; std 1 where a coefficient does not vary (or std is not finite)
 */
export function fitInputStandardisation(
  x: Float32Array,
  rows: ArrayLike<number>,
  nMfcc: number,
  frames: number,
): InputStandardisation {
  const per = nMfcc * frames;
  const count = x.length / per;
  const used = new Uint8Array(count);
  const sum = new Float64Array(nMfcc);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    if (!Number.isInteger(r) || r < 0 || r >= count)
      throw new ShapeError("standardisation rows", `row ${r} is not a clip in [0, ${count})`, "pass clip indices");
    used[r] = 1;
  }
  let n = 0;
  used.forEach((u, r) => {
    if (u === 0) return;
    n++;
    for (let m = 0; m < nMfcc; m++) {
      const at = r * per + m * frames;
      for (let t = 0; t < frames; t++) sum[m] = (sum[m] as number) + (x[at + t] as number);
    }
  });
  if (n === 0) throw new ShapeError("standardisation rows", "no clips given", "pass at least one training clip");
  const mean = Array.from(sum, (s) => s / (n * frames));
  const squares = new Float64Array(nMfcc);
  used.forEach((u, r) => {
    if (u === 0) return;
    for (let m = 0; m < nMfcc; m++) {
      const at = r * per + m * frames;
      const mu = mean[m] as number;
      let s = 0;
      for (let t = 0; t < frames; t++) s += ((x[at + t] as number) - mu) ** 2;
      squares[m] = (squares[m] as number) + s;
    }
  });
  const std = Array.from(squares, (s) => {
    const sd = Math.sqrt(s / (n * frames));
    return Number.isFinite(sd) && sd > 0 ? sd : 1;
  });
  return { mean, std };
}

/**
 * `(x - mean[m]) / std[m]` for every coefficient m of every clip, into a new array (or `out`).
 *
 * @param x  clips `[count][nMfcc][frames]`, flat
 * @param out  optional destination of the same length; may be `x` itself (in place)
 */
export function standardiseInput(
  x: Float32Array,
  nMfcc: number,
  frames: number,
  s: InputStandardisation,
  out?: Float32Array,
): Float32Array {
  const per = nMfcc * frames;
  if (s.mean.length !== nMfcc || s.std.length !== nMfcc || x.length % per !== 0) {
    throw new ShapeError(
      "inputStandardisation",
      `${s.mean.length} means and ${s.std.length} deviations for ${x.length} values of [${nMfcc}][${frames}] clips`,
      "use the statistics saved with this model (one per MFCC coefficient)",
    );
  }
  const dst = out ?? new Float32Array(x.length);
  for (let at = 0; at < x.length; at += per) {
    for (let m = 0; m < nMfcc; m++) {
      const mu = s.mean[m] as number;
      const sd = s.std[m] as number;
      const from = at + m * frames;
      for (let t = from; t < from + frames; t++) dst[t] = ((x[t] as number) - mu) / sd;
    }
  }
  return dst;
}

/** The statistics of a metadata.json value, or null when absent; throws on a malformed one. */
export function parseInputStandardisation(value: unknown, source: string): InputStandardisation | null {
  if (value === undefined || value === null) return null;
  const numbers = (v: unknown): v is number[] =>
    Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === "number" && Number.isFinite(e));
  const o = value as Record<string, unknown>;
  if (typeof value !== "object" || !numbers(o["mean"]) || !numbers(o["std"]) || o["mean"].length !== o["std"].length)
    throw new ConfigError(
      source,
      "inputStandardisation is not { mean: number[], std: number[] } of equal length",
      "save the model again with soundcheck train",
    );
  if (o["std"].some((v) => v <= 0))
    throw new ConfigError(source, "inputStandardisation.std holds a value <= 0", "save the model again");
  return { mean: o["mean"], std: o["std"] };
}
