import { join, relative } from "node:path";
import { dataPath, type PipelineConfig } from "../config/pipeline";
import { emptyGeneratedFolder, listAudioFiles, stem } from "../data/dataset";
import { ConfigError, SoundcheckError } from "../errors";
import { loadAudio } from "../audio/load";
import { writeWavFile } from "../audio/wav";
import { writeFileAtomic } from "../util/atomicWrite";
import { toCsv } from "../data/csv";
import type { Reporter, SkippedFile } from "./reporter";

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

/** Name of the clean stage's manifest, in the processed-data folder. */
export const CLEAN_MANIFEST = "clean_manifest.csv";

/**
 * Cut a signal into consecutive chunks of `chunkSamples`, dropping the short remainder.
 *
 * @returns `floor(samples.length / chunkSamples)` views into `samples` (no copy)
 */
export function cutIntoChunks(samples: Float32Array, chunkSamples: number): Float32Array[] {
  const count = Math.floor(samples.length / chunkSamples);
  return Array.from({ length: count }, (_, i) => samples.subarray(i * chunkSamples, (i + 1) * chunkSamples));
}

/**
 * Stage 1, cleaning and sampling (the thesis's cleaning_and_sampling): read every recording in
 * the raw broken and normal folders, skip hidden files and files that cannot be decoded (one
 * report line each; the run goes on), resample to the feature sample rate as mono, cut broken
 * recordings into `clean.chunkSeconds` chunks (dropping the short remainder; normal recordings
 * stay whole unless `clean.chunkNormal`), and write
 * `<brokenSamples>/<name>_chunk_<i>.wav` and `<normalSamples>/<name>.wav`.
 *
 * The two output folders are emptied first; the raw folders are only read.
 */
export async function cleanAndSample(config: PipelineConfig, reporter: Reporter): Promise<CleanReport> {
  const rate = config.features.sampleRateHz;
  const chunkSamples = Math.round(config.clean.chunkSeconds * rate);
  const root = config.dataRoot;
  const classes = [
    { label: 1 as ClassLabel, raw: dataPath(config, "rawBroken"), chunked: true, outKey: "brokenSamples" as const },
    { label: 0 as ClassLabel, raw: dataPath(config, "rawNormal"), chunked: config.clean.chunkNormal, outKey: "normalSamples" as const },
  ];
  const skippedBefore: SkippedFile[] = [];
  const tracking: Reporter = {
    info: (m) => reporter.info(m),
    warn: (m) => reporter.warn(m),
    progress: (l, d, t) => reporter.progress(l, d, t),
    skip: (file, reason) => {
      skippedBefore.push({ file, reason });
      reporter.skip(file, reason);
    },
  };
  // list first, so a missing folder fails before anything is emptied
  const inputs = classes.map((c) => ({ ...c, files: listAudioFiles(c.raw, tracking, `${config.classNames[c.label]} recordings`) }));
  for (const c of inputs) {
    if (c.files.length === 0) {
      throw new ConfigError(c.raw, `holds no audio files for class "${config.classNames[c.label]}"`, "add recordings (WAV, FLAC, MP3 or OGG) to it");
    }
  }
  const samples: CleanedSample[] = [];
  const recordings = { normal: 0, broken: 0 };
  for (const c of inputs) {
    const outDir = emptyGeneratedFolder(config, c.outKey);
    const label = `clean ${config.classNames[c.label]}`;
    let done = 0;
    for (const file of c.files) {
      tracking.progress(label, done++, c.files.length);
      let audio: Awaited<ReturnType<typeof loadAudio>>;
      try {
        audio = await loadAudio(file, rate);
      } catch (err) {
        if (err instanceof SoundcheckError) tracking.skip(file, `${err.problem}; ${err.fix}`);
        else tracking.skip(file, `cannot be decoded (${(err as Error).message}); re-export it as WAV or remove it`);
        continue;
      }
      const name = stem(file);
      const source = relative(root, file);
      if (c.chunked) {
        const chunks = cutIntoChunks(audio.samples, chunkSamples);
        if (chunks.length === 0) {
          tracking.skip(file, `${(audio.samples.length / rate).toFixed(2)} s is shorter than one ${config.clean.chunkSeconds} s chunk; use longer recordings or a shorter clean.chunkSeconds`);
          continue;
        }
        chunks.forEach((chunk, i) => {
          const out = join(outDir, `${name}_chunk_${i}.wav`);
          writeWavFile(out, chunk, rate, config.clean.wavFormat);
          samples.push({ file: relative(root, out), label: c.label, source, chunk: i, startSeconds: (i * chunkSamples) / rate, durationSeconds: chunkSamples / rate });
        });
      } else {
        if (audio.samples.length === 0) {
          tracking.skip(file, "holds no audio samples; remove it");
          continue;
        }
        const out = join(outDir, `${name}.wav`);
        writeWavFile(out, audio.samples, rate, config.clean.wavFormat);
        samples.push({ file: relative(root, out), label: c.label, source, chunk: null, startSeconds: 0, durationSeconds: audio.samples.length / rate });
      }
      if (c.label === 1) recordings.broken++;
      else recordings.normal++;
    }
    tracking.progress(label, c.files.length, c.files.length);
  }
  for (const [name, count] of Object.entries(recordings)) {
    if (count === 0) {
      throw new ConfigError(config.dataRoot, `no ${name} recording could be used (all were skipped)`, "check the skipped files listed above");
    }
  }
  const processed = dataPath(config, "processed");
  const manifestPath = join(processed, CLEAN_MANIFEST);
  const rows = samples.map((s) => ({
    file: s.file,
    label: s.label,
    class: config.classNames[s.label],
    source: s.source,
    chunk: s.chunk,
    start_seconds: s.startSeconds,
    duration_seconds: s.durationSeconds,
  }));
  writeFileAtomic(manifestPath, toCsv(rows, ["file", "label", "class", "source", "chunk", "start_seconds", "duration_seconds"]));
  reporter.info(`clean: ${recordings.broken} broken and ${recordings.normal} normal recordings -> ${samples.filter((s) => s.label === 1).length} broken and ${samples.filter((s) => s.label === 0).length} normal clips at ${rate} Hz${skippedBefore.length ? `, ${skippedBefore.length} files skipped` : ""}`);
  return { samples, skipped: skippedBefore, recordings, manifestPath };
}
