import { existsSync, rmSync } from "node:fs";
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { oversampleIndices } from "../../data/balance";
import { assertSafeLayout } from "../../data/dataset";
import { thesisSplit } from "../../data/split";
import { bothClassesPresent } from "../../evaluate/scores";
import { chooseThreshold } from "../../evaluate/thresholds";
import { parseBackendPreference } from "../../model/backend";
import { predictProbabilities } from "../../model/predict";
import { fitInputStandardisation, type InputStandardisation, standardiseInput } from "../../model/standardise";
import { type DecisionThreshold, saveCnn } from "../../model/save";
import { trainCnn, type TrainHistory } from "../../model/train";
import { loadFeatureSet, SPLIT_FILES, subsetFeatureSet, type FeatureSet } from "./split";
import type { Reporter } from "../../util/reporter";
import { DETECTORS_JSON, trainConfiguredDetectors } from "../detect/store";

/** What the train stage did. */
export interface TrainReport {
  history: TrainHistory;
  /** tfjs backend that trained the model. */
  backend: string;
  modelDir: string;
  /** Wall time of training alone, seconds. */
  seconds: number;
  /** Training rows per class after balancing: `[normal, broken]`. */
  fitCounts: [number, number];
  /** The decision rule stored with the model, or null for the argmax. */
  threshold: DecisionThreshold | null;
}

/**
 * Training rows and validation rows as the trainer takes them: one array (the training rows, then
 * the validation rows), and which of its rows train (oversampled by repeating indices, not rows)
 * and which validate.
 */
export interface TrainingData {
  /** `[rows][nMfcc][frames]`: `train.x` itself when there are no validation rows (no copy). */
  x: Float32Array;
  y: Int32Array;
  shape: [number, number, number];
  /** Rows of x / y to train on, in training order; repeats = oversampling. */
  trainIndices: Int32Array;
  /** Indices of the validation rows in x / y (empty: none). */
  validationIndices: Int32Array;
  fitCounts: [number, number];
}

/**
 * Assemble what the trainer gets: the training rows, oversampled per `classBalance` (as repeated
 * indices), followed by the validation rows (never oversampled). Without validation rows the
 * training features are passed on as they are, so training holds them once.
 */
export function assembleTrainingData(
  train: FeatureSet,
  validation: FeatureSet | null,
  classBalance: PipelineConfig["train"]["classBalance"],
  seed: number,
): TrainingData {
  const [rows, nMfcc, frames] = train.shape as [number, number, number];
  const rowSize = nMfcc * frames;
  const fit =
    classBalance === "oversample" ? oversampleIndices(train.y, seed) : Int32Array.from({ length: rows }, (_, i) => i);
  const valRows = validation === null ? 0 : (validation.shape[0] as number);
  let x = train.x;
  let y = train.y;
  if (validation !== null) {
    // shared, so that training workers read it in place
    x = new Float32Array(new SharedArrayBuffer((rows + valRows) * rowSize * 4));
    x.set(train.x);
    x.set(validation.x, rows * rowSize);
    y = new Int32Array(rows + valRows);
    y.set(train.y);
    y.set(validation.y, rows);
  }
  const fitCounts: [number, number] = [0, 0];
  for (let i = 0; i < fit.length; i++) fitCounts[train.y[fit[i] as number] === 1 ? 1 : 0]++;
  return {
    x,
    y,
    shape: [rows + valRows, nMfcc, frames],
    trainIndices: fit,
    validationIndices: Int32Array.from({ length: valRows }, (_, i) => rows + i),
    fitCounts,
  };
}

/**
 * The threshold on P(class 1) that maximises balanced accuracy on the validation rows, or null
 * (with the reason) when the validation rows cannot choose one.
 */
export function thresholdFromValidation(
  validation: FeatureSet,
  probabilityOfClass1: ArrayLike<number>,
): DecisionThreshold | string {
  if (!bothClassesPresent(validation.y)) return "the validation rows hold only one class";
  const chosen = chooseThreshold(validation.y, probabilityOfClass1, "balancedAccuracy");
  return {
    value: chosen.threshold,
    score: "probability of class 1",
    chosenOn: `validation rows (${validation.shape[0] as number} rows)`,
    criterion: chosen.criterion,
    criterionValue: chosen.value,
  };
}

