/**
 * Clip-level features for the non-CNN baselines: each MFCC coefficient summarised over time by
 * its mean and standard deviation.
 */
import { ShapeError } from "../../errors";

/**
 * Mean and standard deviation over frames of every MFCC coefficient of every clip.
 *
 * @param x  `[count][nMfcc][frames]` flat, the layout of features.npy
 * @returns  `[count][2 * nMfcc]` flat: the `nMfcc` means (coefficient order), then the `nMfcc`
 *   population standard deviations (divided by `frames`, as numpy's default `ddof=0`)
 */
export function pooledMfccStatistics(x: Float32Array, count: number, nMfcc: number, frames: number): Float32Array {
  if (!(count >= 0 && nMfcc >= 1 && frames >= 1) || x.length !== count * nMfcc * frames) {
    throw new ShapeError(
      "pooledMfccStatistics",
      `${x.length} values do not form [${count}][${nMfcc}][${frames}]`,
      "pass the features as [clips][nMfcc][frames] with matching sizes",
    );
  }
  const out = new Float32Array(count * 2 * nMfcc);
  for (let c = 0; c < count; c++) {
    for (let m = 0; m < nMfcc; m++) {
      const from = (c * nMfcc + m) * frames;
      let sum = 0;
      for (let t = 0; t < frames; t++) sum += x[from + t] as number;
      const mean = sum / frames;
      let squares = 0;
      for (let t = 0; t < frames; t++) {
        const d = (x[from + t] as number) - mean;
        squares += d * d;
      }
      out[c * 2 * nMfcc + m] = mean;
      out[c * 2 * nMfcc + nMfcc + m] = Math.sqrt(squares / frames);
    }
  }
  return out;
}

/** Names of the columns of {@link pooledMfccStatistics}: `mean_0 .. mean_{n-1}, sd_0 .. sd_{n-1}`. */
export function pooledStatisticNames(nMfcc: number): string[] {
  return [
    ...Array.from({ length: nMfcc }, (_, m) => `mean_${m}`),
    ...Array.from({ length: nMfcc }, (_, m) => `sd_${m}`),
  ];
}
