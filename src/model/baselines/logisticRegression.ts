/**
 * L2-regularised logistic regression on standardised features: the linear baseline next to the
 * CNN (on pooled MFCC statistics). Same model as scikit-learn's
 * `make_pipeline(StandardScaler(), LogisticRegression(C=1 / l2, class_weight=...))`, fitted by
 * Newton's method (exact solve of the (dims+1)-square Hessian each step, or of an equivalent
 * rows-square system when rows < dims; backtracking line search),
 * so the result is the optimum itself, deterministic, and independent of any solver tolerance.
 */
import { ConfigError, ShapeError } from "../../errors";

export interface LogisticRegressionOptions {
  /**
   * Strength λ of the penalty `λ/2 · ||w||²` on the coefficients (not the intercept), added to
   * the summed (weighted) log-loss: λ = 1 / C of scikit-learn. Default 1 (scikit-learn's C = 1).
   * Must be > 0.
   */
  l2?: number;
  /**
   * `"balanced"`: weight each row of class c by rows / (2 · rows of class c), as scikit-learn's
   * `class_weight="balanced"`, so both classes count equally. `null` (default): weight 1.
   */
  classWeight?: "balanced" | null;
  /** Newton steps at most. Default 100 (typically 6-10 are needed). */
  maxIterations?: number;
  /** Stop when max |gradient| of the objective divided by the total row weight is below this. Default 1e-10. */
  tolerance?: number;
  /**
   * Solve the Newton steps in the rows x rows space when rows < dims (same optimum, far faster
   * for few rows of many features). Default true; false forces the (dims+1)-square solve.
   */
  rowSpaceSteps?: boolean;
}

/** A fitted model, plain JSON. */
export interface LogisticRegressionModel {
  kind: "logistic-regression";
  dims: number;
  /** Per feature: mean of the training rows (the standardisation's centre). */
  mean: number[];
  /** Per feature: population standard deviation of the training rows (1 for a constant feature). */
  scale: number[];
  /** One coefficient per standardised feature. */
  coefficients: number[];
  intercept: number;
  /** Weight of a class-0 row and of a class-1 row in the fit. */
  classWeights: [number, number];
  l2: number;
  iterations: number;
  /** Whether the gradient fell below the tolerance within maxIterations. */
  converged: boolean;
}

/** `1 / (1 + e^-z)` without overflow. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** `log(1 + e^z)` without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Cholesky solve of `A x = b` for a symmetric positive definite `n x n` row-major `A`; returns
 * null if `A` is not positive definite.
 */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / (l[j * n + j] as number);
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = s / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}

/**
 * Exact Newton steps for rows n < features d, in the n x n space. With standardised rows X
 * (`[n][d]`, the intercept column of `z` excluded), curvatures h (`[n]`, h_i = w_i p_i (1 − p_i))
 * and S = diag(√h), the Hessian is [[A, b], [bᵀ, c]] with A = λI + XᵀS²X, b = Xᵀh, c = Σh.
 * Woodbury gives A⁻¹v = (v − XᵀS M⁻¹ S X v) / λ with M = λI + S X Xᵀ S (n x n, positive
 * definite), and the intercept is eliminated by its Schur complement c − bᵀA⁻¹b. X Xᵀ is formed
 * once per fit; a step costs O(n³ + n d) instead of O(n d² + d³). Returns null from `step` when
 * a factorisation fails (the caller then solves the full system).
 *
 * @param z  `[n][d+1]` flat: standardised features, then 1
 */
