/**
 * `soundcheck sweep`: which representation, pooling and model separate the classes, per
 * recording, under the same repeated grouped cross-validation. Every cell of the grid
 * (representation x pooling x model, src/config/sweep.ts) is cross-validated with
 * crossValidateDetector on the same folds (dealt by recording, stratified by class, seeds
 * `split.seed + r`: the CNN's folds), and the cells are ranked by their mean recording-level
 * ROC AUC. Each representation is computed once (RepresentationCache) and shared by all its
 * poolings and models, then freed before the next one; the cells of a representation run on
 * `config.workers` threads (runtime/parallel; the same numbers for any thread count).
 */
import { performance } from "node:perf_hooks";
import {
  describeFeatures,
  type DetectorName,
  type PoolStatistic,
  type RepresentationConfig,
} from "../../config/detect";
import type { PipelineConfig } from "../../config/pipeline";
import { representationName, SWEEP_METRICS, type SweepGrid, type SweepMetric } from "../../config/sweep";
import type { RecordingAggregation } from "../../evaluate/recordingScores";
import type { Reporter } from "../../util/reporter";
import { detectorEvaluationOptions, recordingAggregation } from "../detect/configured";
import type { RecordingInfo } from "../detect/evaluateDetectors";
import { mapTask, workerCount } from "../runtime/parallel";
import type { InnerScore, SweepCellResult, SweepFoldMetrics } from "./sweepCell";

export type { InnerScore, SweepFoldMetrics } from "./sweepCell";
import { nestedSelection, type NestedSelection } from "./nestedSelection";

export { nestedSelection, type NestedFold, type NestedSelection } from "./nestedSelection";
import { poolWindows, RepresentationCache, type RecordingLike } from "../detect/windowFeatures";
import { loadRecordings } from "../detect/recordings";
import type { Figure } from "../../plots/figure";
import { assertSafeLayout } from "../../data/dataset";
import { runDirectory } from "../reports/runReport";
import { sweepFigures, sweepTable, writeSweepReport } from "../reports/sweepReport";
import { meanAndSd } from "./crossValidation";

/** One recording as the sweep reads it: samples at the feature rate, class, id, DCASE domain. */
export type SweepRecording = RecordingLike & RecordingInfo;

/** Mean and sample standard deviation over folds. */
export interface MeanSd {
  mean: number;
  sd: number;
}

/** One cell of the grid, cross-validated. */
export interface SweepCell {
  /** Rank by mean ROC AUC (1 = best; ties broken by pAUC, balanced accuracy, then name). */
  rank: number;
  /** e.g. "logmel128 max | knn". */
  name: string;
  /** Representation and pooling in a few words (describeFeatures), e.g. "logmel128 max (3 s chunks)". */
  features: string;
  representation: RepresentationConfig;
  pooling: PoolStatistic[];
  model: DetectorName;
  /** Pooled features per window. */
  dims: number;
  /** Windows scored per recording set (recordings, or all their chunks). */
  windows: number;
  folds: SweepFoldMetrics[];
  summary: Record<SweepMetric, MeanSd>;
  /**
   * Paired comparison with the best cell on the same folds: mean of (best − this) ROC AUC and
   * the Nadeau-Bengio corrected resampled t statistic of that difference (variance inflated by
   * 1/J + n_test/n_train, since repeated-CV folds overlap); t < 2 reads as "within noise".
   */
  deltaRocAucVsBest: number;
  tVsBest: number;
  /** Whether this is the representation, pooling and one of the models of the config the sweep ran under. */
  inConfig: boolean;
  /** Why the cell could not be evaluated (its metrics are NaN), or null. */
  error: string | null;
  /** Wall-clock seconds of cross-validating this cell (not of its representation). */
  seconds: number;
  /** With nested selection: inner-CV means within each fold's training recordings (`folds` order); else null. */
  inner: InnerScore[] | null;
}

/** A fold of the sweep: the test recordings every cell is scored on. */
export interface SweepFold {
  repeat: number;
  fold: number;
  testRecordings: string[];
}

/** Everything a sweep found, cells ranked best first. */
export interface SweepResult {
  grid: SweepGrid;
  cv: { folds: number; repeats: number; seed: number };
  aggregation: RecordingAggregation;
  validationFraction: number;
  recordings: number;
  classCounts: [number, number];
  folds: SweepFold[];
  cells: SweepCell[];
  /** With `grid.nested`: the selection made inside each fold's training recordings; else null. */
  nested: NestedSelection | null;
  /** Seconds spent computing each representation, and on the whole sweep. */
  timing: { representations: Array<{ features: string; seconds: number }>; totalSeconds: number };
}

