/**
 * Nested selection among pooled-feature detector candidates (representation x pooling x model):
 * in each outer fold the candidate is picked by an inner grouped CV on that fold's training
 * recordings only (best inner mean ROC AUC, then pAUC, then balanced accuracy, then first name),
 * and judged on the fold's test recordings, which played no part in the pick. The mean ± sd of
 * the picks' outer results estimates what "choose the best candidate by CV, then use it" achieves
 * on recordings it never heard, selection included. The one implementation behind both
 * `soundcheck sweep --nested` (nestedSelection on the sweep's cells) and nestedCrossValidate.
 */
import {
  describeFeatures,
  type DetectorName,
  type PoolingConfig,
  type RepresentationConfig,
} from "../../config/detect";
import type { FeatureConfig } from "../../config/features";
import { SWEEP_METRICS, type SweepMetric } from "../../config/sweep";
import type { DetectorEvaluationOptions, RecordingInfo } from "../detect/evaluateDetectors";
import { poolWindows, type RepresentationCache } from "../detect/windowFeatures";
import { meanAndSd } from "./crossValidation";
import { sweepCell, type InnerScore, type SweepFoldMetrics } from "./sweepCell";

/** Mean and sample standard deviation over folds. */
interface MeanSd {
  mean: number;
  sd: number;
}

/**
 * One outer fold of nested selection: the candidate picked on its training recordings, and how it
 * scored on the fold.
 */
export interface NestedFold {
  repeat: number;
  fold: number;
  /** The candidate with the best inner mean ROC AUC (ties: pAUC, balanced accuracy, then first name). */
  picked: string;
  /** The picked candidate's inner-CV means. */
  inner: InnerScore;
  /** The picked candidate's metrics on this fold's test recordings. */
  metrics: Record<SweepMetric, number>;
}

/** Nested selection over all candidates: the choice judged only on folds it did not choose on. */
export interface NestedSelection {
  folds: NestedFold[];
  summary: Record<SweepMetric, MeanSd>;
  /** How often each candidate was picked, most often first. */
  picks: Array<{ name: string; count: number }>;
}

/** @deprecated Former name of what nestedCrossValidate returns; use NestedSelection. */
export type NestedCrossValidation = NestedSelection;

/** What nested selection needs of a cross-validated candidate (a sweep cell has all of it). */
export interface NestedCandidate {
  name: string;
  /** Why the candidate could not be evaluated, or null; candidates with an error are never picked. */
  error: string | null;
  /** Outer folds, the same folds in the same order for every candidate. */
  folds: SweepFoldMetrics[];
  /** Inner-CV means within each outer fold's training recordings (`folds` order); null: not a candidate. */
  inner: InnerScore[] | null;
}

/**
 * Nested selection from the candidates' inner scores: for each outer fold, the candidate with the
 * best mean inner ROC AUC, then pAUC, then balanced accuracy (computed on that fold's training
 * recordings only; NaN loses; remaining ties go to the first name, never to outer results), and
 * its metrics on the fold's test recordings.
 */
export function nestedSelection(cells: readonly NestedCandidate[]): NestedSelection {
  const candidates = cells
    .filter((c) => c.error === null && c.inner !== null)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const first = candidates[0];
  const keys = ["rocAuc", "pAuc", "balancedAccuracy"] as const;
  /** Whether inner score x beats y: larger ROC AUC, then pAUC, then balanced accuracy (NaN loses). */
  const beats = (x: InnerScore, y: InnerScore) => {
    for (const k of keys) {
      const [a, b] = [Number.isFinite(x[k]) ? x[k] : -Infinity, Number.isFinite(y[k]) ? y[k] : -Infinity];
      if (a !== b) return a > b;
    }
    return false;
  };
  const folds: NestedFold[] = (first?.folds ?? []).map((outer, i) => {
    let pick = first as NestedCandidate;
    for (const c of candidates)
      if (beats((c.inner as InnerScore[])[i] as InnerScore, (pick.inner as InnerScore[])[i] as InnerScore)) pick = c;
    const f = pick.folds[i] as SweepFoldMetrics;
    const metrics = Object.fromEntries(SWEEP_METRICS.map((m) => [m, f[m]])) as Record<SweepMetric, number>;
    return {
      repeat: outer.repeat,
      fold: outer.fold,
      picked: pick.name,
      inner: (pick.inner as InnerScore[])[i] as InnerScore,
      metrics,
    };
  });
  const counts = new Map<string, number>();
  for (const f of folds) counts.set(f.picked, (counts.get(f.picked) ?? 0) + 1);
  return {
    folds,
    summary: Object.fromEntries(SWEEP_METRICS.map((m) => [m, meanAndSd(folds.map((f) => f.metrics[m]))])) as Record<
      SweepMetric,
      MeanSd
    >,
    picks: [...counts]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)),
  };
}

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
 * Nested grouped, stratified CV of choosing among `candidates` (named by candidateName): each
 * candidate is cross-validated as a sweep cell with inner scores (sweepCell), then
 * {@link nestedSelection} picks per outer fold. Representations come from `cache` (computed once each).
 */
export async function nestedCrossValidate(
  recordings: readonly RecordingInfo[],
  cache: RepresentationCache,
  candidates: readonly DetectorCandidate[],
  settings: NestedSettings,
  options: DetectorEvaluationOptions,
): Promise<NestedSelection> {
  const info: RecordingInfo[] = recordings.map((r) => ({ id: r.id, label: r.label, domain: r.domain ?? null }));
  const cv = { folds: settings.folds, repeats: settings.repeats, seed: settings.seed };
  const cells: NestedCandidate[] = [];
  for (const c of candidates) {
    const windows = await cache.get(settings.features, c.representation, settings.chunkSeconds);
    const result = await sweepCell({
      pooled: poolWindows(windows, c.pooling),
      recordings: info,
      model: c.model,
      detectors: settings.detectorOptions,
      cv,
      options,
      nested: true,
      innerFolds: settings.innerFolds,
    });
    cells.push({ name: candidateName(c, settings.chunkSeconds), ...result });
  }
  return nestedSelection(cells);
}
