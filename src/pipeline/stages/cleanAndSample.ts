import { basename, join, relative } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { toCsv, type CsvValue } from "../../data/csv";
import { assertSafeLayout, emptyGeneratedFolder, isHiddenName, listAudioFiles } from "../../data/dataset";
import { DCASE_COLUMNS, dcaseColumns, parseDcaseName } from "../../data/dcaseNames";
import { listDcaseRecordings } from "../../data/dcaseLayout";
import { ConfigError } from "../../errors";
import { writeFileAtomic } from "../../util/atomicWrite";
import { cleanLongRecording, shouldStream, STREAM_ABOVE_BYTES } from "./longRecording";
import { mapTask, workerCount } from "../runtime/parallel";
import { keepingSkips, type Reporter, type SkippedFile } from "../../util/reporter";
import { recordSkippedFiles } from "../reports/skipped";
import type { CleanFileResult, CleanFileTask } from "../runtime/tasks";

export { cutIntoChunks } from "../runtime/tasks";

/** Class label: 0 = normal, 1 = broken. */
export type ClassLabel = 0 | 1;

/** One cleaned clip written by the clean stage. */
export interface CleanedSample {
  /** Written file, relative to the data root. */
  file: string;
  label: ClassLabel;
  /** Raw recording it came from, relative to the data root. */
  source: string;
  /** Chunk index within the source (0-based), or null for a whole recording. */
  chunk: number | null;
  /** Start of the clip in the source, seconds. */
  startSeconds: number;
  /** Clip length, seconds. */
  durationSeconds: number;
}

/** What the clean stage did. */
export interface CleanReport {
  samples: CleanedSample[];
  skipped: SkippedFile[];
  /** Raw recordings read successfully, per class. */
  recordings: { normal: number; broken: number };
  /** Absolute path of the manifest CSV. */
  manifestPath: string;
}

/** Options of {@link cleanAndSample} that are not part of the run's configuration. */
export interface CleanOptions {
  /** WAV files larger than this are cleaned block by block (default {@link STREAM_ABOVE_BYTES}). */
  streamAboveBytes?: number;
}

/** Name of the clean stage's manifest, in the processed-data folder. */
export const CLEAN_MANIFEST = "clean_manifest.csv";

/**
 * Stage 1, cleaning and sampling (the thesis's cleaning_and_sampling): read every recording in
 * the raw broken and normal folders, skip hidden files and files that cannot be decoded (one
 * report line each; the run goes on), resample to the feature sample rate as mono, cut broken
 * recordings into `clean.chunkSeconds` chunks (dropping the short remainder; normal recordings
 * stay whole unless `clean.chunkNormal`), and write
 * `<brokenSamples>/<name>_chunk_<i>.wav` and `<normalSamples>/<name>.wav`, plus
 * `clean_manifest.csv` saying which recording each clip came from (with `config.dcaseNames`,
 * also the DCASE fields of the recording's name: section, domain, dcase_split, condition, index,
 * attributes; appended after the original columns, which stay as they were).
 *
 * The two output folders are emptied first; the raw folders are only read. Files are processed
 * on `config.workers` threads; the output does not depend on how many. WAV files larger than
 * `options.streamAboveBytes` (32 MiB) are then cleaned one at a time, block by block, in bounded
 * memory, with progress reported as `clean <file name>` in seconds of audio.
 *
 * With `config.dataFormat` "dcase" the recordings come from the DCASE `train/` and `test/`
 * folders instead, the class from each file name (src/data/dcaseLayout.ts); the manifest's
 * `source` keeps the folder (`train/...`, `test/...`), which the split stage follows.
 *
 * Files left out (undecodable, too short, silent, unreadable; not hidden files) are listed in
 * `<processed>/skipped.csv` (src/pipeline/reports/skipped.ts).
 */