/** A CNN trained as configured, with the decision threshold chosen on its validation rows. */
export interface TrainedCnn {
  model: tf.LayersModel;
  history: TrainHistory;
  threshold: DecisionThreshold | null;
  fitCounts: [number, number];
  seconds: number;
  /** The input standardisation the model was trained with (`train.inputStandardisation`), or null. */
  inputStandardisation: InputStandardisation | null;
}

/**
 * Train the CNN on `train` (balanced per `config.train.classBalance`), validating on
 * `validation`, and choose the decision threshold on the validation rows when
 * `config.train.threshold` is "validation". Shared by the train stage and cross-validation.
 * The caller owns (and disposes) the returned model.
 *
 * @param logEpochs  print the loss every `train.logEveryEpochs` epochs
 */
export async function trainConfiguredCnn(
  config: PipelineConfig,
  train: FeatureSet,
  validation: FeatureSet | null,
  reporter: Reporter,
  logEpochs = true,
): Promise<TrainedCnn> {
  const t = config.train;
  const data = assembleTrainingData(train, validation, t.classBalance, t.seed);
  const standardisation = standardiseTrainingData(data, t.inputStandardisation);
  if (t.classBalance === "oversample" && logEpochs) {
    reporter.info(
      `train: oversampled the smaller class: ` +
        `${data.fitCounts[0]} normal and ${data.fitCounts[1]} broken training rows ` +
        `(from ${train.y.filter((v) => v === 0).length} and ${train.y.filter((v) => v === 1).length})`,
    );
  }
  const start = performance.now();
  const { model, history } = await trainCnn(
    data.x,
    data.y,
    data.shape,
    {
      epochs: t.epochs,
      batchSize: t.batchSize ?? "full",
      learningRate: t.learningRate,
      seed: t.seed,
      shuffle: t.batchSize !== null,
      validationSplit: 0,
      trainIndices: data.trainIndices,
      validationIndices: data.validationIndices,
      earlyStoppingPatience: t.earlyStoppingPatience,
      restoreBestWeights: t.earlyStoppingPatience !== null,
      reportEvery: 1,
      backend: parseBackendPreference(t.backend),
      workers: config.workers,
      cnn: { timePooling: t.timePooling },
    },
    (log) => {
      if (!logEpochs) return;
      reporter.epoch?.(log);
      if (log.epoch % t.logEveryEpochs !== 0 && log.epoch !== log.epochs) return;
      const val =
        log.valLoss === undefined
          ? ""
          : `, val loss ${log.valLoss.toFixed(4)}, val accuracy ${(log.valAccuracy ?? Number.NaN).toFixed(4)}`;
      reporter.info(
        `Epoch [${log.epoch}/${log.epochs}], Loss: ${log.loss.toFixed(4)}, ` +
          `accuracy ${log.accuracy.toFixed(4)}${val} (${log.seconds.toFixed(2)} s/epoch)`,
      );
    },
  );
  const seconds = (performance.now() - start) / 1000;
  let threshold: DecisionThreshold | null = null;
  if (t.threshold === "validation" && validation !== null) {
    const n = validation.shape[0] as number;
    const probs = predictProbabilities(model, validation.x, n, standardisation);
    const p1 = Float64Array.from({ length: n }, (_, i) => probs[i * 2 + 1] as number);
    const chosen = thresholdFromValidation(validation, p1);
    if (typeof chosen === "string")
      reporter.warn(`train: no decision threshold chosen (${chosen}); the model decides by the larger probability`);
    else threshold = chosen;
  }
  return { model, history, threshold, fitCounts: data.fitCounts, seconds, inputStandardisation: standardisation };
}

/**
 * With `rule` "per-coefficient": fit the standardisation on the training rows of `data` alone
 * (each row once, however often oversampling repeats it; never the validation rows) and apply it
 * to all of `data.x`: in place when `data.x` is already a copy of its own, else into a new shared
 * array (the caller's training features stay as they were). Returns the statistics, or null for
 * "none" (data untouched).
 */
