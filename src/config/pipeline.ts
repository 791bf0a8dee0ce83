import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "../errors";
import { DEFAULT_AUGMENT_CONFIG, type AugmentConfig } from "./augment";
import {
  DEFAULT_DETECTORS,
  DEFAULT_POOLING,
  DEFAULT_REPRESENTATION,
  DETECTOR_NAMES,
  isPoolStatistic,
  type DetectorsConfig,
  type PoolingConfig,
  type RecordingScoreRule,
  type RepresentationConfig,
} from "./detect";
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from "./features";

/**
 * Folder names under the data root. Raw folders are read only; generated folders are the only
 * ones the pipeline ever empties or writes.
 */
export interface DataLayout {
  /** Raw recordings of the faulty machine (read only). */
  rawBroken: string;
  /** Raw recordings of the healthy machine (read only). */
  rawNormal: string;
  /** Cleaned, resampled, chunked broken clips (generated). */
  brokenSamples: string;
  /** Cleaned, resampled normal clips (generated). */
  normalSamples: string;
  /** Augmented broken clips (generated). */
  augmentedBroken: string;
  /** features.npy, labels.npy, the manifest and the split arrays (generated). */
  processed: string;
  /** Recordings of the faulty machine kept out of training, scored by `soundcheck unseen` (read only). */
  rawUnseenBroken: string;
  /** Recordings of the healthy machine kept out of training, scored by `soundcheck unseen` (read only). */
  rawUnseenNormal: string;
  /** dataFormat "dcase" only: the DCASE `train/` folder, normal clips named as DCASE (read only). */
  rawDcaseTrain: string;
  /** dataFormat "dcase" only: the DCASE `test/` folder, normal and anomalous clips named as DCASE (read only). */
  rawDcaseTest: string;
}

export const DEFAULT_LAYOUT: Readonly<DataLayout> = Object.freeze({
  rawBroken: "broken_audio",
  rawNormal: "normal_audio",
  brokenSamples: "broken_audio_samples",
  normalSamples: "normal_audio_samples",
  augmentedBroken: "augmented_broken_audio_samples",
  processed: "processed_data",
  rawUnseenBroken: "unseen_broken_audio",
  rawUnseenNormal: "unseen_normal_audio",
  rawDcaseTrain: "train",
  rawDcaseTest: "test",
});

/** Cleaning and sampling: the first stage. */
export interface CleanConfig {
  /** Length of the chunks broken recordings are cut into, seconds; the short remainder is dropped. */
  chunkSeconds: number;
  /** Cut normal recordings into chunks too (the thesis keeps them whole). */
  chunkNormal: boolean;
  /** Sample format of the cleaned WAVs: PCM16 like the thesis's soundfile.write, or float32. */
  wavFormat: "pcm16" | "float32";
}

/**
 * How rows are split into training and test sets:
 * - "rows": row by row, as the thesis's `train_test_split` (chunks and augmented copies of one
 *   recording can land on both sides: optimistic numbers);
 * - "grouped": whole source recordings go to one side, chosen per class (stratified) with the
 *   seed, so no recording is ever both trained on and tested on.
 */
export type SplitMethod = "rows" | "grouped";

/** The train/test split. */
export interface SplitConfig {
  method: SplitMethod;
  /** Fraction of rows ("rows") or of recordings per class ("grouped") in the test set. */
  testFraction: number;
  /** Seed of the permutation (the thesis used 42). */
  seed: number;
  /**
   * Keep augmented rows in the test (and validation) set. The thesis does; an honest setup
   * tests on original clips only and augments the training side alone.
   */
  augmentedInTest: boolean;
}

