import { join } from "node:path";
import { existsSync, rmSync } from "node:fs";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { loadNpy, loadNpyFloat32Shared, saveNpy, type NpyArray } from "../../data/npy";
import { assertSafeLayout } from "../../data/dataset";
import { groupedStratifiedSplit, thesisSplit } from "../../data/split";
import { ConfigError, ShapeError } from "../../errors";
import { writeFileAtomic } from "../../util/atomicWrite";
import { readFeatureManifest } from "../manifest";
import { FEATURE_MANIFEST, FEATURES_FILE, LABELS_FILE, type FeatureRow } from "./augmentAndExtract";
import type { Reporter } from "../../util/reporter";

/** File names of the split arrays in the processed-data folder, as the thesis named them. */
export const SPLIT_FILES = {
  xTrain: "X_train.npy",
  xTest: "X_test.npy",
  yTrain: "y_train.npy",
  yTest: "y_test.npy",
  /** Validation rows (only when train.validationFraction > 0). */
  xVal: "X_val.npy",
  yVal: "y_val.npy",
  indices: "split_indices.json",
} as const;

/** Which rows of features.npy went where, as written to split_indices.json. */
export interface SplitAssignment {
  train: Int32Array;
  /** Empty when there is no validation set. */
  validation: Int32Array;
  test: Int32Array;
}