export async function cleanAndSample(
  config: PipelineConfig,
  reporter: Reporter,
  options: CleanOptions = {},
): Promise<CleanReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const rate = config.features.sampleRateHz;
  const chunkSamples = Math.round(config.clean.chunkSeconds * rate);
  const root = config.dataRoot;
  const classes = [
    { label: 1 as ClassLabel, raw: dataPath(config, "rawBroken"), chunked: true, outKey: "brokenSamples" as const },
    {
      label: 0 as ClassLabel,
      raw: dataPath(config, "rawNormal"),
      chunked: config.clean.chunkNormal,
      outKey: "normalSamples" as const,
    },
  ];
  const tracking = keepingSkips(reporter);
  const skipped = tracking.skipped;
  // list first, so a missing folder fails before anything is emptied
  let inputs: Array<(typeof classes)[number] & { files: string[] }>;
  if (config.dataFormat === "dcase") {
    // a DCASE machine folder: train/ and test/, the class from each file name
    const listed = listDcaseRecordings(config, tracking);
    inputs = classes.map((c) => ({
      ...c,
      raw: config.dataRoot,
      files: listed.filter((r) => r.label === c.label).map((r) => r.file),
    }));
  } else {
    inputs = classes.map((c) => ({
      ...c,
      files: listAudioFiles(c.raw, tracking, `${config.classNames[c.label]} recordings`),
    }));
  }
  for (const c of inputs) {
    if (c.files.length === 0) {
      throw new ConfigError(
        c.raw,
        `holds no audio files for class "${config.classNames[c.label]}"`,
        "add recordings (WAV, FLAC, MP3 or OGG) to it",
      );
    }
  }
  const samples: CleanedSample[] = [];
  const recordings = { normal: 0, broken: 0 };
  // one task per recording, both classes in one pool (workers start once and stay warm)
  const tasks: Array<CleanFileTask & { label: ClassLabel }> = [];
  for (const c of inputs) {
    const outDir = emptyGeneratedFolder(config, c.outKey);
    for (const file of c.files) {
      tasks.push({
        label: c.label,
        file,
        sampleRateHz: rate,
        chunkSamples: c.chunked ? chunkSamples : null,
        chunkSeconds: config.clean.chunkSeconds,
        outDir,
        wavFormat: config.clean.wavFormat,
      });
    }
  }
  // long WAV files go block by block on this thread after the others, each with its own progress
  const long = tasks.map((t) => shouldStream(t.file, options.streamAboveBytes ?? STREAM_ABOVE_BYTES));
  const pooled = tasks.filter((_, i) => !long[i]);
  reporter.progress("clean", 0, pooled.length);
  const pooledResults = await mapTask("cleanFile", pooled, workerCount(config.workers), (done) =>
    reporter.progress("clean", done, pooled.length),
  );
  const results: CleanFileResult[] = [];
  for (let i = 0, p = 0; i < tasks.length; i++) {
    const task = tasks[i] as CleanFileTask;
    if (!long[i]) {
      results.push(pooledResults[p++] as CleanFileResult);
      continue;
    }
    const label = `clean ${basename(task.file)}`;
    reporter.info(`${label}: long recording, cleaned block by block`);
    results.push(
      await cleanLongRecording(task, {
        onProgress: (done, total) => reporter.progress(label, Math.floor(done), Math.floor(total)),
      }),
    );
  }
  results.forEach((result, i) => {
    const { file, label } = tasks[i] as CleanFileTask & { label: ClassLabel };
    if (!result.ok) return tracking.skip(file, result.reason);
    for (const clip of result.clips) {
      samples.push({
        file: relative(root, clip.path),
        label,
        source: relative(root, file),
        chunk: clip.chunk,
        startSeconds: clip.chunk === null ? 0 : (clip.chunk * chunkSamples) / rate,
        durationSeconds: clip.samples / rate,
      });
    }
    if (label === 1) recordings.broken++;
    else recordings.normal++;
  });
  // hidden files are left out on purpose (.DS_Store...), not listed as problems
  recordSkippedFiles(
    config,
    "clean",
    skipped.filter((s) => !isHiddenName(basename(s.file))),
  );
  for (const [name, count] of Object.entries(recordings)) {
    if (count === 0) {
      throw new ConfigError(
        config.dataRoot,
        `no ${name} recording could be used (all were skipped)`,
        "check the skipped files listed above",
      );
    }
  }
  const manifestPath = join(dataPath(config, "processed"), CLEAN_MANIFEST);
  const withDcase = config.dcaseNames || config.dataFormat === "dcase";
  const rows = samples.map((s): Record<string, CsvValue> => ({
    file: s.file,
    label: s.label,
    class: config.classNames[s.label],
    source: s.source,
    chunk: s.chunk,
    start_seconds: s.startSeconds,
    duration_seconds: s.durationSeconds,
    ...(withDcase ? dcaseColumns(parseDcaseName(s.source)) : {}),
  }));
  const columns = [
    "file",
    "label",
    "class",
    "source",
    "chunk",
    "start_seconds",
    "duration_seconds",
    ...(withDcase ? DCASE_COLUMNS : []),
  ];
  writeFileAtomic(manifestPath, toCsv(rows, columns));
  const count = (l: ClassLabel) => samples.filter((s) => s.label === l).length;
  reporter.info(
    `clean: ${recordings.broken} broken and ${recordings.normal} normal recordings -> ` +
      `${count(1)} broken and ${count(0)} normal clips at ${rate} Hz` +
      `${skipped.length ? `, ${skipped.length} files skipped` : ""}`,
  );
  return { samples, skipped, recordings, manifestPath };
}
