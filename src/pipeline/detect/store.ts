/**
 * The pooled-feature detectors of a run, fitted by the train stage on the training recordings
 * (threshold on the validation recordings) and saved next to the CNN as `detectors.json`, so
 * evaluate, unseen and predict score new recordings with exactly the same models, features and
 * thresholds, without retraining.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { assertSafeLayout } from "../../data/dataset";
import { ConfigError } from "../../errors";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { Reporter } from "../../util/reporter";
import { readFeatureManifest } from "../manifest";
import { FEATURE_MANIFEST, LABELS_FILE } from "../stages/augmentAndExtract";
import { readSplitAssignment } from "../stages/evaluate";
import { loadNpy } from "../../data/npy";
import { configuredDetectors, configuredFeatureName, detectorEvaluationOptions } from "./configured";
import { runDetector } from "./evaluateDetectors";
import { loadRecordings } from "./recordings";
import { detectorReportName } from "./reports";
import { extractWindowFeatures, poolWindows, type RecordingLike } from "./windowFeatures";
import { DETECTORS_JSON, parseStoredDetectors, type StoredDetector, type StoredDetectors } from "./storedScoring";

export {
  DETECTORS_JSON,
  parseStoredDetectors,
  scoreWithStoredDetectors,
  type StoredDetector,
  type StoredDetectors,
  type StoredDetectorScores,
} from "./storedScoring";

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
  const train = indices(sides.train);
  const validation = indices(sides.validation);
  const stored = await fitStoredDetectors(config, recordings, train, validation);
  const { detectors, featureName } = stored;
  writeFileAtomic(join(config.modelDir, DETECTORS_JSON), JSON.stringify(stored) + "\n");
  reporter.info(
    `train: ${detectors.length} pooled-feature detectors (${featureName}) on ${train.length} recordings, ` +
      `thresholds on ${validation.length} validation recordings -> ${join(config.modelDir, DETECTORS_JSON)}`,
  );
  return stored;
}

/**
 * Fit `config`'s detectors on the `train` recordings, choose their thresholds on the `validation`
 * ones (indices into `recordings`), and return them as `detectors.json` holds them (nothing written).
 *
 * @param recordings  decoded at `config.features.sampleRateHz`, level-normalised as configured
 */
export async function fitStoredDetectors(
  config: PipelineConfig,
  recordings: readonly RecordingLike[],
  train: Int32Array,
  validation: Int32Array,
): Promise<StoredDetectors> {
  const windows = await extractWindowFeatures(
    recordings,
    config.features,
    config.representation,
    config.clean.chunkSeconds,
  );
  const pooled = poolWindows(windows, config.pooling);
  const options = detectorEvaluationOptions(config);
  const featureName = configuredFeatureName(config);
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
  return {
    format: "soundcheck-detectors/1",
    features: { ...config.features },
    representation: { ...config.representation },
    pooling: { statistics: [...config.pooling.statistics] },
    chunkSeconds: config.clean.chunkSeconds,
    aggregation: options.aggregation,
    featureName,
    detectors,
    trainedOn: {
      train: Array.from(train, (i) => (recordings[i] as RecordingLike).id),
      validation: Array.from(validation, (i) => (recordings[i] as RecordingLike).id),
    },
  };
}

/** The detectors saved in `modelDir`, or null when the run has none. */
export function loadStoredDetectors(modelDir: string): StoredDetectors | null {
  const path = join(modelDir, DETECTORS_JSON);
  if (!existsSync(path)) return null;
  return parseStoredDetectors(readFileSync(path, "utf8"), path);
}
