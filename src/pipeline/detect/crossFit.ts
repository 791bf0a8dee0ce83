/**
 * The decision threshold of a normal-only detector (kNN, Mahalanobis) when no validation
 * recordings of both classes exist (a DCASE train/ folder holds normal clips only): the 90th
 * percentile (the DCASE baseline's rule) of the normal training recordings' scores, each recording
 * scored by a model fitted without it. Scoring the training recordings with the model fitted on
 * them puts the threshold too low: every training recording looks closer than a new normal one
 * would (a 1-nearest-neighbour detector finds each of them at distance 0 from itself), so new
 * normal recordings land above it far more often than the intended 10 %.
 */
import { groupedStratifiedFolds } from "../../data/split";
import { ConfigError } from "../../errors";
import type { ScoreThreshold } from "../../evaluate/modelEvaluation";
import { recordingScores, type RecordingAggregation, type RecordingScores } from "../../evaluate/recordingScores";
import type { Detector } from "../../model/detectors/detector";
import { quantile } from "../baselines";
import { windowsOfRecordings, type PooledWindows } from "./windowFeatures";

/** How the normal training recordings are dealt to folds for cross-fitting. */
export interface CrossFitOptions {
  /** Number of folds (capped at the number of recordings; at least 2 recordings are needed). */
  folds: number;
  /** Seed of the shuffle that deals the recordings to the folds. */
  seed: number;
}

/** 5 folds, seed 0: used when the evaluation options name none. */
export const DEFAULT_CROSS_FIT: CrossFitOptions = { folds: 5, seed: 0 };

/** The share of normal training recordings scored above the threshold (DCASE's rule: 10 %). */
const NORMAL_QUANTILE = 0.9;

/**
 * Out-of-fold scores of normal recordings: the recordings (the groups: all windows of one
 * recording stay in one fold) are shuffled with `seed` and dealt to `folds` folds; each fold's
 * recordings are scored by `detector` fitted on the windows of the other folds, and each
 * recording's window scores are aggregated by `aggregation`.
 *
 * @param normals  indices (into `recordings` and the pooled windows' recording indices) of normal recordings
 * @returns one score per recording, fold by fold (ids as in `recordings`), and the number of folds used
 * @throws ConfigError  when fewer than 2 recordings are given
 */
export function outOfFoldScores(
  detector: Detector,
  pooled: PooledWindows,
  recordings: ReadonlyArray<{ id: string }>,
  normals: Int32Array,
  aggregation: RecordingAggregation,
  crossFit: CrossFitOptions = DEFAULT_CROSS_FIT,
): RecordingScores & { folds: number } {
  const k = Math.min(crossFit.folds, normals.length);
  if (k < 2)
    throw new ConfigError(
      "training recordings",
      `hold ${normals.length} normal recording(s), too few to choose a normal-only detector's threshold`,
      "use at least 2 normal training recordings",
    );
  const ids = Array.from(normals, (r) => recordings[r]?.id ?? String(r));
  const folds = groupedStratifiedFolds(ids, new Int32Array(normals.length), k, crossFit.seed);
  const windowIds: string[] = [];
  const windowScores: number[] = [];
  for (const held of folds) {
    const inFold = new Set(held);
    const fit = windowsOfRecordings(
      pooled,
      normals.filter((_, i) => !inFold.has(i)),
    );
    const model = detector.fit(fit.data, new Int32Array(fit.data.rows));
    const scored = windowsOfRecordings(
      pooled,
      Int32Array.from(held, (i) => normals[i] as number),
    );
    for (const w of scored.windows) windowIds.push(recordings[pooled.recordingOfWindow[w] as number]?.id ?? "");
    windowScores.push(...detector.score(model, scored.data));
  }
  return { ...recordingScores(windowIds, new Int32Array(windowIds.length), windowScores, aggregation), folds: k };
}

/**
 * The threshold of a normal-only detector from normal training recordings alone: the 90th
 * percentile of their {@link outOfFoldScores} (same arguments).
 */
export function crossFittedThreshold(...args: Parameters<typeof outOfFoldScores>): ScoreThreshold {
  const scored = outOfFoldScores(...args);
  return {
    value: quantile(scored.scores, NORMAL_QUANTILE),
    source:
      `90th percentile of the ${scored.scores.length} normal training recordings' scores, ` +
      `cross-fitted over ${scored.folds} folds (each scored by a model fitted without it)`,
  };
}