/** Training the CNN. */
export interface TrainConfig {
  epochs: number;
  /** Rows per gradient step; null = the whole training set at once (full batch, as the thesis). */
  batchSize: number | null;
  /** Adam learning rate. */
  learningRate: number;
  /**
   * Fraction of the training rows held out for validation (loss curve, early stopping, decision
   * threshold); 0 = none. With a grouped split the validation set is grouped too.
   */
  validationFraction: number;
  /** Stop after this many epochs without a better validation loss; null = never stop early. */
  earlyStoppingPatience: number | null;
  /** Seed of weight initialisation and shuffling. */
  seed: number;
  /** Report the loss every this many epochs. */
  logEveryEpochs: number;
  /** Compute backend: auto = tfjs-node when installed, else wasm with our kernels. */
  backend: "auto" | "tfjs-node" | "wasm" | "cpu";
  /**
   * Class imbalance in the training rows: "none" (the thesis), or "oversample": repeat rows of
   * the smaller class (seeded) until both classes have as many rows, which for full-batch
   * training equals weighting the loss by inverse class frequency.
   */
  classBalance: "none" | "oversample";
  /**
   * Decision rule: "argmax" (the larger probability wins, i.e. threshold 0.5), or "validation":
   * the threshold on P(broken) that maximises balanced accuracy on the validation rows, stored
   * with the model (needs validationFraction > 0). Never chosen on the test set.
   */
  threshold: "argmax" | "validation";
  /**
   * The CNN's second pooling over time: "flatten" (the thesis: MaxPool 2, then 25 x 32 values into
   * the dense layer) or "global-max" (the maximum of each conv2 channel over the whole clip: 32
   * values, wherever in the clip the click falls).
   */
  timePooling: "flatten" | "global-max";
  /**
   * "none" (the thesis) or "per-coefficient": subtract each MFCC coefficient's mean and divide by
   * its std, both over all frames of the training rows only; stored with the model and applied to
   * every clip the model scores.
   */
  inputStandardisation: "none" | "per-coefficient";
}

/** Baseline models trained and scored next to the CNN, on the same split and metrics. */
export type BaselineName = "logistic-regression" | "autoencoder";

/** The evaluate stage and the run report. */
export interface EvaluateConfig {
  /** Baselines to fit on the training rows and report next to the CNN. */
  baselines: BaselineName[];
  /** Upper false-positive rate of the partial AUC (DCASE uses 0.1). */
  maxFpr: number;
  /**
   * Figures in the run folder: "none"; "html" (plotly JSON + one offline HTML page); or
   * "html+svg" (also SVG and PNG, drawn by Chromium when one is installed).
   */
  figures: "none" | "html" | "html+svg";
  /**
   * Recording-level decisions: how a recording's window (chunk) scores become its score, for
   * every model in evaluate, cv, unseen and predict ("mean", "max", "top-k"); "none" = windows
   * only (the thesis).
   */
  recordingScore: RecordingScoreRule;
  /** Windows averaged per recording by recordingScore "top-k". */
  recordingTopK: number;
}

/** Repeated cross-validation (`soundcheck cv`). */
export interface CrossValidationConfig {
  /** Folds per repetition. */
  folds: number;
  /** Repetitions, each with its own seed (split.seed + repetition). */
  repeats: number;
}

/** Everything one pipeline run needs, with the thesis's values as defaults. */
export interface PipelineConfig {
  /** Folder holding the raw and generated data folders (see DataLayout). */
  dataRoot: string;
  layout: DataLayout;
  /** Where the trained model is saved (tfjs format + metadata.json). */
  modelDir: string;
  /** Where evaluation reports are written. */
  reportsDir: string;
  /** Class names by label: 0 = normal, 1 = broken. */
  classNames: [string, string];
  clean: CleanConfig;
  features: FeatureConfig;
  augment: AugmentConfig;
  split: SplitConfig;
  train: TrainConfig;
  evaluate: EvaluateConfig;
  cv: CrossValidationConfig;
  /** Representation the pooled-feature detectors read (config/detect.ts). */
  representation: RepresentationConfig;
  /** Statistics pooled per band over each window's frames. */
  pooling: PoolingConfig;
  /** Pooled-feature detectors trained, saved and reported next to the CNN (none in the thesis). */
  detectors: DetectorsConfig;
  /** Seed of the augmentations' random noise. */
  augmentSeed: number;
  /**
   * Name of this run's report folder under reportsDir (config, metrics, predictions, figures);
   * null = write the reports straight into reportsDir. The CLI names runs `<preset>-<time>`.
   */
  runName: string | null;
  /** Preset this config started from (recorded in reports). */
  preset: PresetName;
  /**
   * Worker threads for cleaning, feature extraction (output identical for any count) and
   * data-parallel training (weights identical for a given count); null = one per core.
   */
  workers: number | null;
  /**
   * How the raw recordings are laid out: "folders" (dataRoot holds layout.rawBroken and
   * layout.rawNormal, the class is the folder) or "dcase" (dataRoot is a DCASE
   * `dev_data/raw/<machine>` folder holding `train/` (normal clips only) and `test/`; the class
   * and the train/test split come from the file names). `--layout` on the command line.
   */
  dataFormat: DataFormat;
  /**
   * Read DCASE metadata from file names (src/data/dcaseNames.ts): section, domain, split,
   * condition, index and attributes as extra manifest columns, and per-domain AUC, pAUC and the
   * DCASE official score in every report. Off in the thesis preset (its manifests stay byte for
   * byte the original's); always on with dataFormat "dcase".
   */
  dcaseNames: boolean;
}

