import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { readCsv, toCsv, type CsvValue } from "../../data/csv";
import { assertSafeLayout, emptyGeneratedFolder, isHiddenName } from "../../data/dataset";
import { DCASE_COLUMNS, dcaseColumns, parseDcaseName } from "../../data/dcaseNames";
import { saveNpy } from "../../data/npy";
import { ConfigError } from "../../errors";
import { writeFileAtomic } from "../../util/atomicWrite";
import { CLEAN_MANIFEST, type ClassLabel } from "./cleanAndSample";
import { mapTask, workerCount } from "../runtime/parallel";
import type { ProcessClipTask } from "../runtime/tasks";
import { keepingSkips, type Reporter, type SkippedFile } from "../../util/reporter";
import { recordSkippedFiles } from "../reports/skipped";

/** One row of features.npy and where it came from. */
export interface FeatureRow {
  /** Row index in features.npy / labels.npy. */
  row: number;
  /** Clip the features were computed from, relative to the data root. */
  file: string;
  label: ClassLabel;
  /** Raw recording the clip derives from, relative to the data root (the grouping key). */
  source: string;
  /** Augmentation applied, or "" for an original clip. */
  augmentation: string;
  /** Chunk index within the source, or null for a whole recording. */
  chunk: number | null;
}

/** What the preprocess stage wrote. */
export interface PreprocessReport {
  rows: FeatureRow[];
  /** Shape of features.npy: [rows][nMfcc][frames]. */
  shape: [number, number, number];
  featuresPath: string;
  labelsPath: string;
  manifestPath: string;
  augmentedFiles: number;
  skipped: SkippedFile[];
}

/** File names in the processed-data folder. */
export const FEATURES_FILE = "features.npy";
export const LABELS_FILE = "labels.npy";
export const FEATURE_MANIFEST = "manifest.csv";

interface CleanClip {
  path: string;
  label: ClassLabel;
  source: string;
  chunk: number | null;
}