const NAN_SUMMARY = (): Record<SweepMetric, MeanSd> =>
  Object.fromEntries(SWEEP_METRICS.map((m) => [m, { mean: Number.NaN, sd: Number.NaN }])) as Record<
    SweepMetric,
    MeanSd
  >;

/** The name of a cell: "<features> | <model>". */
export function sweepCellName(features: string, model: string): string {
  return `${features} | ${model}`;
}

function summarise(folds: SweepFoldMetrics[]): Record<SweepMetric, MeanSd> {
  return Object.fromEntries(SWEEP_METRICS.map((m) => [m, meanAndSd(folds.map((f) => f[m]))])) as Record<
    SweepMetric,
    MeanSd
  >;
}

/** Best first: mean ROC AUC, then pAUC, then balanced accuracy (NaN last), then name. */
function compareCells(a: SweepCell, b: SweepCell): number {
  for (const m of ["rocAuc", "pAuc", "balancedAccuracy"] as const) {
    const x = a.summary[m].mean;
    const y = b.summary[m].mean;
    const fx = Number.isFinite(x);
    const fy = Number.isFinite(y);
    if (fx !== fy) return fx ? -1 : 1;
    if (fx && x !== y) return y - x;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Nadeau & Bengio's corrected resampled t statistic of paired per-fold differences `d`
 * (Machine Learning 52, 2003): mean(d) / sqrt((1/J + testFraction/(1 − testFraction)) · var(d)).
 * 0 when every difference is 0; NaN with fewer than 2 finite pairs.
 */
export function correctedPairedT(d: number[], folds: number): number {
  const v = d.filter((x) => Number.isFinite(x));
  if (v.length < 2) return Number.NaN;
  const { mean, sd } = meanAndSd(v);
  if (mean === 0) return 0;
  const se = Math.sqrt((1 / v.length + 1 / (folds - 1)) * sd * sd);
  return se === 0 ? Number.POSITIVE_INFINITY * Math.sign(mean) : mean / se;
}

/**
 * Cross-validate every cell of `grid` on `recordings` under `config` (config.cv folds and
 * repeats, seeds config.split.seed + r, validation fraction, recording-score rule, maxFpr,
 * kNN neighbours and L2 from the config). Pure: no file is read or written.
 *
 * @param recordings  mono signals at `config.features.sampleRateHz` with id, class and DCASE domain
 */
export async function sweepDetectors(
  config: PipelineConfig,
  recordings: readonly SweepRecording[],
  grid: SweepGrid,
  reporter: Reporter,
): Promise<SweepResult> {
  const started = performance.now();
  const options = detectorEvaluationOptions(config);
  const cv = { folds: config.cv.folds, repeats: config.cv.repeats, seed: config.split.seed };
  const detectors = { knnNeighbours: config.detectors.knnNeighbours, l2: config.detectors.l2 };
  const configFeatures = describeFeatures(config.representation, config.pooling, config.clean.chunkSeconds);
  const cache = new RepresentationCache(recordings);
  const cells: SweepCell[] = [];
  const repTimes: SweepResult["timing"]["representations"] = [];
  const total = grid.representations.length * grid.poolings.length * grid.models.length;
  reporter.progress("sweep", 0, total);
  const recordingInfo: RecordingInfo[] = recordings.map((r) => ({
    id: r.id,
    label: r.label,
    domain: r.domain ?? null,
  }));
  const threads = workerCount(config.workers);
  for (const representation of grid.representations) {
    const t0 = performance.now();
    const windows = await cache.get(config.features, representation, config.clean.chunkSeconds);
    const repName = representationName(representation, config.clean.chunkSeconds);
    repTimes.push({ features: repName, seconds: (performance.now() - t0) / 1000 });
    // every (pooling, model) of this representation, cross-validated on the worker threads
    const specs = grid.poolings.flatMap((statistics) => {
      const pooled = poolWindows(windows, { statistics });
      const features = describeFeatures(representation, { statistics }, config.clean.chunkSeconds);
      return grid.models.map((model) => ({ statistics, features, pooled, model }));
    });
    const done = cells.length;
    const results = await mapTask(
      "sweepCell",
      specs.map((c) => ({ ...c, recordings: recordingInfo, detectors, cv, options, nested: grid.nested })),
      threads,
      (n) => reporter.progress("sweep", done + n, total),
    );
    specs.forEach((c, i) => {
      const r = results[i] as SweepCellResult;
      const name = sweepCellName(c.features, c.model);
      if (r.error !== null) reporter.warn(`sweep: ${name} not evaluated: ${r.error}`);
      cells.push({
        rank: 0,
        name,
        features: c.features,
        representation,
        pooling: [...c.statistics],
        model: c.model,
        dims: c.pooled.dims,
        windows: c.pooled.rows,
        folds: r.folds,
        summary: r.error === null ? summarise(r.folds) : NAN_SUMMARY(),
        deltaRocAucVsBest: Number.NaN,
        tVsBest: Number.NaN,
        inConfig: c.features === configFeatures && config.detectors.models.includes(c.model),
        error: r.error,
        seconds: r.seconds,
        inner: r.inner,
      });
    });
    cache.clear(); // the next representation needs the memory
    reporter.info(`sweep: ${repName} done (${windows.matrices.length} windows)`);
  }
  cells.sort(compareCells);
  const best = cells[0];
  cells.forEach((c, i) => {
    c.rank = i + 1;
    if (best === undefined || best.error !== null || c.error !== null) return;
    const byFold = new Map(c.folds.map((f) => [`${f.repeat}/${f.fold}`, f.rocAuc]));
    const d = best.folds.map((f) => f.rocAuc - (byFold.get(`${f.repeat}/${f.fold}`) ?? Number.NaN));
    c.deltaRocAucVsBest = meanAndSd(d).mean;
    c.tVsBest = correctedPairedT(d, cv.folds);
  });
  const reference = cells.find((c) => c.error === null);
  return {
    grid,
    cv,
    aggregation: recordingAggregation(config),
    validationFraction: options.validationFraction,
    recordings: recordings.length,
    classCounts: [recordings.filter((r) => r.label === 0).length, recordings.filter((r) => r.label === 1).length],
    folds: (reference?.folds ?? []).map((f) => ({ repeat: f.repeat, fold: f.fold, testRecordings: f.testRecordings })),
    cells,
    nested: grid.nested ? nestedSelection(cells) : null,
    timing: { representations: repTimes, totalSeconds: (performance.now() - started) / 1000 },
  };
}

/** What `soundcheck sweep` returns: the result, its ranked table, figures and files. */
export interface SweepReport {
  result: SweepResult;
  /** Markdown table of the `top` best cells (all in sweep.md). */
  table: string;
  figures: Array<{ name: string; figure: Figure }>;
  runDir: string;
  files: string[];
}

/**
 * `soundcheck sweep`: decode the raw recordings of the data root once, cross-validate every
 * cell of `grid` (see {@link sweepDetectors}), and write sweep.csv, sweep.json, sweep.md,
 * figures, config.json and provenance.json to the run folder.
 *
 * @param top  rows of the returned table (sweep.md holds every cell)
 */
export async function runSweep(
  config: PipelineConfig,
  grid: SweepGrid,
  reporter: Reporter,
  top = 15,
): Promise<SweepReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const recordings = await loadRecordings(config, reporter);
  const { representations, poolings, models } = grid;
  reporter.info(
    `sweep: ${representations.length} representations x ${poolings.length} poolings x ${models.length} models ` +
      `on ${recordings.length} recordings, ${config.cv.repeats} x ${config.cv.folds} folds`,
  );
  const result = await sweepDetectors(config, recordings, grid, reporter);
  const runDir = runDirectory(config);
  const files = await writeSweepReport(runDir, result, config, reporter);
  reporter.info(`sweep: ${result.cells.length} cells in ${result.timing.totalSeconds.toFixed(1)} s -> ${runDir}`);
  return {
    result,
    table: sweepTable(result, top),
    figures: sweepFigures(result, config.clean.chunkSeconds),
    runDir,
    files,
  };
}

/**
 * How far apart the classes are on each pooled feature: Cohen's d, (mean of the broken rows −
 * mean of the normal rows) / pooled sample standard deviation, per feature. A statistic that
 * "hears" the fault in a band has a large |d| there.
 *
 * @param x  `[rows][dims]` flat; @param labels  0 normal, 1 broken per row (both present)
 * @returns  `[dims]`; 0 where the feature is constant in both classes
 */
export function classSeparation(x: ArrayLike<number>, rows: number, dims: number, labels: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < dims; j++) {
    const values: [number[], number[]] = [[], []];
    for (let i = 0; i < rows; i++) values[labels[i] === 1 ? 1 : 0].push(x[i * dims + j] as number);
    const [n, b] = values.map((v) => meanAndSd(v));
    const [nn, nb] = [values[0].length, values[1].length];
    const pooled = Math.sqrt(((nn - 1) * (n as MeanSd).sd ** 2 + (nb - 1) * (b as MeanSd).sd ** 2) / (nn + nb - 2));
    out.push(pooled > 0 ? ((b as MeanSd).mean - (n as MeanSd).mean) / pooled : 0);
  }
  return out;
}
