/**
 * k-nearest-neighbour anomaly score, a normal-only detector in the spirit of DCASE task 2: a
 * vector far from every normal training vector sounds unlike anything normal. Fitted on normal
 * rows only; score = mean Euclidean distance to the k nearest of them, in the space standardised
 * with those rows' mean and standard deviation.
 */
import { ConfigError, ShapeError } from "../../errors";
import { applyStandardiser, fitStandardiser, type Standardiser } from "./standardise";

/** A fitted kNN detector, plain JSON. */
export interface KnnModel extends Standardiser {
  kind: "knn";
  dims: number;
  /** Neighbours averaged (at most the number of training rows). */
  k: number;
  /** The standardised normal training vectors, `[rows][dims]` flat. */
  reference: number[];
}

/**
 * Fit on the normal rows (`[rows][dims]` flat; select them before calling).
 *
 * @param k  neighbours averaged, >= 1 (capped at `rows`)
 */
export function fitKnn(normal: ArrayLike<number>, rows: number, dims: number, k: number): KnnModel {
  if (!(Number.isInteger(k) && k >= 1))
    throw new ConfigError("detectors.knnNeighbours", `is ${k}`, "use a positive integer such as 5");
  if (!(rows >= 1) || normal.length !== rows * dims)
    throw new ShapeError(
      "fitKnn",
      `${normal.length} values are not ${rows} rows of ${dims}`,
      "pass at least one normal row as [rows][dims]",
    );
  const s = fitStandardiser(normal, rows, dims);
  return { kind: "knn", dims, k: Math.min(k, rows), ...s, reference: Array.from(applyStandardiser(s, normal, rows)) };
}

/** Mean distance of each row of `x` (`[rows][dims]` flat) to its k nearest normal training vectors. */
export function scoreKnn(model: KnnModel, x: ArrayLike<number>, rows: number): Float64Array {
  const { dims, k } = model;
  if (x.length !== rows * dims)
    throw new ShapeError(
      "scoreKnn",
      `${x.length} values are not ${rows} rows of ${dims}`,
      "pass rows with the training's number of features",
    );
  const z = applyStandardiser(model, x, rows);
  const ref = model.reference;
  const n = ref.length / dims;
  const distances = new Float64Array(n);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const d = (z[i * dims + j] as number) - (ref[r * dims + j] as number);
        s += d * d;
      }
      distances[r] = Math.sqrt(s);
    }
    distances.sort();
    let sum = 0;
    for (let r = 0; r < k; r++) sum += distances[r] as number;
    out[i] = sum / k;
  }
  return out;
}
