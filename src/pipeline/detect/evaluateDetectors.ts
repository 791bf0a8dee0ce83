/**
 * Fitting and judging one pooled-feature detector by recording: fit on training recordings'
 * windows, choose the decision threshold on validation recordings (never the test ones), score
 * the test recordings' windows and aggregate them per recording. Repeated grouped, stratified
 * k-fold CV (folds by recording, the CNN's folds for the same seeds) and a domain-transfer check
 * (train on one DCASE domain, test on the other) are built from this.
 */
import { groupedStratifiedFolds, groupedStratifiedSplit } from "../../data/split";
import type { DcaseDomain } from "../../data/dcaseNames";
import { ConfigError } from "../../errors";
import {
  evaluateScores,
  headlineMetrics,
  type HeadlineMetrics,
  type ModelEvaluation,
  type ScoreThreshold,
} from "../../evaluate/modelEvaluation";
import { recordingScores, type RecordingAggregation, type RecordingScores } from "../../evaluate/recordingScores";
import { bothClassesPresent } from "../../evaluate/scores";
import { chooseThreshold } from "../../evaluate/thresholds";
import type { Detector, DetectorModel } from "../../model/detectors/detector";
import { crossFittedThreshold, DEFAULT_CROSS_FIT, type CrossFitOptions } from "./crossFit";
import { windowsOfRecordings, type PooledWindows } from "./windowFeatures";

/** What the evaluation needs to know about each recording (index = recording index of the pooled windows). */
export interface RecordingInfo {
  id: string;
  label: 0 | 1;
  domain?: DcaseDomain | null;
}

/** How detectors are judged. */
export interface DetectorEvaluationOptions {
  /** How window scores become a recording score. */
  aggregation: RecordingAggregation;
  /** Fraction of the training recordings (per class, grouped) held out to choose the threshold; 0 = none. */
  validationFraction: number;
  /** Upper false-positive rate of the pAUC (DCASE 0.1). */
  maxFpr: number;
  classNames: string[];
  /**
   * How a normal-only detector's training recordings are cross-fitted when the threshold must
   * come from them (no validation recordings of both classes); default {@link DEFAULT_CROSS_FIT}.
   */
  crossFit?: CrossFitOptions;
}

/** A detector fitted on some recordings and judged on others. */
export interface DetectorRun {
  model: DetectorModel;
  threshold: ScoreThreshold;
  /** Aggregated scores of the test recordings (ids as in `recordings`). */
  test: RecordingScores;
  /** Recording-level evaluation of the test recordings. */
  recordings: ModelEvaluation;
  /** Window-level evaluation (the same as `recordings` when each recording is one window). */
  windows: ModelEvaluation;
}

function labelsOfWindows(pooled: PooledWindows, windows: Int32Array, recordings: readonly RecordingInfo[]): Int32Array {
  return Int32Array.from(windows, (w) => (recordings[pooled.recordingOfWindow[w] as number] as RecordingInfo).label);
}

function aggregate(
  pooled: PooledWindows,
  windows: Int32Array,
  scores: Float64Array,
  recordings: readonly RecordingInfo[],
  rule: RecordingAggregation,
): RecordingScores {
  const ids = Array.from(windows, (w) => (recordings[pooled.recordingOfWindow[w] as number] as RecordingInfo).id);
  return recordingScores(ids, labelsOfWindows(pooled, windows, recordings), scores, rule);
}

/**
 * The decision threshold: on the validation recordings' aggregated scores by balanced accuracy
 * when they hold both classes; otherwise logit 0 for a supervised detector, and for a normal-only
 * one the 90th percentile (DCASE's rule) of the normal training recordings' cross-fitted scores
 * (./crossFit: each scored by a model fitted without it, never by `model` itself).
 */
function chooseDetectorThreshold(
  detector: Detector,
  model: DetectorModel,
  pooled: PooledWindows,
  recordings: readonly RecordingInfo[],
  train: Int32Array,
  validation: Int32Array,
  options: DetectorEvaluationOptions,
): ScoreThreshold {
  const rule = options.aggregation;
  if (validation.length > 0) {
    const v = windowsOfRecordings(pooled, validation);
    const scored = aggregate(pooled, v.windows, detector.score(model, v.data), recordings, rule);
    if (bothClassesPresent(scored.labels)) {
      const chosen = chooseThreshold(scored.labels, scored.scores, "balancedAccuracy");
      return {
        value: chosen.threshold,
        source:
          `chosen on ${scored.recordings.length} validation recordings ` +
          `by balancedAccuracy (${chosen.value.toFixed(4)})`,
      };
    }
  }
  if (detector.supervision === "supervised") return { value: 0, source: "logit 0 (P(broken) >= 0.5)" };
  const normals = train.filter((r) => (recordings[r] as RecordingInfo).label === 0);
  return crossFittedThreshold(detector, pooled, recordings, normals, rule, options.crossFit ?? DEFAULT_CROSS_FIT);
}

/**
 * Fit `detector` on the windows of `train` recordings, choose its threshold on `validation`
 * recordings, and evaluate it on `test` recordings, per recording and per window.
 *
 * @param train, validation, test  recording indices (disjoint)
 */
