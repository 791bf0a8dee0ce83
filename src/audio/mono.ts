import { ShapeError } from "../errors";

const f32 = Math.fround;

/**
 * Mono downmix as librosa's `to_mono`: the mean over channels, computed in float32 exactly as
 * NumPy 1.24 does it for `np.mean(y, axis=0)` on float32 data. NumPy sums the channels of each
 * frame with its pairwise summation (a plain running sum below 8 channels, 8 interleaved
 * partial sums from 8 channels on), then divides by the channel count in float32. For stereo
 * this is exactly `(L + R) / 2`.
 *
 * @param channels  one array per channel, all the same length (frames)
 * @returns  a new array, `frames` long; a copy of the channel when there is only one
 */
export function toMono(channels: readonly Float32Array[]): Float32Array {
  const count = channels.length;
  if (count === 0) throw new ShapeError("toMono", "no channels to mix", "pass at least one channel");
  const frames = (channels[0] as Float32Array).length;
  for (const ch of channels) {
    if (ch.length !== frames) {
      throw new ShapeError(
        "toMono",
        `channels have different lengths (${frames} and ${ch.length})`,
        "pass channels of equal length",
      );
    }
  }
  if (count === 1) return Float32Array.from(channels[0] as Float32Array);
  const out = new Float32Array(frames);
  if (count === 2) {
    const l = channels[0] as Float32Array;
    const r = channels[1] as Float32Array;
    for (let i = 0; i < frames; i++) out[i] = f32(f32((l[i] as number) + (r[i] as number)) / 2);
    return out;
  }
  const values = new Float32Array(count);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < count; c++) values[c] = (channels[c] as Float32Array)[i] as number;
    out[i] = f32(pairwiseSum(values, 0, count) / count);
  }
  return out;
}

/** NumPy's float32 pairwise summation (`pairwise_sum` in loops_utils.h) of `a[start, start+n)`. */
function pairwiseSum(a: Float32Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32(res + (a[start + i] as number));
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = f32((r[j] as number) + (a[start + i + j] as number));
    }
    const [r0, r1, r2, r3, r4, r5, r6, r7] = r as [number, number, number, number, number, number, number, number];
    let res = f32(f32(f32(r0 + r1) + f32(r2 + r3)) + f32(f32(r4 + r5) + f32(r6 + r7)));
    for (; i < n; i++) res = f32(res + (a[start + i] as number));
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f32(pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2));
}
