/**
 * One interface for the models on pooled features, scikit-learn-like: `fit` on training rows
 * (with labels; normal-only detectors use the class-0 rows alone) returns a plain-JSON model,
 * `score` maps rows to one score each (higher = more likely broken). Standardisation is part of
 * every model and fitted on its training rows only.
 */
import type { DetectorName, DetectorsConfig } from "../../config/detect";
import { ConfigError, ShapeError } from "../../errors";
import { trainLogisticRegression, type LogisticRegressionModel } from "../baselines/logisticRegression";
import { fitKnn, scoreKnn, type KnnModel } from "./knn";
import { fitMahalanobis, scoreMahalanobis, type MahalanobisModel } from "./mahalanobis";

/** Any fitted detector, plain JSON (what the model folder stores). */
export type DetectorModel = LogisticRegressionModel | KnnModel | MahalanobisModel;

/** Rows of pooled features: `x` is `[rows][dims]` flat. */
export interface PooledRows {
  x: Float64Array;
  rows: number;
  dims: number;
}

/** A detector: how it trains, what its score means, and how it scores. */
export interface Detector {
  name: DetectorName;
  /** "supervised" needs both classes; "normal-only" trains on class-0 rows alone. */
  supervision: "supervised" | "normal-only";
  /** What the score is (higher = more likely broken). */
  scoreName: string;
  fit(data: PooledRows, labels: ArrayLike<number>): DetectorModel;
  score(model: DetectorModel, data: PooledRows): Float64Array;
}

/** The class-0 rows of `data`. */
export function normalRows(data: PooledRows, labels: ArrayLike<number>): PooledRows {
  const keep: number[] = [];
  for (let i = 0; i < data.rows; i++) if (labels[i] === 0) keep.push(i);
  const x = new Float64Array(keep.length * data.dims);
  keep.forEach((r, i) => x.set(data.x.subarray(r * data.dims, (r + 1) * data.dims), i * data.dims));
  return { x, rows: keep.length, dims: data.dims };
}

function expect<K extends DetectorModel["kind"]>(model: DetectorModel, kind: K): Extract<DetectorModel, { kind: K }> {
  if (model.kind !== kind)
    throw new ShapeError(
      `${kind} detector`,
      `was given a ${model.kind} model`,
      "score a model with the detector that fitted it",
    );
  return model as Extract<DetectorModel, { kind: K }>;
}

/**
 * The detector of that name with the settings of `options` (see {@link DetectorName} for what
 * each one does).
 */
export function createDetector(name: DetectorName, options: Pick<DetectorsConfig, "knnNeighbours" | "l2">): Detector {
  switch (name) {
    case "logistic-regression":
      return {
        name,
        supervision: "supervised",
        scoreName: "logit of P(broken), logistic regression",
        fit: (data, labels) =>
          trainLogisticRegression(data.x, labels, data.dims, { l2: options.l2, classWeight: "balanced" }),
        score: (model, data) => {
          const m = expect(model, "logistic-regression");
          // the linear decision function (the logit) itself: probabilities round to exactly 0 or 1
          // far from the boundary
          return Float64Array.from({ length: data.rows }, (_, i) => linearScore(m, data, i));
        },
      };
    case "knn":
      return {
        name,
        supervision: "normal-only",
        scoreName: `mean distance to the ${options.knnNeighbours} nearest normal training vectors`,
        fit: (data, labels) => {
          const n = normalRows(data, labels);
          return fitKnn(n.x, n.rows, n.dims, options.knnNeighbours);
        },
        score: (model, data) => scoreKnn(expect(model, "knn"), data.x, data.rows),
      };
    case "mahalanobis":
      return {
        name,
        supervision: "normal-only",
        scoreName: "Mahalanobis distance to the normal training vectors (Ledoit-Wolf covariance)",
        fit: (data, labels) => {
          const n = normalRows(data, labels);
          return fitMahalanobis(n.x, n.rows, n.dims);
        },
        score: (model, data) => scoreMahalanobis(expect(model, "mahalanobis"), data.x, data.rows),
      };
    default:
      throw new ConfigError(
        "detectors.models",
        `"${String(name)}" is not a detector`,
        'use "logistic-regression", "knn" or "mahalanobis"',
      );
  }
}

/** The linear decision function of row i (intercept + coefficients · standardised row). */
function linearScore(m: LogisticRegressionModel, data: PooledRows, i: number): number {
  let s = m.intercept;
  for (let j = 0; j < m.dims; j++)
    s +=
      (m.coefficients[j] as number) *
      (((data.x[i * m.dims + j] as number) - (m.mean[j] as number)) / (m.scale[j] as number));
  return s;
}

/** Score rows with a stored model, whichever detector fitted it. */
export function scoreDetectorModel(
  model: DetectorModel,
  data: PooledRows,
  options: Pick<DetectorsConfig, "knnNeighbours" | "l2">,
): Float64Array {
  return createDetector(model.kind, options).score(model, data);
}
