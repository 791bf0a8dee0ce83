/**
 * The pooled-feature detectors as the pipeline config describes them (`representation`,
 * `pooling`, `detectors`, `evaluate.recordingScore`): the glue between the config and the
 * reusable pieces of ./windowFeatures and ./evaluateDetectors, used by `soundcheck cv`, train,
 * evaluate and unseen.
 */
import type { PipelineConfig } from "../../config/pipeline";
import { describeFeatures } from "../../config/detect";
import type { DcaseDomain } from "../../data/dcaseNames";
import type { RecordingAggregation } from "../../evaluate/recordingScores";
import { createDetector, type Detector } from "../../model/detectors/detector";
import type { Reporter } from "../../util/reporter";
import {
  crossValidateDetector,
  domainTransfer,
  type DetectorEvaluationOptions,
  type DetectorFold,
  type DetectorRun,
} from "./evaluateDetectors";
import { DEFAULT_CROSS_FIT } from "./crossFit";
import { loadRecordings, type Recording } from "./recordings";
import { poolWindows, RepresentationCache, type PooledWindows } from "./windowFeatures";

/** How window scores become a recording score ("none" counts as "mean" where a recording score is needed). */
export function recordingAggregation(config: PipelineConfig): RecordingAggregation {
  const m = config.evaluate.recordingScore;
  return { method: m === "none" ? "mean" : m, k: config.evaluate.recordingTopK };
}

/**
 * Evaluation options of the detectors under this config (validation fraction, pAUC range, class
 * names; normal-only thresholds without validation recordings cross-fitted over 5 folds, seed split.seed).
 */
export function detectorEvaluationOptions(config: PipelineConfig): DetectorEvaluationOptions {
  return {
    aggregation: recordingAggregation(config),
    validationFraction: config.train.validationFraction,
    maxFpr: config.evaluate.maxFpr,
    classNames: [...config.classNames],
    crossFit: { ...DEFAULT_CROSS_FIT, seed: config.split.seed },
  };
}

/** The configured detectors. */
export function configuredDetectors(config: PipelineConfig): Detector[] {
  return config.detectors.models.map((m) => createDetector(m, config.detectors));
}

/** "logmel128 max" etc.: the configured representation and pooling in a few words. */
export function configuredFeatureName(config: PipelineConfig): string {
  return describeFeatures(config.representation, config.pooling, config.clean.chunkSeconds);
}

/** Pooled window features of `recordings` under the config (representation computed through `cache`). */
export async function configuredPooledWindows(
  config: PipelineConfig,
  recordings: readonly Recording[],
  cache: RepresentationCache = new RepresentationCache(recordings),
): Promise<PooledWindows> {
  const windows = await cache.get(config.features, config.representation, config.clean.chunkSeconds);
  return poolWindows(windows, config.pooling);
}

/** A domain-transfer result of one detector (train on `from`, test on `to`). */
export interface DomainTransferResult {
  model: string;
  from: DcaseDomain;
  to: DcaseDomain;
  run: DetectorRun;
}

/** What the configured detectors scored in cross-validation. */
export interface DetectorCrossValidation {
  /** Representation and pooling, e.g. "logmel128 max". */
  features: string;
  recordings: Recording[];
  folds: DetectorFold[];
  /** source -> target and target -> source, when the file names carry DCASE domains with both classes. */
  transfer: DomainTransferResult[];
}

/**
 * Grouped repeated k-fold CV (config.cv, seeds split.seed + r: the CNN's folds) of every
 * configured detector on the raw recordings, plus the domain-transfer check when the recordings
 * carry DCASE domains.
 */
export async function crossValidateConfiguredDetectors(
  config: PipelineConfig,
  reporter: Reporter,
): Promise<DetectorCrossValidation> {
  const recordings = await loadRecordings(config, reporter);
  const pooled = await configuredPooledWindows(config, recordings);
  const options = detectorEvaluationOptions(config);
  const folds: DetectorFold[] = [];
  const transfer: DomainTransferResult[] = [];
  const hasDomains = (["source", "target"] as const).every((d) =>
    [0, 1].every((l) => recordings.some((r) => r.domain === d && r.label === l)),
  );
  for (const detector of configuredDetectors(config)) {
    folds.push(
      ...crossValidateDetector(
        detector,
        pooled,
        recordings,
        { folds: config.cv.folds, repeats: config.cv.repeats, seed: config.split.seed },
        options,
      ),
    );
    if (!hasDomains) continue;
    for (const [from, to] of [
      ["source", "target"],
      ["target", "source"],
    ] as const) {
      transfer.push({
        model: detector.name,
        from,
        to,
        run: domainTransfer(detector, pooled, recordings, from, to, config.split.seed, options),
      });
    }
  }
  reporter.info(
    `detectors: ${configuredDetectors(config).length} models on ${configuredFeatureName(config)} ` +
      `of ${recordings.length} recordings (${pooled.rows} windows, ${pooled.dims} features each)`,
  );
  return { features: configuredFeatureName(config), recordings, folds, transfer };
}