/** See {@link PipelineConfig.dataFormat}. */
export type DataFormat = "folders" | "dcase";

/** A deep-partial config, as read from a JSON file or built from flags. */
export type PipelineConfigOverrides = {
  [K in keyof PipelineConfig]?: PipelineConfig[K] extends readonly unknown[]
    ? PipelineConfig[K]
    : PipelineConfig[K] extends object
      ? Partial<PipelineConfig[K]>
      : PipelineConfig[K];
};

/** The thesis's setup: every value as in the original Python scripts. */
export function thesisConfig(projectRoot: string = process.cwd()): PipelineConfig {
  return {
    dataRoot: join(projectRoot, "data"),
    layout: { ...DEFAULT_LAYOUT },
    modelDir: join(projectRoot, "models", "cnn_model"),
    reportsDir: join(projectRoot, "reports"),
    classNames: ["normal", "broken"],
    clean: { chunkSeconds: 3, chunkNormal: false, wavFormat: "pcm16" },
    features: { ...DEFAULT_FEATURE_CONFIG },
    augment: { ...DEFAULT_AUGMENT_CONFIG, enabled: [...DEFAULT_AUGMENT_CONFIG.enabled] },
    split: { method: "rows", testFraction: 0.2, seed: 42, augmentedInTest: true },
    train: {
      epochs: 50,
      batchSize: null,
      learningRate: 0.001,
      validationFraction: 0,
      earlyStoppingPatience: null,
      seed: 42,
      logEveryEpochs: 10,
      backend: "auto",
      classBalance: "none",
      threshold: "argmax",
      timePooling: "flatten",
      inputStandardisation: "none",
    },
    evaluate: { baselines: [], maxFpr: 0.1, figures: "html", recordingScore: "none", recordingTopK: 2 },
    cv: { folds: 5, repeats: 2 },
    representation: { ...DEFAULT_REPRESENTATION },
    pooling: { statistics: [...DEFAULT_POOLING.statistics] },
    detectors: { ...DEFAULT_DETECTORS, models: [] },
    augmentSeed: 42,
    runName: null,
    preset: "thesis",
    workers: null,
    dataFormat: "folders",
    dcaseNames: false,
  };
}

/**
 * The leakage-safe, balanced setup for numbers one can publish. Differences from the thesis:
 * - normal recordings are cut into chunks like broken ones (more normal rows, same clip length);
 * - the split is by source recording, stratified by class: no recording on both sides;
 * - augmented copies are used for training only; validation and test hold original clips;
 * - training oversamples the smaller class, holds out a grouped 20 % of the training
 *   recordings for validation (loss curve) and chooses the decision threshold on them;
 * - logistic-regression and autoencoder baselines are reported next to the CNN;
 * - DCASE file names are read into the manifests and reports (per-domain AUC, official score);
 * - every model is also judged once per recording (its windows' scores averaged), and detectors on
 *   pooled features of whole recordings (log-mel, max per band; logistic regression, kNN and
 *   Mahalanobis) are trained, saved and reported next to the CNN (chosen by grouped CV, README).
 * - the CNN's input is standardised per MFCC coefficient (statistics of the training rows only,
 *   stored with the model) and its second pooling takes the maximum over the whole clip
 *   (`train.inputStandardisation`, `train.timePooling`): grouped 5 x 2 CV on the valve set,
 *   recording-level ROC AUC 0.515 -> 0.722 (README, "The CNN's training recipe").
 * Features, augmentations, optimiser and training (full batch, Adam 1e-3, 50 epochs) stay the
 * thesis's. (On the valve set, early stopping on the grouped validation recordings did worse, with
 * mini-batches of 32 and with full batches: the validation loss is lowest after the first epochs,
 * before the model separates the classes.)
 */
