import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../config/pipeline";
import { parseBackendPreference } from "../model/backend";
import { saveCnn } from "../model/save";
import { trainCnn, type TrainHistory } from "../model/train";
import { loadFeatureSet, SPLIT_FILES } from "./split";
import type { Reporter } from "./reporter";

/** What the train stage did. */
export interface TrainReport {
  history: TrainHistory;
  /** tfjs backend that trained the model. */
  backend: string;
  modelDir: string;
  /** Wall time of training alone, seconds. */
  seconds: number;
}

/**
 * Stage 4: train the thesis CNN on X_train / y_train and save it to `config.modelDir` in the
 * tfjs format (model.json + weights.bin) with a metadata.json holding the feature parameters,
 * class names, training settings and history, so the model describes itself.
 */
export async function trainStage(config: PipelineConfig, reporter: Reporter): Promise<TrainReport> {
  const processed = dataPath(config, "processed");
  const train = loadFeatureSet(join(processed, SPLIT_FILES.xTrain), join(processed, SPLIT_FILES.yTrain));
  const t = config.train;
  const start = performance.now();
  const { model, history } = await trainCnn(
    train.x,
    train.y,
    train.shape,
    {
      epochs: t.epochs,
      batchSize: t.batchSize ?? "full",
      learningRate: t.learningRate,
      seed: t.seed,
      shuffle: t.batchSize !== null,
      validationSplit: t.validationFraction,
      earlyStoppingPatience: t.earlyStoppingPatience,
      restoreBestWeights: t.earlyStoppingPatience !== null,
      reportEvery: 1,
      backend: parseBackendPreference(t.backend),
      workers: config.workers,
    },
    (log) => {
      reporter.epoch?.(log);
      if (log.epoch % t.logEveryEpochs !== 0 && log.epoch !== log.epochs) return;
      const val = log.valLoss === undefined ? "" : `, val loss ${log.valLoss.toFixed(4)}, val accuracy ${(log.valAccuracy ?? Number.NaN).toFixed(4)}`;
      reporter.info(`Epoch [${log.epoch}/${log.epochs}], Loss: ${log.loss.toFixed(4)}, accuracy ${log.accuracy.toFixed(4)}${val} (${log.seconds.toFixed(2)} s/epoch)`);
    },
  );
  const seconds = (performance.now() - start) / 1000;
  await saveCnn(model, config.modelDir, {
    classNames: [...config.classNames],
    features: { ...config.features },
    history,
    extra: { train: { ...t }, split: { ...config.split }, trainRows: train.shape[0], trainedAt: new Date().toISOString() },
  });
  model.dispose();
  reporter.info(`train: ${history.loss.length} epochs on ${history.trainCount} rows (${history.valCount} validation) with backend ${history.backend} on ${history.workers} thread${history.workers === 1 ? "" : "s"} in ${seconds.toFixed(1)} s -> ${config.modelDir}`);
  return { history, backend: history.backend, modelDir: config.modelDir, seconds };
}
