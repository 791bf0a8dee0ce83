/**
 * The baselines reported next to the CNN, fitted on the same training rows and scored on the
 * same test rows:
 * - "logistic-regression": logistic regression on pooled MFCC statistics (mean and standard
 *   deviation of each coefficient over the clip's frames), classes weighted when the config
 *   balances classes; score = P(broken).
 * - "autoencoder": the DCASE task-2 baseline idea: a dense autoencoder trained on the normal
 *   training clips only (no broken example needed); score = mean reconstruction error.
 * Each gets its decision threshold the way the CNN does: on the validation rows when
 * `train.threshold` is "validation"; otherwise 0.5 for the probability, and for the
 * reconstruction error the 90th percentile of the normal training clips' errors (as the DCASE
 * baseline's decision rule).
 */
import type { PipelineConfig } from "../config/pipeline";
import type { ScoreThreshold } from "../evaluate/modelEvaluation";
import { bothClassesPresent } from "../evaluate/scores";
import { chooseThreshold } from "../evaluate/thresholds";
import { scoreAutoencoder, trainAutoencoder } from "../model/baselines/autoencoder";
import { scoreLogisticRegression, trainLogisticRegression } from "../model/baselines/logisticRegression";
import { pooledMfccStatistics } from "../model/baselines/pooledStatistics";
import { takeRows, type FeatureSet } from "./stages/split";
import type { Reporter } from "../util/reporter";

/** A baseline fitted on the training rows, ready to score feature matrices. */
export interface FittedScorer {
  name: string;
  /** What the score is (higher = more likely broken). */
  scoreName: string;
  /** Scores of `count` matrices `[nMfcc][frames]` (flat). */
  score(x: Float32Array, count: number): Float64Array;
  threshold: ScoreThreshold;
}

/** The q-quantile (0..1) of `values` by linear interpolation (numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function validationThreshold(
  config: PipelineConfig,
  validation: FeatureSet | null,
  score: (x: Float32Array, count: number) => Float64Array,
): ScoreThreshold | null {
  if (config.train.threshold !== "validation" || validation === null || !bothClassesPresent(validation.y)) return null;
  const n = validation.shape[0] as number;
  const chosen = chooseThreshold(validation.y, score(validation.x, n), "balancedAccuracy");
  return {
    value: chosen.threshold,
    source: `chosen on validation rows (${n} rows) by balancedAccuracy (${chosen.value.toFixed(4)})`,
  };
}

/** Fit the baselines named in `config.evaluate.baselines` on `train` (see the module comment). */
export function fitBaselines(
  config: PipelineConfig,
  train: FeatureSet,
  validation: FeatureSet | null,
  reporter: Reporter,
): FittedScorer[] {
  const [rows, nMfcc, frames] = train.shape as [number, number, number];
  const out: FittedScorer[] = [];
  for (const name of config.evaluate.baselines) {
    if (name === "logistic-regression") {
      const model = trainLogisticRegression(pooledMfccStatistics(train.x, rows, nMfcc, frames), train.y, 2 * nMfcc, {
        classWeight: config.train.classBalance === "none" ? null : "balanced",
      });
      if (!model.converged)
        reporter.warn(
          `logistic-regression baseline: Newton's method did not converge in ${model.iterations} iterations`,
        );
      const score = (x: Float32Array, count: number) =>
        scoreLogisticRegression(model, pooledMfccStatistics(x, count, nMfcc, frames));
      out.push({
        name,
        scoreName: "P(broken), logistic regression",
        score,
        threshold: validationThreshold(config, validation, score) ?? {
          value: 0.5,
          source: "argmax (P(broken) >= 0.5)",
        },
      });
    } else {
      const normalRows = Int32Array.from(Array.from(train.y.keys()).filter((i) => train.y[i] === 0));
      const normalX = takeRows(train.x, nMfcc * frames, normalRows);
      const model = trainAutoencoder(normalX, normalRows.length, nMfcc, frames, { seed: config.train.seed });
      const score = (x: Float32Array, count: number) => scoreAutoencoder(model, x, count, nMfcc, frames);
      const fromValidation = validationThreshold(config, validation, score);
      const threshold = fromValidation ?? {
        value: quantile(score(normalX, normalRows.length), 0.9),
        source: "90th percentile of the normal training clips' errors",
      };
      out.push({ name, scoreName: "reconstruction error (autoencoder on normal clips)", score, threshold });
    }
  }
  return out;
}
