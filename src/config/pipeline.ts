import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "../errors";
import { DEFAULT_AUGMENT_CONFIG, type AugmentConfig } from "./augment";
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
}

export const DEFAULT_LAYOUT: Readonly<DataLayout> = Object.freeze({
  rawBroken: "broken_audio",
  rawNormal: "normal_audio",
  brokenSamples: "broken_audio_samples",
  normalSamples: "normal_audio_samples",
  augmentedBroken: "augmented_broken_audio_samples",
  processed: "processed_data",
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

/** The train/test split. */
export interface SplitConfig {
  /** Fraction of rows in the test set. */
  testFraction: number;
  /** Seed of the permutation (the thesis used 42). */
  seed: number;
}

/** Training the CNN. */
export interface TrainConfig {
  epochs: number;
  /** Rows per gradient step; null = the whole training set at once (full batch, as the thesis). */
  batchSize: number | null;
  /** Adam learning rate. */
  learningRate: number;
  /** Fraction of the training rows held out for validation loss; 0 = none. */
  validationFraction: number;
  /** Stop after this many epochs without a better validation loss; null = never stop early. */
  earlyStoppingPatience: number | null;
  /** Seed of weight initialisation and shuffling. */
  seed: number;
  /** Report the loss every this many epochs. */
  logEveryEpochs: number;
  /** Compute backend: auto = tfjs-node when installed, else wasm with our kernels. */
  backend: "auto" | "tfjs-node" | "wasm" | "cpu";
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
  /** Seed of the augmentations' random noise. */
  augmentSeed: number;
  /**
   * Worker threads for cleaning, feature extraction (output identical for any count) and
   * data-parallel training (weights identical for a given count); null = one per core.
   */
  workers: number | null;
}

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
    split: { testFraction: 0.2, seed: 42 },
    train: {
      epochs: 50,
      batchSize: null,
      learningRate: 0.001,
      validationFraction: 0,
      earlyStoppingPatience: null,
      seed: 42,
      logEveryEpochs: 10,
      backend: "auto",
    },
    augmentSeed: 42,
    workers: null,
  };
}

/** Named starting points; `thesis` reproduces the original. */
export type PresetName = "thesis";
export const PRESETS: Record<PresetName, (projectRoot?: string) => PipelineConfig> = {
  thesis: thesisConfig,
};

const SECTIONS = ["layout", "clean", "features", "augment", "split", "train"] as const;

/** Apply overrides on top of a config (one level deep per section), returning a new config. */
export function mergeConfig(base: PipelineConfig, overrides: PipelineConfigOverrides): PipelineConfig {
  const out: PipelineConfig = structuredClone(base);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in base)) {
      throw new ConfigError(`config.${key}`, "is not a setting", `remove it; known settings: ${Object.keys(base).join(", ")}`);
    }
    if ((SECTIONS as readonly string[]).includes(key)) {
      const section = (out as unknown as Record<string, Record<string, unknown>>)[key] as Record<string, unknown>;
      for (const [sub, subValue] of Object.entries(value as Record<string, unknown>)) {
        if (!(sub in section)) {
          throw new ConfigError(`config.${key}.${sub}`, "is not a setting", `remove it; known: ${Object.keys(section).join(", ")}`);
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
 * Read overrides from a JSON file. Relative paths inside it (dataRoot, modelDir, reportsDir)
 * are taken relative to the file's folder.
 */
export function readConfigFile(path: string): PipelineConfigOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(path, `cannot be read as JSON (${(err as Error).message})`, "fix the file or pass another with --config");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(path, "must hold a JSON object", 'write e.g. {"train": {"epochs": 20}}');
  }
  const overrides = parsed as Record<string, unknown>;
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

/** Check the values a user could get wrong; throws ConfigError with the fix. */
export function validateConfig(config: PipelineConfig): void {
  const f = config.features;
  const need = (ok: boolean, subject: string, problem: string, fix: string) => {
    if (!ok) throw new ConfigError(subject, problem, fix);
  };
  need(Number.isInteger(f.sampleRateHz) && f.sampleRateHz >= 1000 && f.sampleRateHz <= 384000, "features.sampleRateHz", `is ${f.sampleRateHz}`, "use an integer rate in Hz such as 22050");
  need(Number.isInteger(f.nFft) && f.nFft >= 16 && (f.nFft & (f.nFft - 1)) === 0, "features.nFft", `is ${f.nFft}`, "use a power of two such as 2048");
  need(Number.isInteger(f.hopLength) && f.hopLength > 0, "features.hopLength", `is ${f.hopLength}`, "use a positive integer such as 512");
  need(Number.isInteger(f.nMfcc) && f.nMfcc > 0 && f.nMfcc <= f.nMels, "features.nMfcc", `is ${f.nMfcc} with nMels ${f.nMels}`, "use 1..nMels coefficients, e.g. 40");
  need(f.frames === null || (Number.isInteger(f.frames) && f.frames > 0), "features.frames", `is ${f.frames}`, "use a positive integer such as 100, or null");
  need(config.clean.chunkSeconds > 0, "clean.chunkSeconds", `is ${config.clean.chunkSeconds}`, "use a positive length in seconds such as 3");
  need(config.split.testFraction > 0 && config.split.testFraction < 1, "split.testFraction", `is ${config.split.testFraction}`, "use a fraction such as 0.2");
  need(Number.isInteger(config.train.epochs) && config.train.epochs > 0, "train.epochs", `is ${config.train.epochs}`, "use a positive integer such as 50");
  need(config.train.batchSize === null || (Number.isInteger(config.train.batchSize) && config.train.batchSize > 0), "train.batchSize", `is ${config.train.batchSize}`, "use a positive integer such as 32, or null for full batch");
  need(config.train.validationFraction >= 0 && config.train.validationFraction < 1, "train.validationFraction", `is ${config.train.validationFraction}`, "use 0 (none) or a fraction such as 0.1");
  need(config.workers === null || (Number.isInteger(config.workers) && config.workers >= 1), "workers", `is ${config.workers}`, "use a positive integer, or null for one per core");
  need(config.train.learningRate > 0, "train.learningRate", `is ${config.train.learningRate}`, "use a positive rate such as 0.001");
}