/** What the split stage wrote. */
export interface SplitReport {
  indices: SplitAssignment;
  /** Rows per class on each side: `[normal, broken]`. */
  trainCounts: [number, number];
  validationCounts: [number, number];
  testCounts: [number, number];
  /** Source recordings on each side. */
  recordings: { train: number; validation: number; test: number };
  /** Source recordings with rows on more than one side (0 for a grouped split). */
  recordingsOnSeveralSides: number;
  /** Augmented rows dropped from the test and validation sets (split.augmentedInTest false). */
  droppedAugmentedRows: number;
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

/**
 * Load a features/labels pair and check they belong together.
 *
 * @param shared  read the features straight into a SharedArrayBuffer (training workers read them
 *   in place; no second copy of the file's bytes is held while reading)
 */
export function loadFeatureSet(
  featuresPath: string,
  labelsPath: string,
  options: { shared?: boolean } = {},
): FeatureSet {
  for (const p of [featuresPath, labelsPath]) {
    if (!existsSync(p)) throw new ConfigError(p, "not found", 'run "soundcheck preprocess" (and "split") first');
  }
  const x = options.shared === true ? loadNpyFloat32Shared(featuresPath) : loadNpy(featuresPath);
  const labels = loadNpy(labelsPath);
  if (!(x.data instanceof Float32Array) || x.shape.length !== 3) {
    throw new ShapeError(
      featuresPath,
      `expected float32 [rows][nMfcc][frames], found ${x.dtype} [${x.shape.join(", ")}]`,
      'run "soundcheck preprocess" again',
    );
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== x.shape[0]) {
    throw new ShapeError(
      labelsPath,
      `has shape [${labels.shape.join(", ")}] but the features have ${x.shape[0]} rows`,
      'run "soundcheck preprocess" again',
    );
  }
  const y = new Int32Array(labels.shape[0] as number);
  for (let i = 0; i < y.length; i++) y[i] = Number((labels.data as ArrayLike<number | bigint>)[i]);
  return { x: x.data, y, shape: x.shape };
}

/** The rows `rows` of a feature set, in that order. */
export function subsetFeatureSet(set: FeatureSet, rows: ArrayLike<number>): FeatureSet {
  const [, nMfcc, frames] = set.shape as [number, number, number];
  return {
    x: takeRows(set.x, nMfcc * frames, rows),
    y: Int32Array.from(rows, (r) => set.y[r] as number),
    shape: [rows.length, nMfcc, frames],
  };
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
  return {
    dtype: "<i8",
    shape: [indices.length],
    data: BigInt64Array.from(Array.from(indices), (r) => BigInt(y[r] as number)),
  };
}

function classCounts(y: Int32Array, indices: ArrayLike<number>): [number, number] {
  const c: [number, number] = [0, 0];
  for (let i = 0; i < indices.length; i++) c[(y[indices[i] as number] as number) === 1 ? 1 : 0]++;
  return c;
}

/** `rows` without the augmented ones. */
function originalRowsOnly(rows: Int32Array, manifest: readonly FeatureRow[]): Int32Array {
  return rows.filter((r) => (manifest[r] as FeatureRow).augmentation === "");
}

/**
 * Decide which rows of the feature set train, validate and test, as configured: the thesis's
 * row-level split or a grouped (by source recording) stratified one; the validation set is
 * carved out of the training side the same way (seed + 1); augmented rows leave the test and
 * validation sets unless `split.augmentedInTest`. Pure: the same inputs give the same rows.
 *
 * @param manifest  one entry per feature row (source recording, augmentation)
 * @param labels  class index per row
 */
export function assignSplit(
  config: PipelineConfig,
  manifest: readonly FeatureRow[],
  labels: Int32Array,
): { assignment: SplitAssignment; droppedAugmentedRows: number } {
  if (config.dataFormat === "dcase") return { assignment: dcaseFolderSplit(config, manifest), droppedAugmentedRows: 0 };
  const { method, testFraction, seed } = config.split;
  const groups = manifest.map((r) => r.source);
  const first =
    method === "grouped"
      ? groupedStratifiedSplit(groups, labels, testFraction, seed)
      : thesisSplit(labels.length, testFraction, seed);
  const { train, validation } = carveValidation(config, manifest, labels, first.train, seed + 1);
  return keepOriginalsInEvaluation(config, manifest, { train, validation, test: first.test });
}

/**
 * The DCASE layout's fixed split: rows from the `train/` folder train, rows from `test/` test
 * (the folder is the first part of the manifest's `source`); no validation rows (train/ holds
 * normal clips only, so nothing could be chosen on them).
 */
export function dcaseFolderSplit(config: PipelineConfig, manifest: readonly FeatureRow[]): SplitAssignment {
  const folderOf = (source: string) => source.split(/[\\/]/)[0];
  const rowsIn = (folder: string) =>
    Int32Array.from(manifest.filter((m) => folderOf(m.source) === folder).map((m) => m.row));
  const train = rowsIn(config.layout.rawDcaseTrain);
  const test = rowsIn(config.layout.rawDcaseTest);
  if (train.length === 0 || test.length === 0) {
    const { rawDcaseTrain, rawDcaseTest } = config.layout;
    throw new ConfigError(
      dataPath(config, "processed"),
      `the manifest has ${train.length} rows from ${rawDcaseTrain}/ and ${test.length} from ${rawDcaseTest}/`,
      'run "soundcheck clean --layout dcase" and "soundcheck preprocess --layout dcase" first',
    );
  }
  return { train, validation: new Int32Array(0), test };
}

/**
 * Hold out `train.validationFraction` of `rows` for validation, the way the split is
 * configured (grouped: whole recordings per class; rows: a seeded permutation).
 *
 * @param rows  candidate training rows (indices into the manifest / labels)
 * @returns both parts as row indices; validation empty when validationFraction is 0
 */
export function carveValidation(
  config: PipelineConfig,
  manifest: readonly FeatureRow[],
  labels: Int32Array,
  rows: Int32Array,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  const vf = config.train.validationFraction;
  if (vf === 0) return { train: rows, validation: new Int32Array(0) };
  const sub = Array.from(rows);
  const subLabels = Int32Array.from(sub, (r) => labels[r] as number);
  const grouped = config.split.method === "grouped";
  const inner = grouped
    ? groupedStratifiedSplit(
        sub.map((r) => (manifest[r] as FeatureRow).source),
        subLabels,
        vf,
        seed,
      )
    : thesisSplit(sub.length, vf, seed);
  const back = (idx: Int32Array) => Int32Array.from(idx, (i) => sub[i] as number);
  return { train: grouped ? back(inner.train).sort() : back(inner.train), validation: back(inner.test).sort() };
}

/** Without `split.augmentedInTest`, drop augmented rows from the validation and test sets. */
export function keepOriginalsInEvaluation(
  config: PipelineConfig,
  manifest: readonly FeatureRow[],
  assignment: SplitAssignment,
): { assignment: SplitAssignment; droppedAugmentedRows: number } {
  if (config.split.augmentedInTest) return { assignment, droppedAugmentedRows: 0 };
  const test = originalRowsOnly(assignment.test, manifest);
  const validation = originalRowsOnly(assignment.validation, manifest);
  const droppedAugmentedRows = assignment.test.length + assignment.validation.length - test.length - validation.length;
  return { assignment: { train: assignment.train, validation, test }, droppedAugmentedRows };
}

/** How many source recordings have rows on more than one side of the split. */
export function recordingsOnSeveralSides(assignment: SplitAssignment, manifest: readonly FeatureRow[]): number {
  const sides = new Map<string, Set<string>>();
  for (const side of ["train", "validation", "test"] as const) {
    for (const r of assignment[side]) {
      const g = (manifest[r] as FeatureRow).source;
      const set = sides.get(g) ?? new Set<string>();
      set.add(side);
      sides.set(g, set);
    }
  }
  return [...sides.values()].filter((s) => s.size > 1).length;
}

function distinctSources(rows: Int32Array, manifest: readonly FeatureRow[]): number {
  return new Set(Array.from(rows, (r) => (manifest[r] as FeatureRow).source)).size;
}

/**
 * Stage 3: split features.npy / labels.npy into training, (optional) validation and test sets
 * (see {@link assignSplit}) and write `X_train.npy`, `X_test.npy`, `y_train.npy`, `y_test.npy`,
 * `X_val.npy` / `y_val.npy` when there is a validation set, and `split_indices.json` (which
 * feature rows went where). With the thesis preset this is exactly the thesis's
 * `train_test_split(X, y, test_size=0.2, random_state=42)`. With `dataFormat` "dcase" the
 * DCASE folders decide ({@link dcaseFolderSplit}).
 */
export function splitFeatures(config: PipelineConfig, reporter: Reporter): SplitReport {
  assertSafeLayout(config); // no output may land in a raw folder
  const processed = dataPath(config, "processed");
  const set = loadFeatureSet(join(processed, FEATURES_FILE), join(processed, LABELS_FILE));
  const rows = set.shape[0] as number;
  const rowSize = set.x.length / rows;
  const manifest = readFeatureManifest(join(processed, FEATURE_MANIFEST), rows);
  const { assignment, droppedAugmentedRows } = assignSplit(config, manifest, set.y);
  const featureShape = set.shape.slice(1);
  const write = (xName: string, yName: string, idx: Int32Array) => {
    saveNpy(join(processed, xName), {
      dtype: "<f4",
      shape: [idx.length, ...featureShape],
      data: takeRows(set.x, rowSize, idx),
    });
    saveNpy(join(processed, yName), labelsNpy(set.y, idx));
  };
  write(SPLIT_FILES.xTrain, SPLIT_FILES.yTrain, assignment.train);
  write(SPLIT_FILES.xTest, SPLIT_FILES.yTest, assignment.test);
  if (assignment.validation.length > 0) write(SPLIT_FILES.xVal, SPLIT_FILES.yVal, assignment.validation);
  else for (const f of [SPLIT_FILES.xVal, SPLIT_FILES.yVal]) rmSync(join(processed, f), { force: true });
  const method =
    config.dataFormat === "dcase"
      ? "DCASE folders (train/ vs test/)"
      : config.split.method === "grouped"
        ? "grouped by source recording, stratified by class"
        : "thesis (row-level, sklearn train_test_split)";
  writeFileAtomic(
    join(processed, SPLIT_FILES.indices),
    JSON.stringify({
      method,
      testFraction: config.split.testFraction,
      validationFraction: config.train.validationFraction,
      seed: config.split.seed,
      augmentedInTest: config.split.augmentedInTest,
      train: Array.from(assignment.train),
      validation: Array.from(assignment.validation),
      test: Array.from(assignment.test),
    }) + "\n",
  );
  const report: SplitReport = {
    indices: assignment,
    trainCounts: classCounts(set.y, assignment.train),
    validationCounts: classCounts(set.y, assignment.validation),
    testCounts: classCounts(set.y, assignment.test),
    recordings: {
      train: distinctSources(assignment.train, manifest),
      validation: distinctSources(assignment.validation, manifest),
      test: distinctSources(assignment.test, manifest),
    },
    recordingsOnSeveralSides: recordingsOnSeveralSides(assignment, manifest),
    droppedAugmentedRows,
    featureShape,
  };
  const side = (name: string, c: [number, number], recs: number) =>
    `${c[0] + c[1]} ${name} rows (${c[0]} normal, ${c[1]} broken; ${recs} recordings)`;
  const parts = [side("training", report.trainCounts, report.recordings.train)];
  if (assignment.validation.length > 0)
    parts.push(side("validation", report.validationCounts, report.recordings.validation));
  parts.push(side("test", report.testCounts, report.recordings.test));
  reporter.info(
    `split (${method}, seed ${config.split.seed}): ${parts.join(", ")}` +
      `${droppedAugmentedRows > 0 ? `; ${droppedAugmentedRows} augmented rows kept out of validation/test` : ""}`,
  );
  if (report.recordingsOnSeveralSides > 0) {
    reporter.warn(
      `${report.recordingsOnSeveralSides} source recordings have rows on both sides of the split ` +
        `(chunks or augmented copies of one recording in training and test): test scores are optimistic; ` +
        `use --preset recommended or split.method "grouped"`,
    );
  }
  return report;
}
