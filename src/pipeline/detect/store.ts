/**
 * The pooled-feature detectors of a run, fitted by the train stage on the training recordings
 * (threshold on the validation recordings) and saved next to the CNN as `detectors.json`, so
 * evaluate, unseen and predict score new recordings with exactly the same models, features and
 * thresholds, without retraining.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DetectorName, PoolingConfig, RepresentationConfig } from "../../config/detect";
import type { FeatureConfig } from "../../config/features";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { assertSafeLayout } from "../../data/dataset";
import { ConfigError } from "../../errors";
import type { ScoreThreshold } from "../../evaluate/modelEvaluation";
import { recordingScores, type RecordingAggregation, type RecordingScores } from "../../evaluate/recordingScores";
import { createDetector, type DetectorModel } from "../../model/detectors/detector";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { Reporter } from "../../util/reporter";
import { readFeatureManifest } from "../manifest";
import { FEATURE_MANIFEST, LABELS_FILE } from "../stages/augmentAndExtract";
import { readSplitAssignment } from "../stages/evaluate";
import { loadNpy } from "../../data/npy";
import { configuredDetectors, configuredFeatureName, detectorEvaluationOptions } from "./configured";
import { runDetector } from "./evaluateDetectors";
import { loadRecordings, type Recording } from "./recordings";
import { detectorReportName } from "./reports";
import { extractWindowFeatures, poolWindows, type RecordingLike } from "./windowFeatures";

/** File of the fitted detectors in the model folder. */
export const DETECTORS_JSON = "detectors.json";

/** One fitted detector as saved. */
export interface StoredDetector {
  name: DetectorName;
  /** Name in reports, e.g. "logistic-regression on logmel128 max". */
  reportName: string;
  scoreName: string;
  supervision: "supervised" | "normal-only";
  /** Decision threshold on the recording score, chosen on validation recordings. */
  threshold: ScoreThreshold;
  model: DetectorModel;
}

/** `detectors.json`: everything needed to score a recording again. */
export interface StoredDetectors {
  format: "soundcheck-detectors/1";
  /** STFT and mel parameters (and level normalisation) of the representation. */
  features: FeatureConfig;
  representation: RepresentationConfig;
  pooling: PoolingConfig;
  /** Window length when representation.window is "chunk", seconds. */
  chunkSeconds: number;
  aggregation: RecordingAggregation;
  /** "logmel128 max" etc. */
  featureName: string;
  detectors: StoredDetector[];
  /** Recording ids the detectors were fitted on and the threshold was chosen on. */
  trainedOn: { train: string[]; validation: string[] };
}

/** Which recordings trained, validated and tested the CNN (from split_indices.json and the manifest). */
export function recordingSides(config: PipelineConfig): {
  train: Set<string>;
  validation: Set<string>;
  test: Set<string>;
} {
  const processed = dataPath(config, "processed");
  const assignment = readSplitAssignment(processed);
  const labelsPath = join(processed, LABELS_FILE);
  if (assignment.train.length === 0 || !existsSync(labelsPath)) {
    throw new ConfigError(
      processed,
      "holds no split (split_indices.json) to tell training from test recordings",
      'run "soundcheck split" first',
    );
  }
  const manifest = readFeatureManifest(join(processed, FEATURE_MANIFEST), loadNpy(labelsPath).shape[0] as number);
  const sourcesOf = (rows: Int32Array) => new Set(Array.from(rows, (r) => manifest[r]?.source ?? ""));
  const test = sourcesOf(assignment.test);
  const validation = new Set([...sourcesOf(assignment.validation)].filter((s) => !test.has(s)));
  const train = new Set([...sourcesOf(assignment.train)].filter((s) => !test.has(s) && !validation.has(s)));
  return { train, validation, test };
}

/**
 * Fit the configured detectors on the split's training recordings, choose each threshold on its
 * validation recordings, and write `<modelDir>/detectors.json`. A recording with rows on several
 * sides (a row-level split) counts as test, then validation, so no detector trains on it.
 */