export function runDetector(
  detector: Detector,
  pooled: PooledWindows,
  recordings: readonly RecordingInfo[],
  sets: { train: Int32Array; validation: Int32Array; test: Int32Array },
  options: DetectorEvaluationOptions,
): DetectorRun {
  const t = windowsOfRecordings(pooled, sets.train);
  const model = detector.fit(t.data, labelsOfWindows(pooled, t.windows, recordings));
  const threshold = chooseDetectorThreshold(detector, model, pooled, recordings, sets.train, sets.validation, options);
  const s = windowsOfRecordings(pooled, sets.test);
  const windowScores = detector.score(model, s.data);
  const windowLabels = labelsOfWindows(pooled, s.windows, recordings);
  const test = aggregate(pooled, s.windows, windowScores, recordings, options.aggregation);
  const { classNames, maxFpr } = options;
  return {
    model,
    threshold,
    test,
    recordings: evaluateScores(
      detector.name,
      detector.scoreName,
      test.labels,
      test.scores,
      threshold,
      classNames,
      maxFpr,
    ),
    windows: evaluateScores(
      detector.name,
      detector.scoreName,
      windowLabels,
      windowScores,
      threshold,
      classNames,
      maxFpr,
    ),
  };
}

/**
 * Split `candidates` (recording indices) into training and validation recordings, grouped and
 * stratified by class with `seed`, as the CNN's carveValidation does for the same recordings.
 */
export function splitValidation(
  recordings: readonly RecordingInfo[],
  candidates: Int32Array,
  fraction: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  if (fraction === 0) return { train: candidates, validation: new Int32Array(0) };
  const ids = Array.from(candidates, (r) => (recordings[r] as RecordingInfo).id);
  const labels = Int32Array.from(candidates, (r) => (recordings[r] as RecordingInfo).label);
  const inner = groupedStratifiedSplit(ids, labels, fraction, seed);
  const back = (idx: Int32Array) => Int32Array.from(idx, (i) => candidates[i] as number).sort();
  return { train: back(inner.train), validation: back(inner.test) };
}

/** One detector's results on one fold. */
export interface DetectorFold {
  repeat: number;
  fold: number;
  model: string;
  testRecordings: number;
  testWindows: number;
  threshold: number;
  /** Recording-level metrics (the headline). */
  recording: HeadlineMetrics;
  /** Window-level metrics. */
  window: HeadlineMetrics;
  /** Out-of-fold score of each test recording (ids as in `recordings`). */
  scores: RecordingScores;
}

/**
 * Repeated grouped, stratified k-fold cross-validation of one detector: repetition r deals the
 * recordings to `folds` folds with seed `seed + r` (the CNN's folds for the same recording ids),
 * carves validation recordings from the other folds with seed `seed + r + 1`, and evaluates.
 */
export function crossValidateDetector(
  detector: Detector,
  pooled: PooledWindows,
  recordings: readonly RecordingInfo[],
  cv: { folds: number; repeats: number; seed: number },
  options: DetectorEvaluationOptions,
): DetectorFold[] {
  const ids = recordings.map((r) => r.id);
  const labels = Int32Array.from(recordings, (r) => r.label);
  const out: DetectorFold[] = [];
  for (let r = 0; r < cv.repeats; r++) {
    const seed = cv.seed + r;
    const folds = groupedStratifiedFolds(ids, labels, cv.folds, seed);
    folds.forEach((test, f) => {
      const held = new Set(test);
      const rest = Int32Array.from(recordings.keys()).filter((i) => !held.has(i));
      const { train, validation } = splitValidation(recordings, rest, options.validationFraction, seed + 1);
      const run = runDetector(detector, pooled, recordings, { train, validation, test }, options);
      out.push({
        repeat: r,
        fold: f,
        model: detector.name,
        testRecordings: test.length,
        testWindows: run.windows.predictions.length,
        threshold: run.threshold.value,
        recording: headlineMetrics(run.recordings),
        window: headlineMetrics(run.windows),
        scores: run.test,
      });
    });
  }
  return out;
}

/**
 * Robustness check across DCASE domains: fit on every recording of domain `from` (validation
 * carved from them), test on every recording of domain `to`.
 */
export function domainTransfer(
  detector: Detector,
  pooled: PooledWindows,
  recordings: readonly RecordingInfo[],
  from: DcaseDomain,
  to: DcaseDomain,
  seed: number,
  options: DetectorEvaluationOptions,
): DetectorRun {
  const of = (d: DcaseDomain) =>
    Int32Array.from(Array.from(recordings.keys()).filter((i) => recordings[i]?.domain === d));
  const source = of(from);
  const test = of(to);
  if (
    !bothClassesPresent(Array.from(source, (i) => recordings[i]?.label ?? 0)) ||
    !bothClassesPresent(Array.from(test, (i) => recordings[i]?.label ?? 0))
  ) {
    throw new ConfigError(
      "domain transfer",
      `the ${from} or ${to} domain lacks a class (file names say section_XX_<source|target>_...)`,
      "use recordings of both classes in both domains",
    );
  }
  const { train, validation } = splitValidation(recordings, source, options.validationFraction, seed + 1);
  return runDetector(detector, pooled, recordings, { train, validation, test }, options);
}
