/**
 * Pooling a window's `[rows][frames]` representation into one vector of statistics per row
 * (band or coefficient) over time: mean, population standard deviation, min, max and numpy-style
 * percentiles. The pooled-feature detectors read these vectors.
 */
import { percentileOf, type PoolStatistic } from "../config/detect";
import { ConfigError } from "../errors";
import type { Matrix } from "./matrix";

/** The q-quantile (q in 0..1) of an ascending array, numpy's default linear interpolation. */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Statistics of every row over its frames.
 *
 * @param m  `[rows][frames]`, frames >= 1
 * @returns  `[statistics.length][rows]` flat (statistic-major: all rows' first statistic, then the second...)
 */
export function poolRows(m: Matrix, statistics: readonly PoolStatistic[]): Float64Array {
  if (m.cols < 1) throw new ConfigError("poolRows", "the window has no frames", "use windows of at least one frame");
  const out = new Float64Array(statistics.length * m.rows);
  const quantiles = statistics.map((s) => {
    const q = percentileOf(s);
    if (q === null && !["mean", "std", "min", "max"].includes(s))
      throw new ConfigError(
        "pooling.statistics",
        `"${s}" is not a statistic`,
        'use "mean", "std", "min", "max" or a percentile such as "p90"',
      );
    return q;
  });
  const needsSort = quantiles.some((q) => q !== null);
  const row = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let t = 0; t < m.cols; t++) {
      const v = m.data[r * m.cols + t] as number;
      row[t] = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = sum / m.cols;
    let squares = 0;
    for (let t = 0; t < m.cols; t++) squares += ((row[t] as number) - mean) ** 2;
    if (needsSort) row.sort();
    statistics.forEach((s, i) => {
      const q = quantiles[i];
      const value =
        q !== null && q !== undefined
          ? sortedQuantile(row, q / 100)
          : s === "mean"
            ? mean
            : s === "std"
              ? Math.sqrt(squares / m.cols)
              : s === "min"
                ? min
                : max;
      out[i * m.rows + r] = value;
    });
  }
  return out;
}

/** Names of {@link poolRows}'s outputs, e.g. "max mel 3", in the same order. */
export function pooledNames(rowNames: readonly string[], statistics: readonly PoolStatistic[]): string[] {
  return statistics.flatMap((s) => rowNames.map((n) => `${s} ${n}`));
}