/** Seed of one clip's augmentation noise: FNV-1a of its path, mixed with the run's seed. */
export function clipSeed(runSeed: number, clipPath: string): number {
  let h = 0x811c9dc5 ^ (runSeed >>> 0);
  for (let i = 0; i < clipPath.length; i++) h = Math.imul(h ^ clipPath.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** One row of stage 2's output, as planned by {@link featureRowOrder}. */
export interface PlannedFeatureRow<C> {
  clip: C;
  /** Index into the enabled augmentations, or null for the clip itself. */
  augmentation: number | null;
}

/**
 * Stage 2's row order (the thesis's): every normal clip, then every broken clip (each class in
 * the order given), then for each broken clip in turn its copies in the order of `augmentations`.
 * {@link augmentAndExtract} writes its rows in exactly this order (clips it skips left out), so
 * anything that predicts the rows (notebook 00, tests) takes it from here.
 */
export function featureRowOrder<C extends { label: ClassLabel }>(
  clips: readonly C[],
  augmentations: readonly string[],
): PlannedFeatureRow<C>[] {
  const ordered = [...clips.filter((c) => c.label === 0), ...clips.filter((c) => c.label === 1)];
  return [
    ...ordered.map((clip) => ({ clip, augmentation: null })),
    ...ordered.filter((c) => c.label === 1).flatMap((clip) => augmentations.map((_, j) => ({ clip, augmentation: j }))),
  ];
}

/** The cleaned clips, from the clean stage's manifest (or, without one, from the folders). */
function cleanedClips(config: PipelineConfig, reporter: Reporter): CleanClip[] {
  const root = config.dataRoot;
  const manifest = join(dataPath(config, "processed"), CLEAN_MANIFEST);
  if (existsSync(manifest)) {
    return readCsv(manifest).map((r) => ({
      path: resolve(root, r.file as string),
      label: Number(r.label) === 1 ? 1 : 0,
      source: r.source as string,
      chunk: r.chunk === "" || r.chunk === undefined ? null : Number(r.chunk),
    }));
  }
  reporter.warn(
    `${manifest} not found: taking clips from the sample folders, each its own source recording ` +
      `(run "soundcheck clean" to record sources)`,
  );
  const clips: CleanClip[] = [];
  for (const [key, label] of [
    ["normalSamples", 0],
    ["brokenSamples", 1],
  ] as const) {
    const folder = dataPath(config, key);
    if (!existsSync(folder)) throw new ConfigError(folder, "not found", 'run "soundcheck clean" first');
    for (const name of readdirSync(folder).sort()) {
      if (isHiddenName(name) || !name.toLowerCase().endsWith(".wav")) continue;
      clips.push({ path: join(folder, name), label, source: relative(root, join(folder, name)), chunk: null });
    }
  }
  return clips;
}

/**
 * Stage 2, augmentation and feature extraction: write the enabled augmentations of every broken
 * clip to `<augmentedBroken>/<aug>_<name>.wav`, then compute the MFCC matrix
 * `[nMfcc][frames]` of every normal (label 0), broken (1) and augmented (1) clip, in that order,
 * and save `features.npy` (float32 `[rows][nMfcc][frames]`), `labels.npy` (int64 `[rows]`) and
 * `manifest.csv` (which clip and which source recording each row came from; with
 * `config.dcaseNames` also the DCASE fields of the recording's name, after the original columns).
 *
 * Augmented clips are written like the thesis did (PCM16 by default) and their features are
 * computed from the bytes written, i.e. from the files as they are on disk. Clips are processed on
 * `config.workers` threads; the output does not depend on how many.
 */
export async function augmentAndExtract(config: PipelineConfig, reporter: Reporter): Promise<PreprocessReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const root = config.dataRoot;
  const clips = cleanedClips(config, reporter);
  const normal = clips.filter((c) => c.label === 0);
  const broken = clips.filter((c) => c.label === 1);
  if (normal.length === 0 || broken.length === 0) {
    throw new ConfigError(
      dataPath(config, normal.length === 0 ? "normalSamples" : "brokenSamples"),
      "holds no cleaned clips",
      'run "soundcheck clean" first',
    );
  }
  const tracking = keepingSkips(reporter);
  const skipped = tracking.skipped;
  const { nMfcc, frames } = config.features;
  if (frames === null)
    throw new ConfigError(
      "features.frames",
      "is null, but features.npy needs one frame count for every clip",
      "set features.frames, e.g. 100",
    );
  const augDir = emptyGeneratedFolder(config, "augmentedBroken");
  // DCASE layout: the anomalous clips are all test clips, so none is augmented (DCASE trains on normal clips)
  const augmenting = config.augment.enabled.length > 0 && config.dataFormat !== "dcase";
  if (config.dataFormat === "dcase" && config.augment.enabled.length > 0) {
    reporter.info("preprocess: DCASE layout, so no augmentation (the anomalous clips are all test clips)");
  }

  // one task per clip: its features and, for broken clips, its augmentations written and featurised
  const ordered = featureRowOrder(clips, []).map((r) => r.clip);
  const tasks: ProcessClipTask[] = ordered.map((clip) => ({
    path: clip.path,
    features: config.features,
    augment:
      clip.label === 1 && augmenting
        ? {
            config: config.augment,
            seed: clipSeed(config.augmentSeed, relative(root, clip.path)),
            outDir: augDir,
            wavFormat: config.clean.wavFormat,
          }
        : null,
  }));
  reporter.progress("augment + features", 0, tasks.length);
  const results = await mapTask("processClip", tasks, workerCount(config.workers), (done) =>
    reporter.progress("augment + features", done, tasks.length),
  );

  // rows in the thesis's order: normal, broken, then the augmented clips
  const perRow = nMfcc * frames;
  const rows: FeatureRow[] = [];
  const blocks: Float32Array[] = [];
  const addRow = (clip: CleanClip, path: string, augmentation: string, features: Float32Array) => {
    rows.push({
      row: rows.length,
      file: relative(root, path),
      label: clip.label,
      source: clip.source,
      augmentation,
      chunk: clip.chunk,
    });
    blocks.push(features);
  };
  const done = ordered.flatMap((clip, i) => {
    const r = results[i] as (typeof results)[number];
    if (r.ok) return [{ clip, label: clip.label, result: r }];
    tracking.skip(clip.path, r.reason);
    return [];
  });
  let augmentedFiles = 0;
  for (const {
    clip: { clip, result },
    augmentation,
  } of featureRowOrder(done, augmenting ? config.augment.enabled : [])) {
    const a = augmentation === null ? null : result.augmented[augmentation];
    if (a === undefined) continue; // not written (cannot happen: one copy per enabled augmentation)
    if (a === null) addRow(clip, clip.path, "", result.features);
    else {
      addRow(clip, a.path, a.name, a.features);
      augmentedFiles++;
    }
  }
  recordSkippedFiles(config, "preprocess", skipped); // keeps the clean stage's rows of skipped.csv
  const features = new Float32Array(rows.length * perRow);
  blocks.forEach((b, i) => features.set(b, i * perRow));

  const processed = dataPath(config, "processed");
  const featuresPath = join(processed, FEATURES_FILE);
  const labelsPath = join(processed, LABELS_FILE);
  const manifestPath = join(processed, FEATURE_MANIFEST);
  saveNpy(featuresPath, { dtype: "<f4", shape: [rows.length, nMfcc, frames], data: features });
  saveNpy(labelsPath, { dtype: "<i8", shape: [rows.length], data: BigInt64Array.from(rows, (r) => BigInt(r.label)) });
  const withDcase = config.dcaseNames || config.dataFormat === "dcase";
  const dcase = (source: string) => (withDcase ? dcaseColumns(parseDcaseName(source)) : {});
  writeFileAtomic(
    manifestPath,
    toCsv(
      rows.map((r): Record<string, CsvValue> => ({
        row: r.row,
        file: r.file,
        label: r.label,
        class: config.classNames[r.label],
        source: r.source,
        augmentation: r.augmentation,
        chunk: r.chunk,
        ...dcase(r.source),
      })),
      ["row", "file", "label", "class", "source", "augmentation", "chunk", ...(withDcase ? DCASE_COLUMNS : [])],
    ),
  );
  const count = (l: ClassLabel) => rows.filter((r) => r.label === l).length;
  reporter.info(
    `preprocess: ${augmentedFiles} augmented clips; features ${rows.length} x ${nMfcc} x ${frames} ` +
      `(${count(0)} normal, ${count(1)} broken)`,
  );
  return { rows, shape: [rows.length, nMfcc, frames], featuresPath, labelsPath, manifestPath, augmentedFiles, skipped };
}