export function standardiseTrainingData(
  data: TrainingData,
  rule: PipelineConfig["train"]["inputStandardisation"],
): InputStandardisation | null {
  if (rule === "none") return null;
  const [rows, nMfcc, frames] = data.shape;
  const stats = fitInputStandardisation(data.x, data.trainIndices, nMfcc, frames);
  const own = data.validationIndices.length > 0; // assembleTrainingData copied train + validation rows
  const out = own ? data.x : new Float32Array(new SharedArrayBuffer(rows * nMfcc * frames * 4));
  data.x = standardiseInput(data.x, nMfcc, frames, stats, out);
  return stats;
}

/**
 * The training and validation rows: X_train / y_train and, when the config asks for validation,
 * the X_val / y_val the split stage wrote. If the split ran without validation (e.g. the
 * validation fraction was raised afterwards), a seeded random `validationFraction` of the
 * training rows is held out instead, as the thesis-era trainer did.
 */
export function loadTrainingSets(
  config: PipelineConfig,
  reporter: Reporter,
): { train: FeatureSet; validation: FeatureSet | null } {
  const processed = dataPath(config, "processed");
  const train = loadFeatureSet(join(processed, SPLIT_FILES.xTrain), join(processed, SPLIT_FILES.yTrain), {
    shared: true,
  });
  const vf = config.train.validationFraction;
  if (vf === 0) return { train, validation: null };
  const valPath = join(processed, SPLIT_FILES.xVal);
  if (existsSync(valPath)) return { train, validation: loadFeatureSet(valPath, join(processed, SPLIT_FILES.yVal)) };
  const held = thesisSplit(train.shape[0] as number, vf, config.split.seed + 1);
  reporter.info(
    `train: the split wrote no validation rows; holding out ${held.test.length} random training rows for validation ` +
      `(run "soundcheck split" with train.validationFraction ${vf} to hold out whole recordings instead)`,
  );
  return { train: subsetFeatureSet(train, held.train), validation: subsetFeatureSet(train, held.test) };
}

/**
 * Stage 4: train the thesis CNN on X_train / y_train (X_val / y_val for validation when the
 * config asks for validation), balancing classes if configured, choose the decision threshold
 * on the validation rows if configured, and save the model to `config.modelDir` in the tfjs
 * format (model.json + weights.bin) with a metadata.json holding the feature parameters, class
 * names, decision threshold, training settings and history, so the model describes itself.
 */
export async function trainStage(config: PipelineConfig, reporter: Reporter): Promise<TrainReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const { train, validation } = loadTrainingSets(config, reporter);
  const { model, history, threshold, fitCounts, seconds, inputStandardisation } = await trainConfiguredCnn(
    config,
    train,
    validation,
    reporter,
  );
  if (threshold !== null) {
    reporter.info(
      `train: decision threshold P(${config.classNames[1]}) >= ${threshold.value.toFixed(4)}, ` +
        `chosen on ${threshold.chosenOn} (balanced accuracy ${threshold.criterionValue.toFixed(4)})`,
    );
  }
  await saveCnn(model, config.modelDir, {
    classNames: [...config.classNames],
    features: { ...config.features },
    history,
    ...(threshold === null ? {} : { decisionThreshold: threshold }),
    ...(inputStandardisation === null ? {} : { inputStandardisation }),
    extra: {
      preset: config.preset,
      clean: { ...config.clean },
      train: { ...config.train },
      split: { ...config.split },
      trainRows: train.shape[0],
      fitRows: fitCounts[0] + fitCounts[1],
      validationRows: validation === null ? 0 : validation.shape[0],
      trainedAt: new Date().toISOString(),
    },
  });
  model.dispose();
  // the pooled-feature detectors on the same training / validation recordings, saved next to the CNN
  if (config.detectors.models.length > 0) await trainConfiguredDetectors(config, reporter);
  else rmSync(join(config.modelDir, DETECTORS_JSON), { force: true });
  reporter.info(
    `train: ${history.loss.length} epochs on ${history.trainCount} rows (${history.valCount} validation) ` +
      `with backend ${history.backend} on ${history.workers} thread${history.workers === 1 ? "" : "s"} ` +
      `in ${seconds.toFixed(1)} s -> ${config.modelDir}`,
  );
  return { history, backend: history.backend, modelDir: config.modelDir, seconds, fitCounts, threshold };
}