function dualNewtonSolver(z: Float64Array, n: number, d: number, l2: number) {
  const p = d + 1;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k <= i; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (z[i * p + j] as number) * (z[k * p + j] as number);
      gram[i * n + k] = s;
      gram[k * n + i] = s;
    }
  }
  const m = new Float64Array(n * n);
  const root = new Float64Array(n);
  /** A⁻¹v for a d-vector v via Woodbury (null when M is not positive definite). */
  const solveA = (v: Float64Array): Float64Array | null => {
    const u = new Float64Array(n); // S X v
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (z[i * p + j] as number) * (v[j] as number);
      u[i] = (root[i] as number) * s;
    }
    const y = choleskySolve(m, u, n);
    if (y === null) return null;
    const out = Float64Array.from(v.subarray(0, d));
    for (let i = 0; i < n; i++) {
      const c = (root[i] as number) * (y[i] as number);
      if (c === 0) continue;
      for (let j = 0; j < d; j++) out[j]! -= (z[i * p + j] as number) * c;
    }
    for (let j = 0; j < d; j++) out[j]! /= l2;
    return out;
  };
  return {
    /** The Newton step H⁻¹g (`[d+1]`, intercept last) at curvatures `h`, or null. */
    step(h: Float64Array, g: Float64Array): Float64Array | null {
      for (let i = 0; i < n; i++) root[i] = Math.sqrt(h[i] as number);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < n; k++)
          m[i * n + k] = (root[i] as number) * (root[k] as number) * (gram[i * n + k] as number);
      for (let i = 0; i < n; i++) m[i * n + i]! += l2;
      const b = new Float64Array(d);
      let c = 0;
      for (let i = 0; i < n; i++) {
        c += h[i] as number;
        for (let j = 0; j < d; j++) b[j]! += (h[i] as number) * (z[i * p + j] as number);
      }
      const aInvG = solveA(g);
      const aInvB = solveA(b);
      if (aInvG === null || aInvB === null) return null;
      let bAg = 0;
      let bAb = 0;
      for (let j = 0; j < d; j++) {
        bAg += (b[j] as number) * (aInvG[j] as number);
        bAb += (b[j] as number) * (aInvB[j] as number);
      }
      const schur = c - bAb;
      if (!(schur > 0)) return null;
      const s0 = ((g[d] as number) - bAg) / schur;
      const out = new Float64Array(p);
      for (let j = 0; j < d; j++) out[j] = (aInvG[j] as number) - s0 * (aInvB[j] as number);
      out[d] = s0;
      return out;
    },
  };
}

/**
 * Per-feature mean and population standard deviation, as scikit-learn's `StandardScaler` (a
 * feature whose variance is rounding noise around a constant gets scale 1).
 */
export function standardisation(
  features: ArrayLike<number>,
  rows: number,
  dims: number,
): { mean: number[]; scale: number[] } {
  const mean = new Array<number>(dims).fill(0);
  const scale = new Array<number>(dims).fill(1);
  for (let j = 0; j < dims; j++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += features[i * dims + j] as number;
    const mu = sum / rows;
    let squares = 0;
    for (let i = 0; i < rows; i++) {
      const d = (features[i * dims + j] as number) - mu;
      squares += d * d;
    }
    const variance = squares / rows;
    // scikit-learn's _is_constant_feature bound
    const eps = Number.EPSILON;
    const constant = variance <= rows * eps * variance + (rows * mu * eps) ** 2;
    mean[j] = mu;
    scale[j] = constant ? 1 : Math.sqrt(variance);
  }
  return { mean, scale };
}

/**
 * Fit on `features` (`[rows][dims]` flat, rows = labels.length) and binary `labels` (1 =
 * broken). The standardisation is fitted on these rows and stored in the model.
 */