export async function trainConfiguredDetectors(config: PipelineConfig, reporter: Reporter): Promise<StoredDetectors> {
  assertSafeLayout(config);
  const sides = recordingSides(config);
  const recordings = await loadRecordings(
    config,
    reporter,
    "training",
    (id) => sides.train.has(id) || sides.validation.has(id),
  );
  const indices = (set: Set<string>) => Int32Array.from(recordings.flatMap((r, i) => (set.has(r.id) ? [i] : [])));
  const windows = await extractWindowFeatures(
    recordings,
    config.features,
    config.representation,
    config.clean.chunkSeconds,
  );
  const pooled = poolWindows(windows, config.pooling);
  const options = detectorEvaluationOptions(config);
  const featureName = configuredFeatureName(config);
  const train = indices(sides.train);
  const validation = indices(sides.validation);
  const detectors = configuredDetectors(config).map((d): StoredDetector => {
    const run = runDetector(d, pooled, recordings, { train, validation, test: new Int32Array(0) }, options);
    return {
      name: d.name,
      reportName: detectorReportName(d.name, featureName),
      scoreName: d.scoreName,
      supervision: d.supervision,
      threshold: run.threshold,
      model: run.model,
    };
  });
  const stored: StoredDetectors = {
    format: "soundcheck-detectors/1",
    features: { ...config.features },
    representation: { ...config.representation },
    pooling: { statistics: [...config.pooling.statistics] },
    chunkSeconds: config.clean.chunkSeconds,
    aggregation: options.aggregation,
    featureName,
    detectors,
    trainedOn: {
      train: Array.from(train, (i) => (recordings[i] as Recording).id),
      validation: Array.from(validation, (i) => (recordings[i] as Recording).id),
    },
  };
  writeFileAtomic(join(config.modelDir, DETECTORS_JSON), JSON.stringify(stored) + "\n");
  reporter.info(
    `train: ${detectors.length} pooled-feature detectors (${featureName}) on ${train.length} recordings, ` +
      `thresholds on ${validation.length} validation recordings -> ${join(config.modelDir, DETECTORS_JSON)}`,
  );
  return stored;
}

/** The detectors saved in `modelDir`, or null when the run has none. */
export function loadStoredDetectors(modelDir: string): StoredDetectors | null {
  const path = join(modelDir, DETECTORS_JSON);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as StoredDetectors;
  if (parsed.format !== "soundcheck-detectors/1")
    throw new ConfigError(
      path,
      `has format ${JSON.stringify(parsed.format)}`,
      'train the model again with "soundcheck train"',
    );
  return parsed;
}

/** One stored detector's scores of some recordings. */
export interface StoredDetectorScores {
  detector: StoredDetector;
  /** Per recording (aggregated over its windows), in the order of the recordings passed in. */
  recordings: RecordingScores;
}

/**
 * Score recordings (mono, at `stored.features.sampleRateHz`, level-normalised as stored) with
 * every saved detector: the stored representation and pooling, then each model, then the stored
 * aggregation per recording.
 */
export async function scoreWithStoredDetectors(
  stored: StoredDetectors,
  recordings: readonly RecordingLike[],
): Promise<StoredDetectorScores[]> {
  const windows = await extractWindowFeatures(recordings, stored.features, stored.representation, stored.chunkSeconds);
  const pooled = poolWindows(windows, stored.pooling);
  const ids = Array.from(pooled.recordingOfWindow, (r) => (recordings[r] as RecordingLike).id);
  const labels = Array.from(pooled.recordingOfWindow, (r) => (recordings[r] as RecordingLike).label);
  return stored.detectors.map((d) => {
    // the options only matter for fitting; scoring reads the stored model
    const scores = createDetector(d.name, { knnNeighbours: 1, l2: 1 }).score(d.model, pooled);
    return { detector: d, recordings: recordingScores(ids, labels, scores, stored.aggregation) };
  });
}
