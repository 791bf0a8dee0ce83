/**
 * One cell of a sweep as a plain function of plain data (pooled windows, recording ids, classes
 * and domains, the model and the CV settings), so it runs the same in the main thread or in a
 * worker thread (runtime/tasks.ts) and gives the same numbers.
 */
import { performance } from "node:perf_hooks";
import type { DetectorName, DetectorsConfig } from "../../config/detect";
import type { SweepMetric } from "../../config/sweep";
import { parseDcaseName } from "../../data/dcaseNames";
import { dcaseMetrics } from "../../evaluate/dcaseMetrics";
import { SoundcheckError } from "../../errors";
import { createDetector } from "../../model/detectors/detector";
import {
  crossValidateDetector,
  type DetectorEvaluationOptions,
  type DetectorFold,
  type RecordingInfo,
} from "../detect/evaluateDetectors";
import type { PooledWindows } from "../detect/windowFeatures";

/** One cell's metrics on one fold (recording level); NaN where a metric is undefined on that fold. */
export interface SweepFoldMetrics extends Record<SweepMetric, number> {
  repeat: number;
  fold: number;
  /** Ids of the fold's test recordings, sorted (identical for every cell of a sweep). */
  testRecordings: string[];
}

/** What one cell needs: its pooled windows, the recordings (without samples), the model and the CV. */
export interface SweepCellTask {
  pooled: PooledWindows;
  recordings: RecordingInfo[];
  model: DetectorName;
  detectors: Pick<DetectorsConfig, "knnNeighbours" | "l2">;
  cv: { folds: number; repeats: number; seed: number };
  options: DetectorEvaluationOptions;
  /**
   * Also cross-validate the cell inside each outer fold's training recordings (one repetition of
   * `innerFolds` folds, seed `cv.seed + 1000 + repeat`), for nested selection (nestedSelection.ts).
   */
  nested: boolean;
  /** Inner folds with `nested`. Default `cv.folds`. */
  innerFolds?: number;
}

/** A cell's per-fold metrics, or why it could not be evaluated, and its seconds. */
export interface SweepCellResult {
  folds: SweepFoldMetrics[];
  error: string | null;
  seconds: number;
  /** With `nested`: the cell's inner-CV means within each outer fold's training recordings, in `folds` order. */
  inner: InnerScore[] | null;
}

/** Means over the inner folds of one outer fold (NaN when undefined on every inner fold). */
export interface InnerScore {
  rocAuc: number;
  pAuc: number;
  balancedAccuracy: number;
}

/** The windows of `keep` (recording indices) as a PooledWindows of their own, recordings renumbered 0.. in order. */
function subsetPooled(pooled: PooledWindows, keep: readonly number[]): PooledWindows {
  const index = new Map(keep.map((r, i) => [r, i]));
  const windows: number[] = [];
  for (let w = 0; w < pooled.rows; w++) if (index.has(pooled.recordingOfWindow[w] as number)) windows.push(w);
  const x = new Float64Array(windows.length * pooled.dims);
  windows.forEach((w, i) => x.set(pooled.x.subarray(w * pooled.dims, (w + 1) * pooled.dims), i * pooled.dims));
  const owner = Int32Array.from(windows, (w) => index.get(pooled.recordingOfWindow[w] as number) as number);
  return { x, rows: windows.length, dims: pooled.dims, recordingOfWindow: owner, names: pooled.names };
}

/** Inner-CV means of the cell on the training recordings of each outer fold (see SweepCellTask.nested). */
function innerScores(task: SweepCellTask, folds: readonly SweepFoldMetrics[]): InnerScore[] {
  const detector = createDetector(task.model, task.detectors);
  return folds.map((outer) => {
    const test = new Set(outer.testRecordings);
    const keep = task.recordings.flatMap((r, i) => (test.has(r.id) ? [] : [i]));
    const recordings = keep.map((i) => task.recordings[i] as RecordingInfo);
    const cv = { folds: task.innerFolds ?? task.cv.folds, repeats: 1, seed: task.cv.seed + 1000 + outer.repeat };
    const inner = crossValidateDetector(detector, subsetPooled(task.pooled, keep), recordings, cv, task.options);
    const mean = (m: keyof InnerScore) => {
      const v = inner.map((f) => f.recording[m]).filter((x) => Number.isFinite(x));
      return v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;
    };
    return { rocAuc: mean("rocAuc"), pAuc: mean("pAuc"), balancedAccuracy: mean("balancedAccuracy") };
  });
}

/** One fold's recording-level metrics, with the DCASE per-domain AUCs (domain from the recording list). */
function foldMetrics(fold: DetectorFold, domains: ReadonlyMap<string, RecordingInfo["domain"]>, maxFpr: number) {
  const ids = fold.scores.recordings;
  const dcase = dcaseMetrics(
    fold.scores.labels,
    fold.scores.scores,
    ids.map((id) => domains.get(id) ?? null),
    ids.map((id) => parseDcaseName(id).section),
    maxFpr,
  );
  const section = dcase?.sections.length === 1 ? dcase.sections[0] : undefined;
  return {
    repeat: fold.repeat,
    fold: fold.fold,
    testRecordings: [...ids].sort(),
    rocAuc: fold.recording.rocAuc,
    pAuc: fold.recording.pAuc,
    balancedAccuracy: fold.recording.balancedAccuracy,
    averagePrecision: fold.recording.averagePrecision,
    aucSource: section?.aucSource ?? Number.NaN,
    aucTarget: section?.aucTarget ?? Number.NaN,
    officialScore: dcase?.officialScore ?? Number.NaN,
  };
}

/**
 * Cross-validate one cell (crossValidateDetector) and reduce each fold to its recording-level
 * metrics. A problem the user's data or grid causes (SoundcheckError) becomes `error`; the sweep
 * goes on.
 */
export async function sweepCell(task: SweepCellTask): Promise<SweepCellResult> {
  // async like every runtime task (runtime/tasks.ts)
  const t0 = performance.now();
  const domains = new Map(task.recordings.map((r) => [r.id, r.domain ?? null]));
  try {
    const detector = createDetector(task.model, task.detectors);
    const folds = crossValidateDetector(detector, task.pooled, task.recordings, task.cv, task.options).map((f) =>
      foldMetrics(f, domains, task.options.maxFpr),
    );
    const inner = task.nested ? innerScores(task, folds) : null;
    return { folds, error: null, seconds: (performance.now() - t0) / 1000, inner };
  } catch (err) {
    if (!(err instanceof SoundcheckError)) throw err;
    return { folds: [], error: err.message, seconds: (performance.now() - t0) / 1000, inner: null };
  }
}
