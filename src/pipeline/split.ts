import { join } from "node:path";
import { existsSync } from "node:fs";
import { dataPath, type PipelineConfig } from "../config/pipeline";
import { loadNpy, saveNpy, type NpyArray } from "../data/npy";
import { thesisSplit, type SplitIndices } from "../data/split";
import { ConfigError, ShapeError } from "../errors";
import { writeFileAtomic } from "../util/atomicWrite";
import { FEATURES_FILE, LABELS_FILE } from "./preprocess";
import type { Reporter } from "./reporter";

/** File names of the split arrays in the processed-data folder, as the thesis named them. */
export const SPLIT_FILES = {
  xTrain: "X_train.npy",
  xTest: "X_test.npy",
  yTrain: "y_train.npy",
  yTest: "y_test.npy",
  indices: "split_indices.json",
} as const;

/** What the split stage wrote. */
export interface SplitReport {
  indices: SplitIndices;
  /** Rows per class on each side: `[normal, broken]`. */
  trainCounts: [number, number];
  testCounts: [number, number];
  /** Shape of one feature matrix: [nMfcc, frames]. */
  featureShape: number[];
}

/** Features and labels as loaded from features.npy / labels.npy. */
export interface FeatureSet {
  /** float32 `[rows][nMfcc][frames]`, flat. */
  x: Float32Array;
  /** class index per row. */
  y: Int32Array;
  /** `[rows, nMfcc, frames]`. */
  shape: number[];
}

/** Load a features/labels pair and check they belong together. */
export function loadFeatureSet(featuresPath: string, labelsPath: string): FeatureSet {
  for (const p of [featuresPath, labelsPath]) {
    if (!existsSync(p)) throw new ConfigError(p, "not found", 'run "soundcheck preprocess" (and "split") first');
  }
  const x = loadNpy(featuresPath);
  const labels = loadNpy(labelsPath);
  if (!(x.data instanceof Float32Array) || x.shape.length !== 3) {
    throw new ShapeError(featuresPath, `expected float32 [rows][nMfcc][frames], found ${x.dtype} [${x.shape.join(", ")}]`, 'run "soundcheck preprocess" again');
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== x.shape[0]) {
    throw new ShapeError(labelsPath, `has shape [${labels.shape.join(", ")}] but the features have ${x.shape[0]} rows`, 'run "soundcheck preprocess" again');
  }
  const y = new Int32Array(labels.shape[0] as number);
  for (let i = 0; i < y.length; i++) y[i] = Number((labels.data as ArrayLike<number | bigint>)[i]);
  return { x: x.data, y, shape: x.shape };
}

/** Rows `indices` of a `[rows][...]` float32 array, in that order. */
export function takeRows(x: Float32Array, rowSize: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    out.set(x.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return out;
}

function labelsNpy(y: Int32Array, indices: ArrayLike<number>): NpyArray {
  return { dtype: "<i8", shape: [indices.length], data: BigInt64Array.from(Array.from(indices), (r) => BigInt(y[r] as number)) };
}

function classCounts(y: Int32Array, indices: ArrayLike<number>): [number, number] {
  const c: [number, number] = [0, 0];
  for (let i = 0; i < indices.length; i++) c[(y[indices[i] as number] as number) === 1 ? 1 : 0]++;
  return c;
}

/**
 * Stage 3: split features.npy / labels.npy into training and test sets, row by row, exactly as
 * the thesis's `train_test_split(X, y, test_size=0.2, random_state=42)`, and write
 * `X_train.npy`, `X_test.npy`, `y_train.npy`, `y_test.npy` and `split_indices.json` (which
 * feature rows went where).
 */
export function splitFeatures(config: PipelineConfig, reporter: Reporter): SplitReport {
  const processed = dataPath(config, "processed");
  const set = loadFeatureSet(join(processed, FEATURES_FILE), join(processed, LABELS_FILE));
  const rows = set.shape[0] as number;
  const rowSize = set.x.length / rows;
  const indices = thesisSplit(rows, config.split.testFraction, config.split.seed);
  const featureShape = set.shape.slice(1);
  saveNpy(join(processed, SPLIT_FILES.xTrain), { dtype: "<f4", shape: [indices.train.length, ...featureShape], data: takeRows(set.x, rowSize, indices.train) });
  saveNpy(join(processed, SPLIT_FILES.xTest), { dtype: "<f4", shape: [indices.test.length, ...featureShape], data: takeRows(set.x, rowSize, indices.test) });
  saveNpy(join(processed, SPLIT_FILES.yTrain), labelsNpy(set.y, indices.train));
  saveNpy(join(processed, SPLIT_FILES.yTest), labelsNpy(set.y, indices.test));
  writeFileAtomic(
    join(processed, SPLIT_FILES.indices),
    JSON.stringify({ method: "thesis (row-level, sklearn train_test_split)", testFraction: config.split.testFraction, seed: config.split.seed, train: Array.from(indices.train), test: Array.from(indices.test) }) + "\n",
  );
  const trainCounts = classCounts(set.y, indices.train);
  const testCounts = classCounts(set.y, indices.test);
  reporter.info(`split: ${indices.train.length} training rows (${trainCounts[0]} normal, ${trainCounts[1]} broken), ${indices.test.length} test rows (${testCounts[0]} normal, ${testCounts[1]} broken), seed ${config.split.seed}`);
  return { indices, trainCounts, testCounts, featureShape };
}
