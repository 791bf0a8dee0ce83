/**
 * Mahalanobis-distance anomaly score, a normal-only detector: fit a Gaussian to the normal
 * training vectors (standardised with their own mean and standard deviation), covariance shrunk
 * toward a scaled identity by the Ledoit-Wolf rule (scikit-learn's `LedoitWolf`, needed when
 * there are more features than normal rows); score = distance to the normal mean in that metric.
 */
import { ShapeError } from "../../errors";
import { applyStandardiser, fitStandardiser, type Standardiser } from "./standardise";

/** A fitted Mahalanobis detector, plain JSON. */
export interface MahalanobisModel extends Standardiser {
  kind: "mahalanobis";
  dims: number;
  /** Mean of the standardised normal vectors (zero up to rounding), `[dims]`. */
  centre: number[];
  /** Ledoit-Wolf shrinkage in [0, 1] that was used. */
  shrinkage: number;
  /** Lower Cholesky factor L of the shrunk covariance (Σ = L Lᵀ), `[dims][dims]` row-major. */
  cholesky: number[];
}

/**
 * Ledoit-Wolf shrunk covariance of centred rows, as scikit-learn's `ledoit_wolf` (no block
 * splitting; `assume_centered=True` on data already centred).
 *
 * @param centred  `[rows][dims]` flat, each column with mean 0
 * @returns  `[dims][dims]` covariance and the shrinkage
 */
export function ledoitWolf(
  centred: Float64Array,
  rows: number,
  dims: number,
): { covariance: Float64Array; shrinkage: number } {
  const s = new Float64Array(dims * dims);
  for (let i = 0; i < rows; i++) {
    const o = i * dims;
    for (let a = 0; a < dims; a++) {
      const va = centred[o + a] as number;
      if (va === 0) continue;
      for (let b = 0; b <= a; b++) s[a * dims + b] = (s[a * dims + b] as number) + va * (centred[o + b] as number);
    }
  }
  for (let a = 0; a < dims; a++)
    for (let b = 0; b <= a; b++) s[b * dims + a] = s[a * dims + b] = (s[a * dims + b] as number) / rows;
  let trace = 0;
  for (let a = 0; a < dims; a++) trace += s[a * dims + a] as number;
  const mu = trace / dims;
  // beta_ = Σ_ab (Σ_i x_ia² x_ib²); delta_ = Σ_ab S_ab²  (scikit-learn's ledoit_wolf_shrinkage)
  const squares = new Float64Array(rows * dims);
  for (let i = 0; i < rows * dims; i++) squares[i] = (centred[i] as number) ** 2;
  let betaSum = 0;
  for (let a = 0; a < dims; a++) {
    for (let b = 0; b < dims; b++) {
      let t = 0;
      for (let i = 0; i < rows; i++) t += (squares[i * dims + a] as number) * (squares[i * dims + b] as number);
      betaSum += t;
    }
  }
  let deltaSum = 0;
  for (let i = 0; i < dims * dims; i++) deltaSum += (s[i] as number) ** 2;
  let beta = (betaSum / rows - deltaSum) / (dims * rows);
  const delta = (deltaSum - 2 * mu * trace + dims * mu * mu) / dims;
  beta = Math.min(beta, delta);
  const shrinkage = beta === 0 ? 0 : beta / delta;
  const covariance = new Float64Array(dims * dims);
  for (let i = 0; i < dims * dims; i++) covariance[i] = (1 - shrinkage) * (s[i] as number);
  for (let a = 0; a < dims; a++) covariance[a * dims + a] = (covariance[a * dims + a] as number) + shrinkage * mu;
  return { covariance, shrinkage };
}

/** Lower Cholesky factor of a symmetric positive definite matrix, with a tiny ridge if needed. */
function cholesky(a: Float64Array, n: number): Float64Array {
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-10 : ridge * 10) {
    const l = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = (a[i * n + j] as number) + (i === j ? ridge : 0);
        for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i * n + i] = Math.sqrt(s);
        } else {
          l[i * n + j] = s / (l[j * n + j] as number);
        }
      }
    }
    if (ok) return l;
    if (ridge > 1)
      throw new ShapeError(
        "mahalanobis",
        "the covariance of the normal rows is not positive definite",
        "use more normal recordings or fewer pooled features",
      );
  }
}

/** Fit on the normal rows (`[rows][dims]` flat, at least 2; select them before calling). */
export function fitMahalanobis(normal: ArrayLike<number>, rows: number, dims: number): MahalanobisModel {
  if (!(rows >= 2) || normal.length !== rows * dims)
    throw new ShapeError(
      "fitMahalanobis",
      `${normal.length} values are not ${rows} >= 2 rows of ${dims}`,
      "pass at least two normal rows as [rows][dims]",
    );
  const st = fitStandardiser(normal, rows, dims);
  const z = applyStandardiser(st, normal, rows);
  const centre = new Float64Array(dims);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < dims; j++) centre[j] = (centre[j] as number) + (z[i * dims + j] as number) / rows;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < dims; j++) z[i * dims + j] = (z[i * dims + j] as number) - (centre[j] as number);
  const { covariance, shrinkage } = ledoitWolf(z, rows, dims);
  return {
    kind: "mahalanobis",
    dims,
    ...st,
    centre: Array.from(centre),
    shrinkage,
    cholesky: Array.from(cholesky(covariance, dims)),
  };
}

/** Mahalanobis distance of each row of `x` (`[rows][dims]` flat) to the normal mean. */
export function scoreMahalanobis(model: MahalanobisModel, x: ArrayLike<number>, rows: number): Float64Array {
  const { dims } = model;
  if (x.length !== rows * dims)
    throw new ShapeError(
      "scoreMahalanobis",
      `${x.length} values are not ${rows} rows of ${dims}`,
      "pass rows with the training's number of features",
    );
  const z = applyStandardiser(model, x, rows);
  const l = model.cholesky;
  const y = new Float64Array(dims);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    // solve L y = (z − centre); distance² = |y|²
    let sum = 0;
    for (let a = 0; a < dims; a++) {
      let s = (z[i * dims + a] as number) - (model.centre[a] as number);
      for (let k = 0; k < a; k++) s -= (l[a * dims + k] as number) * (y[k] as number);
      y[a] = s / (l[a * dims + a] as number);
      sum += (y[a] as number) ** 2;
    }
    out[i] = Math.sqrt(sum);
  }
  return out;
}
