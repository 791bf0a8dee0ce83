/**
 * The file-system-free half of the stored detectors (store.ts, which re-exports everything here):
 * what `detectors.json` holds, reading it from its text, and scoring recordings with it, so
 * `soundcheck predict` and the browser app give the same verdicts.
 */
import type { DetectorName, PoolingConfig, RepresentationConfig } from "../../config/detect";
import type { FeatureConfig } from "../../config/features";
import { ConfigError } from "../../errors";
import type { ScoreThreshold } from "../../evaluate/modelEvaluation";
import { recordingScores, type RecordingAggregation, type RecordingScores } from "../../evaluate/recordingScores";
import { createDetector, type DetectorModel } from "../../model/detectors/detector";
import { normalizeRms } from "../features";
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

/**
 * `detectors.json` from its text.
 *
 * @param source  the file's name or path, for error messages
 * @throws ConfigError  when it is not JSON or not in the format this version writes
 */
export function parseStoredDetectors(text: string, source: string): StoredDetectors {
  const fix = 'train the model again with "soundcheck train"';
  let parsed: StoredDetectors;
  try {
    parsed = JSON.parse(text) as StoredDetectors;
  } catch (err) {
    throw new ConfigError(source, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`, fix);
  }
  if (parsed?.format !== "soundcheck-detectors/1")
    throw new ConfigError(source, `has format ${JSON.stringify(parsed?.format)}`, fix);
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

/** One pooled-feature detector's verdict on a recording. */
export interface DetectorVerdict {
  /** Detector name, e.g. "logistic-regression". */
  name: string;
  /** Name in reports, e.g. "logistic-regression on logmel128 max". */
  reportName: string;
  /** The recording's score (higher = more likely class 1). */
  score: number;
  /** Its stored threshold (chosen on validation recordings). */
  threshold: number;
  /** Predicted class name: class 1 when score >= threshold. */
  label: string;
}

/**
 * Every stored detector's verdict on one whole recording, as `soundcheck predict` gives it: the
 * stored level normalisation, then {@link scoreWithStoredDetectors}.
 *
 * @param samples  mono, at `stored.features.sampleRateHz`, not yet level-normalised
 * @param classNames  the model's classes; a score at or above the threshold is class 1
 */
export async function storedDetectorVerdicts(
  stored: StoredDetectors,
  id: string,
  samples: Float32Array,
  classNames: readonly string[],
): Promise<DetectorVerdict[]> {
  const normalized = (stored.features.levelNormalization ?? "none") === "rms" ? normalizeRms(samples) : samples;
  return (await scoreWithStoredDetectors(stored, [{ id, label: 0, samples: normalized }])).map((d) => {
    const score = d.recordings.scores[0] as number;
    return {
      name: d.detector.name,
      reportName: d.detector.reportName,
      score,
      threshold: d.detector.threshold.value,
      label: classNames[score >= d.detector.threshold.value ? 1 : 0] ?? "",
    };
  });
}
