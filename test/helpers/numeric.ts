import assert from "node:assert/strict";
import { join } from "node:path";

/** The librosa reference fixtures copied into the project (see their README). */
export const LIBROSA_FIXTURES = join(__dirname, "..", "fixtures", "librosa");

/** The four reference signals, by file stem. */
export const LIBROSA_SIGNALS = ["a_tones_clicks", "b_noise", "c_sweep_stereo", "d_short_16k"] as const;

/** Largest |a[i]|. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/**
 * Largest |a[i] - b[i]| over [from, to); without a range the arrays must be equally long.
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from?: number, to?: number): number {
  if (from === undefined && to === undefined) assert.equal(a.length, b.length);
  const end = to ?? b.length;
  let m = 0;
  for (let i = from ?? 0; i < end; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/**
 * Least-squares fit of a sine at `hz` to x over [from, to): its amplitude and the rms of what
 * is left.
 */
export function sineFit(
  x: Float32Array,
  rateHz: number,
  hz: number,
  from = 0,
  to = x.length,
): { amplitude: number; residualRms: number } {
  let ss = 0,
    sc = 0,
    cc = 0,
    xs = 0,
    xc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rateHz);
    const c = Math.cos((2 * Math.PI * hz * i) / rateHz);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    xs += (x[i] as number) * s;
    xc += (x[i] as number) * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let r = 0;
  for (let i = from; i < to; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rateHz) + b * Math.cos((2 * Math.PI * hz * i) / rateHz);
    r += ((x[i] as number) - fit) ** 2;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(r / (to - from)) };
}