export function recommendedConfig(projectRoot: string = process.cwd()): PipelineConfig {
  const base = thesisConfig(projectRoot);
  return {
    ...base,
    clean: { ...base.clean, chunkNormal: true },
    split: { method: "grouped", testFraction: 0.2, seed: 42, augmentedInTest: false },
    train: {
      ...base.train,
      validationFraction: 0.2,
      classBalance: "oversample",
      threshold: "validation",
      // chosen by grouped 5 x 2 CV over 8 recipes (README, "The CNN's training recipe")
      inputStandardisation: "per-coefficient",
      timePooling: "global-max",
    },
    evaluate: { ...base.evaluate, baselines: ["logistic-regression", "autoencoder"], recordingScore: "mean" },
    // chosen by grouped 5 x 2 CV over representation x pooling x model (README, "Evaluation you can publish")
    representation: { ...base.representation, kind: "logmel", window: "recording" },
    pooling: { statistics: ["max"] },
    detectors: { ...base.detectors, models: ["logistic-regression", "knn", "mahalanobis"] },
    dcaseNames: true,
    preset: "recommended",
  };
}

/** Named starting points; `thesis` reproduces the original, `recommended` is leakage-safe. */
export type PresetName = "thesis" | "recommended";
export const PRESETS: Record<PresetName, (projectRoot?: string) => PipelineConfig> = {
  thesis: thesisConfig,
  recommended: recommendedConfig,
};

/** The preset of that name, or a ConfigError listing the known ones. */
export function presetConfig(name: string, projectRoot: string = process.cwd()): PipelineConfig {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new ConfigError("--preset", `"${name}" is not a preset`, `use one of: ${Object.keys(PRESETS).join(", ")}`);
  }
  return PRESETS[name as PresetName](projectRoot);
}

const SECTIONS = [
  "layout",
  "clean",
  "features",
  "augment",
  "split",
  "train",
  "evaluate",
  "cv",
  "representation",
  "pooling",
  "detectors",
] as const;