export function trainLogisticRegression(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const { l2 = 1, classWeight = null, maxIterations = 100, tolerance = 1e-10, rowSpaceSteps = true } = options;
  const rows = labels.length;
  if (!(Number.isInteger(dims) && dims >= 1) || features.length !== rows * dims) {
    throw new ShapeError(
      "trainLogisticRegression",
      `${features.length} feature values for ${rows} labels of ${dims} dims`,
      "pass features as [rows][dims] with one label per row",
    );
  }
  if (!(l2 > 0))
    throw new ConfigError(
      "trainLogisticRegression",
      `l2 is ${l2}`,
      "use a penalty strength > 0 (1 = scikit-learn's C = 1)",
    );
  let ones = 0;
  for (let i = 0; i < rows; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new ShapeError(
        "trainLogisticRegression",
        `row ${i} has label ${labels[i]}`,
        "pass binary labels (0 = normal, 1 = broken)",
      );
    ones += labels[i] as number;
  }
  if (ones === 0 || ones === rows) {
    throw new ShapeError(
      "trainLogisticRegression",
      `all ${rows} training rows are class ${ones === 0 ? 0 : 1}`,
      "train on rows of both classes",
    );
  }
  const classWeights: [number, number] =
    classWeight === "balanced" ? [rows / (2 * (rows - ones)), rows / (2 * ones)] : [1, 1];

  const { mean, scale } = standardisation(features, rows, dims);
  const p = dims + 1; // coefficients, then the intercept
  const z = new Float64Array(rows * p);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dims; j++)
      z[i * p + j] = ((features[i * dims + j] as number) - (mean[j] as number)) / (scale[j] as number);
    z[i * p + dims] = 1;
  }
  const weight = (i: number) => classWeights[labels[i] as 0 | 1];
  const totalWeight = classWeights[0] * (rows - ones) + classWeights[1] * ones;

  const theta = new Float64Array(p);
  const margins = new Float64Array(rows);
  const computeMargins = (t: Float64Array, out: Float64Array) => {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += (z[i * p + j] as number) * (t[j] as number);
      out[i] = s;
    }
  };
  const objective = (t: Float64Array, m: Float64Array) => {
    let f = 0;
    for (let i = 0; i < rows; i++)
      f += weight(i) * (softplus(m[i] as number) - (labels[i] as number) * (m[i] as number));
    for (let j = 0; j < dims; j++) f += 0.5 * l2 * (t[j] as number) ** 2;
    return f;
  };

  computeMargins(theta, margins);
  let f = objective(theta, margins);
  let iterations = 0;
  let converged = false;
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  /** The (dims+1)-square Hessian's lower triangle at the current margins (without the penalty). */
  const fillHessian = () => {
    hessian.fill(0);
    for (let i = 0; i < rows; i++) {
      const prob = sigmoid(margins[i] as number);
      const h = weight(i) * prob * (1 - prob);
      const zi = i * p;
      for (let j = 0; j < p; j++) {
        const hz = h * (z[zi + j] as number);
        for (let k = 0; k <= j; k++) hessian[j * p + k]! += hz * (z[zi + k] as number);
      }
    }
  };
  // fewer rows than features: solve each Newton step in the rows x rows space (dualNewtonSolver)
  const dual = rowSpaceSteps && rows < dims ? dualNewtonSolver(z, rows, dims, l2) : null;
  const curvature = new Float64Array(rows);
  const trial = new Float64Array(p);
  const trialMargins = new Float64Array(rows);
  for (; iterations < maxIterations; iterations++) {
    gradient.fill(0);
    for (let i = 0; i < rows; i++) {
      const r = weight(i) * (sigmoid(margins[i] as number) - (labels[i] as number));
      const zi = i * p;
      for (let j = 0; j < p; j++) gradient[j]! += r * (z[zi + j] as number);
    }
    for (let j = 0; j < dims; j++) gradient[j]! += l2 * (theta[j] as number);
    let largest = 0;
    for (let j = 0; j < p; j++) largest = Math.max(largest, Math.abs(gradient[j] as number));
    if (largest / totalWeight <= tolerance) {
      converged = true;
      break;
    }
    let step: Float64Array | null = null;
    if (dual !== null) {
      for (let i = 0; i < rows; i++) {
        const prob = sigmoid(margins[i] as number);
        curvature[i] = weight(i) * prob * (1 - prob);
      }
      step = dual.step(curvature, gradient);
    }
    if (step === null) {
      fillHessian();
      for (let j = 0; j < dims; j++) hessian[j * p + j]! += l2;
      for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) hessian[k * p + j] = hessian[j * p + k] as number;
      step = choleskySolve(hessian, gradient, p);
    }
    if (step === null)
      throw new ConfigError(
        "trainLogisticRegression",
        "the Hessian is not positive definite",
        "raise l2 or remove duplicated features",
      );
    // backtracking line search (Armijo) along the Newton direction
    let decrease = 0;
    for (let j = 0; j < p; j++) decrease += (gradient[j] as number) * (step[j] as number);
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++, t /= 2) {
      for (let j = 0; j < p; j++) trial[j] = (theta[j] as number) - t * (step[j] as number);
      computeMargins(trial, trialMargins);
      const fTrial = objective(trial, trialMargins);
      if (fTrial <= f - 1e-4 * t * decrease) {
        theta.set(trial);
        margins.set(trialMargins);
        f = fTrial;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      // no decrease possible at double precision: we are at the optimum
      converged = true;
      iterations++;
      break;
    }
  }
  return {
    kind: "logistic-regression",
    dims,
    mean,
    scale,
    coefficients: Array.from(theta.subarray(0, dims)),
    intercept: theta[dims] as number,
    classWeights,
    l2,
    iterations,
    converged,
  };
}

/**
 * Probability of class 1 (broken) for each row of `features` (`[rows][model.dims]` flat),
 * standardised with the training rows' statistics.
 */
export function scoreLogisticRegression(model: LogisticRegressionModel, features: ArrayLike<number>): Float64Array {
  const { dims } = model;
  if (features.length % dims !== 0) {
    throw new ShapeError(
      "scoreLogisticRegression",
      `${features.length} values are not rows of ${dims} features`,
      "pass features with the training's number of columns",
    );
  }
  const rows = features.length / dims;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = model.intercept;
    for (let j = 0; j < dims; j++)
      s +=
        (model.coefficients[j] as number) *
        (((features[i * dims + j] as number) - (model.mean[j] as number)) / (model.scale[j] as number));
    out[i] = sigmoid(s);
  }
  return out;
}
