/**
 * Every model of a run on the unseen recordings, one decision per recording: the CNN, the chunk
 * baselines (refitted on the run's training rows exactly as the evaluate stage fits them:
 * deterministic, so the same models) and the pooled-feature detectors saved by the train stage.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import type { ScoreThreshold } from "../../evaluate/modelEvaluation";
import type { Reporter } from "../../util/reporter";
import { fitBaselines } from "../baselines";
import { loadFeatureSet, SPLIT_FILES } from "../stages/split";
import { recordingAggregation } from "./configured";
import { recordingLevelReport, type RecordingLevelReport, type WindowModelScores } from "./recordingReport";
import { loadRecordings } from "./recordings";
import { loadStoredDetectors } from "./store";

/** The CNN's window scores of the unseen recordings and the features they were computed from. */
export interface UnseenWindows {
  /** Recording id (path under the data root) of each window. */
  files: readonly string[];
  labels: readonly number[];
  /** P(broken) of each window. */
  cnnScores: readonly number[];
  cnnThreshold: ScoreThreshold;
  cnnScoreName: string;
  /** The windows' MFCC matrices, `[windows][nMfcc][frames]` flat. */
  x: Float32Array;
}

/** Score the unseen recordings with every model of the run (see the module comment). */
export async function unseenAllModels(
  config: PipelineConfig,
  reporter: Reporter,
  input: UnseenWindows,
  classNames: string[],
): Promise<RecordingLevelReport> {
  const count = input.files.length;
  const models: WindowModelScores[] = [
    { model: "cnn", scoreName: input.cnnScoreName, threshold: input.cnnThreshold, scores: input.cnnScores },
  ];
  const processed = dataPath(config, "processed");
  if (config.evaluate.baselines.length > 0 && existsSync(join(processed, SPLIT_FILES.xTrain))) {
    const train = loadFeatureSet(join(processed, SPLIT_FILES.xTrain), join(processed, SPLIT_FILES.yTrain));
    const validation = existsSync(join(processed, SPLIT_FILES.xVal))
      ? loadFeatureSet(join(processed, SPLIT_FILES.xVal), join(processed, SPLIT_FILES.yVal))
      : null;
    if (train.x.length / (train.shape[0] as number) === input.x.length / count) {
      for (const b of fitBaselines(config, train, validation, reporter))
        models.push({ model: b.name, scoreName: b.scoreName, threshold: b.threshold, scores: b.score(input.x, count) });
    } else {
      reporter.warn(
        `unseen: the baselines are left out: ${join(processed, SPLIT_FILES.xTrain)} ` +
          `has other feature shapes than the model's`,
      );
    }
  }
  const stored = loadStoredDetectors(config.modelDir);
  const quiet: Reporter = {
    info: () => undefined,
    warn: (m) => reporter.warn(m),
    skip: () => undefined,
    progress: () => undefined,
  };
  const audio = stored === null ? [] : await loadRecordings(config, quiet, "unseen");
  return recordingLevelReport(
    models,
    input.files,
    input.labels,
    recordingAggregation(config),
    stored,
    audio,
    classNames,
    config.evaluate.maxFpr,
  );
}
