/** Per-feature standardisation fitted on training rows only (scikit-learn's `StandardScaler`). */
import { standardisation } from "../baselines/logisticRegression";

/** Centre and scale per feature; scale 1 for a constant feature. */
export interface Standardiser {
  mean: number[];
  scale: number[];
}

/** Fit on `x` (`[rows][dims]` flat): population mean and standard deviation per feature. */
export function fitStandardiser(x: ArrayLike<number>, rows: number, dims: number): Standardiser {
  return standardisation(x, rows, dims);
}

/** `(x − mean) / scale` per feature, as a new `[rows][dims]` array. */
export function applyStandardiser(s: Standardiser, x: ArrayLike<number>, rows: number): Float64Array {
  const dims = s.mean.length;
  const out = new Float64Array(rows * dims);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dims; j++)
      out[i * dims + j] = ((x[i * dims + j] as number) - (s.mean[j] as number)) / (s.scale[j] as number);
  }
  return out;
}
