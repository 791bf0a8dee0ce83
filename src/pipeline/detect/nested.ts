/**
 * Nested cross-validation of a choice among pooled-feature detector candidates (representation
 * x pooling x model): in each outer fold the candidate is chosen by an inner grouped CV on the
 * outer training recordings only, then fitted there and judged on the outer test recordings, which
 * played no part in the choice. Its mean ± sd estimates what "pick the best candidate by CV, then
 * use it" achieves on recordings it never heard, selection included.
 */
import type { DetectorName, PoolingConfig, RepresentationConfig } from "../../config/detect";
import { describeFeatures } from "../../config/detect";
import type { FeatureConfig } from "../../config/features";
import { groupedStratifiedFolds } from "../../data/split";
import { headlineMetrics, type HeadlineMetrics } from "../../evaluate/modelEvaluation";
import { createDetector } from "../../model/detectors/detector";
import { meanAndSd } from "../experiments/crossValidation";
import { runDetector, splitValidation, type DetectorEvaluationOptions, type RecordingInfo } from "./evaluateDetectors";
import { poolWindows, type PooledWindows, type RepresentationCache } from "./windowFeatures";

/** One point of the grid: what a window becomes, how it is pooled, which model scores it. */
export interface DetectorCandidate {
  representation: RepresentationConfig;
  pooling: PoolingConfig;
  model: DetectorName;
}

/** "logistic-regression on logmel128 max" etc. */
export function candidateName(c: DetectorCandidate, chunkSeconds: number): string {
  return `${c.model} on ${describeFeatures(c.representation, c.pooling, chunkSeconds)}`;
}

/** One outer fold: which candidate the inner CV chose, its inner score, and its outer result. */
export interface NestedFold {
  repeat: number;
  fold: number;
  chosen: string;
  /** Mean recording-level ROC AUC of the chosen candidate over the inner folds. */
  innerRocAuc: number;
  /** The chosen candidate on the outer test recordings. */
  outer: HeadlineMetrics;
}

export interface NestedCrossValidation {
  folds: NestedFold[];
  /** Mean and sd of the outer recording-level ROC AUC. */
  rocAuc: { mean: number; sd: number };
  /** How often each candidate was chosen. */
  choices: Record<string, number>;
}

/** Settings of {@link nestedCrossValidate}. */
export interface NestedSettings {
  features: FeatureConfig;
  chunkSeconds: number;
  detectorOptions: { knnNeighbours: number; l2: number };
  /** Outer folds and repetitions (seed + r per repetition). */
  folds: number;
  repeats: number;
  seed: number;
  /** Inner folds (one repetition, seed + 1000 + r). */
  innerFolds: number;
}

/**
 * Nested grouped, stratified CV of choosing among `candidates` by inner CV (recording-level
 * ROC AUC; ties: the earlier candidate). Representations come from `cache` (computed once each).
 */
export async function nestedCrossValidate(
  recordings: readonly RecordingInfo[],
  cache: RepresentationCache,
  candidates: readonly DetectorCandidate[],
  settings: NestedSettings,
  options: DetectorEvaluationOptions,
): Promise<NestedCrossValidation> {
  const pooled: PooledWindows[] = [];
  for (const c of candidates)
    pooled.push(poolWindows(await cache.get(settings.features, c.representation, settings.chunkSeconds), c.pooling));
  const detectors = candidates.map((c) => createDetector(c.model, settings.detectorOptions));
  const names = candidates.map((c) => candidateName(c, settings.chunkSeconds));
  const ids = recordings.map((r) => r.id);
  const labels = Int32Array.from(recordings, (r) => r.label);
  const folds: NestedFold[] = [];
  for (let r = 0; r < settings.repeats; r++) {
    const outer = groupedStratifiedFolds(ids, labels, settings.folds, settings.seed + r);
    outer.forEach((test, f) => {
      const held = new Set(test);
      const rest = Int32Array.from(recordings.keys()).filter((i) => !held.has(i));
      // inner CV on the outer training recordings only
      const inner = groupedStratifiedFolds(
        Array.from(rest, (i) => ids[i] as string),
        Array.from(rest, (i) => labels[i] as number),
        settings.innerFolds,
        settings.seed + 1000 + r,
      ).map((idx) => Int32Array.from(idx, (k) => rest[k] as number));
      const innerAuc = candidates.map((_, c) => {
        const aucs = inner.map((innerTest) => {
          const innerHeld = new Set(innerTest);
          const innerRest = rest.filter((i) => !innerHeld.has(i));
          const sets = {
            ...splitValidation(recordings, innerRest, options.validationFraction, settings.seed + r + 1),
            test: innerTest,
          };
          return (
            runDetector(detectors[c]!, pooled[c]!, recordings, sets, options).recordings.ranking?.rocAuc ?? Number.NaN
          );
        });
        return meanAndSd(aucs).mean;
      });
      let best = 0;
      innerAuc.forEach((a, c) => {
        if (a > (innerAuc[best] as number)) best = c;
      });
      const sets = { ...splitValidation(recordings, rest, options.validationFraction, settings.seed + r + 1), test };
      const run = runDetector(detectors[best]!, pooled[best]!, recordings, sets, options);
      folds.push({
        repeat: r,
        fold: f,
        chosen: names[best] as string,
        innerRocAuc: innerAuc[best] as number,
        outer: headlineMetrics(run.recordings),
      });
    });
  }
  const choices: Record<string, number> = {};
  for (const f of folds) choices[f.chosen] = (choices[f.chosen] ?? 0) + 1;
  return { folds, rocAuc: meanAndSd(folds.map((f) => f.outer.rocAuc)), choices };
}