/** Apply overrides on top of a config (one level deep per section), returning a new config. */
export function mergeConfig(base: PipelineConfig, overrides: PipelineConfigOverrides): PipelineConfig {
  const out: PipelineConfig = structuredClone(base);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in base)) {
      throw new ConfigError(
        `config.${key}`,
        "is not a setting",
        `remove it; known settings: ${Object.keys(base).join(", ")}`,
      );
    }
    if ((SECTIONS as readonly string[]).includes(key)) {
      const section = (out as unknown as Record<string, Record<string, unknown>>)[key] as Record<string, unknown>;
      for (const [sub, subValue] of Object.entries(value as Record<string, unknown>)) {
        if (!(sub in section)) {
          throw new ConfigError(
            `config.${key}.${sub}`,
            "is not a setting",
            `remove it; known: ${Object.keys(section).join(", ")}`,
          );
        }
        section[sub] = subValue;
      }
    } else {
      (out as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

/**
 * Read a JSON file that must hold one object (a config or grid file), with one clear error naming
 * the file when it cannot be read or parsed, or holds something else.
 * @param option  the command-line option that names such a file ("--config")
 * @param example  a short valid example for the error message
 */
export function readJsonObject(path: string, option: string, example: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(
      path,
      `cannot be read as JSON (${(err as Error).message})`,
      `fix the file or pass another with ${option}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(path, "must hold a JSON object", `write e.g. ${example}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Read overrides from a JSON file. Relative paths inside it (dataRoot, modelDir, reportsDir)
 * are taken relative to the file's folder.
 */
export function readConfigFile(path: string): PipelineConfigOverrides {
  const overrides = readJsonObject(path, "--config", '{"train": {"epochs": 20}}');
  const folder = resolve(path, "..");
  for (const key of ["dataRoot", "modelDir", "reportsDir"]) {
    const v = overrides[key];
    if (typeof v === "string" && !isAbsolute(v)) overrides[key] = resolve(folder, v);
  }
  return overrides as PipelineConfigOverrides;
}

/** Absolute path of one of the layout's folders. */
export function dataPath(config: PipelineConfig, folder: keyof DataLayout): string {
  return resolve(config.dataRoot, config.layout[folder]);
}

/** Throw a ConfigError naming `subject` unless `value` is one of `allowed` (the value is quoted as given). */
function needOneOf(value: unknown, allowed: readonly unknown[], subject: string, fix: string): void {
  if (!allowed.includes(value)) throw new ConfigError(subject, `is ${JSON.stringify(value)}`, fix);
}

/** Check the values a user could get wrong; throws ConfigError with the fix. */
export function validateConfig(config: PipelineConfig): void {
  const f = config.features;
  const need = (ok: boolean, subject: string, problem: string, fix: string) => {
    if (!ok) throw new ConfigError(subject, problem, fix);
  };
  need(
    Number.isInteger(f.sampleRateHz) && f.sampleRateHz >= 1000 && f.sampleRateHz <= 384000,
    "features.sampleRateHz",
    `is ${f.sampleRateHz}`,
    "use an integer rate in Hz such as 22050",
  );
  need(
    Number.isInteger(f.nFft) && f.nFft >= 16 && (f.nFft & (f.nFft - 1)) === 0,
    "features.nFft",
    `is ${f.nFft}`,
    "use a power of two such as 2048",
  );
  need(
    Number.isInteger(f.hopLength) && f.hopLength > 0,
    "features.hopLength",
    `is ${f.hopLength}`,
    "use a positive integer such as 512",
  );
  need(
    Number.isInteger(f.nMfcc) && f.nMfcc > 0 && f.nMfcc <= f.nMels,
    "features.nMfcc",
    `is ${f.nMfcc} with nMels ${f.nMels}`,
    "use 1..nMels coefficients, e.g. 40",
  );
  need(
    f.frames === null || (Number.isInteger(f.frames) && f.frames > 0),
    "features.frames",
    `is ${f.frames}`,
    "use a positive integer such as 100, or null",
  );
  need(
    config.clean.chunkSeconds > 0,
    "clean.chunkSeconds",
    `is ${config.clean.chunkSeconds}`,
    "use a positive length in seconds such as 3",
  );
  need(
    config.split.testFraction > 0 && config.split.testFraction < 1,
    "split.testFraction",
    `is ${config.split.testFraction}`,
    "use a fraction such as 0.2",
  );
  need(
    Number.isInteger(config.train.epochs) && config.train.epochs > 0,
    "train.epochs",
    `is ${config.train.epochs}`,
    "use a positive integer such as 50",
  );
  need(
    config.train.batchSize === null || (Number.isInteger(config.train.batchSize) && config.train.batchSize > 0),
    "train.batchSize",
    `is ${config.train.batchSize}`,
    "use a positive integer such as 32, or null for full batch",
  );
  need(
    config.train.validationFraction >= 0 && config.train.validationFraction < 1,
    "train.validationFraction",
    `is ${config.train.validationFraction}`,
    "use 0 (none) or a fraction such as 0.1",
  );
  need(
    config.workers === null || (Number.isInteger(config.workers) && config.workers >= 1),
    "workers",
    `is ${config.workers}`,
    "use a positive integer, or null for one per core",
  );
  need(
    config.train.learningRate > 0,
    "train.learningRate",
    `is ${config.train.learningRate}`,
    "use a positive rate such as 0.001",
  );
  needOneOf(
    config.split.method,
    ["rows", "grouped"],
    "split.method",
    'use "rows" (the thesis) or "grouped" (by source recording)',
  );
  needOneOf(config.train.classBalance, ["none", "oversample"], "train.classBalance", 'use "none" or "oversample"');
  needOneOf(config.train.threshold, ["argmax", "validation"], "train.threshold", 'use "argmax" or "validation"');
  needOneOf(config.train.timePooling, ["flatten", "global-max"], "train.timePooling", 'use "flatten" or "global-max"');
  needOneOf(
    config.train.inputStandardisation,
    ["none", "per-coefficient"],
    "train.inputStandardisation",
    'use "none" (the thesis) or "per-coefficient"',
  );
  need(
    config.train.threshold !== "validation" || config.train.validationFraction > 0,
    "train.threshold",
    'is "validation" but train.validationFraction is 0',
    'set train.validationFraction to e.g. 0.2, or train.threshold to "argmax"',
  );
  need(
    config.evaluate.maxFpr > 0 && config.evaluate.maxFpr <= 1,
    "evaluate.maxFpr",
    `is ${config.evaluate.maxFpr}`,
    "use a false-positive rate in (0, 1] such as 0.1",
  );
  need(
    Array.isArray(config.evaluate.baselines) &&
      config.evaluate.baselines.every((b) => b === "logistic-regression" || b === "autoencoder"),
    "evaluate.baselines",
    `is ${JSON.stringify(config.evaluate.baselines)}`,
    'use a list of "logistic-regression" and/or "autoencoder"',
  );
  needOneOf(
    config.evaluate.figures,
    ["none", "html", "html+svg"],
    "evaluate.figures",
    'use "none", "html" or "html+svg"',
  );
  need(
    Number.isInteger(config.cv.folds) && config.cv.folds >= 2,
    "cv.folds",
    `is ${config.cv.folds}`,
    "use an integer >= 2 such as 5",
  );
  need(
    Number.isInteger(config.cv.repeats) && config.cv.repeats >= 1,
    "cv.repeats",
    `is ${config.cv.repeats}`,
    "use a positive integer such as 2",
  );
  validateDetectConfig(config, need);
  needOneOf(
    config.dataFormat,
    ["folders", "dcase"],
    "dataFormat",
    'use "folders" (broken_audio/, normal_audio/) or "dcase" (train/, test/ named as DCASE)',
  );
  need(
    config.runName === null || /^[A-Za-z0-9._-]+$/.test(config.runName),
    "runName",
    `is ${JSON.stringify(config.runName)}`,
    "use letters, digits, dots, dashes and underscores only",
  );
}

/** The recording-level and pooled-feature detector settings (part of {@link validateConfig}). */
function validateDetectConfig(
  config: PipelineConfig,
  need: (ok: boolean, subject: string, problem: string, fix: string) => void,
): void {
  const r = config.representation;
  const e = config.evaluate;
  needOneOf(
    e.recordingScore,
    ["none", "mean", "max", "top-k"],
    "evaluate.recordingScore",
    'use "none", "mean", "max" or "top-k"',
  );
  need(
    Number.isInteger(e.recordingTopK) && e.recordingTopK >= 1,
    "evaluate.recordingTopK",
    `is ${e.recordingTopK}`,
    "use a positive integer such as 2",
  );
  needOneOf(r.kind, ["mfcc", "logmel"], "representation.kind", 'use "mfcc" or "logmel"');
  need(
    Number.isInteger(r.nMels) && r.nMels >= 1,
    "representation.nMels",
    `is ${r.nMels}`,
    "use a positive integer such as 128",
  );
  need(
    Number.isInteger(r.nMfcc) && r.nMfcc >= 1 && r.nMfcc <= r.nMels,
    "representation.nMfcc",
    `is ${r.nMfcc} with nMels ${r.nMels}`,
    "use 1..nMels coefficients, e.g. 40",
  );
  needOneOf(r.deltas, [0, 1, 2], "representation.deltas", "use 0 (none), 1 (deltas) or 2 (deltas and delta-deltas)");
  needOneOf(
    r.window,
    ["recording", "chunk"],
    "representation.window",
    'use "recording" (whole recordings) or "chunk" (clean.chunkSeconds windows)',
  );
  const stats = config.pooling.statistics;
  need(
    Array.isArray(stats) && stats.length > 0 && stats.every(isPoolStatistic) && new Set(stats).size === stats.length,
    "pooling.statistics",
    `is ${JSON.stringify(stats)}`,
    'use distinct statistics among "mean", "std", "min", "max" and percentiles such as "p90"',
  );
  const d = config.detectors;
  need(
    Array.isArray(d.models) &&
      d.models.every((m) => DETECTOR_NAMES.includes(m)) &&
      new Set(d.models).size === d.models.length,
    "detectors.models",
    `is ${JSON.stringify(d.models)}`,
    `use distinct names among ${DETECTOR_NAMES.map((m) => `"${m}"`).join(", ")}`,
  );
  need(
    Number.isInteger(d.knnNeighbours) && d.knnNeighbours >= 1,
    "detectors.knnNeighbours",
    `is ${d.knnNeighbours}`,
    "use a positive integer such as 5",
  );
  need(d.l2 > 0, "detectors.l2", `is ${d.l2}`, "use a penalty strength > 0 such as 1");
}
