import { join } from "node:path";
import type { AugmentConfig, AugmentationName } from "../../config/augment";
import type { FeatureConfig } from "../../config/features";
import { loadAudio } from "../../audio/load";
import { decodeWav, encodeWav, writeWavFile, type WavWriteEncoding } from "../../audio/wav";
import { toMono } from "../../audio/mono";
import { writeFileAtomic } from "../../util/atomicWrite";
import { augmentAll } from "../../augment";
import { stem } from "../../data/dataset";
import { SoundcheckError } from "../../errors";
import { createClipFeatureExtractor, type ClipFeatureExtractor } from "../features";
import { cutIntoChunks } from "../chunking";
import { sweepCell } from "../experiments/sweepCell";

/**
 * The per-file work of the clean and preprocess stages, as plain functions of plain data, so the
 * same code runs in the main thread or in a worker thread and gives identical bytes.
 */

/** Clean one raw recording: decode, resample, optionally cut into chunks, write WAVs. */
export interface CleanFileTask {
  file: string;
  sampleRateHz: number;
  /** Chunk length in samples, or null to keep the recording whole. */
  chunkSamples: number | null;
  chunkSeconds: number;
  outDir: string;
  wavFormat: WavWriteEncoding;
}

/** Clips written for one recording, or why it was skipped. */
export type CleanFileResult =
  | { ok: true; clips: Array<{ path: string; chunk: number | null; samples: number }>; sourceSamples: number }
  | { ok: false; reason: string };

export { cutIntoChunks }; // lives in chunking.ts (no file system), shared with the browser app

/** Turn any error into the one-line reason a skipped file gets. */
export function skipReason(err: unknown, fix: string): string {
  if (err instanceof SoundcheckError) return `${err.problem}; ${err.fix}`;
  return `cannot be decoded (${err instanceof Error ? err.message : String(err)}); ${fix}`;
}

/** Why a recording of digital silence is skipped. */
export const SILENT_RECORDING_REASON =
  "every sample is 0 (digital silence), so it carries no machine sound; check the recording, or remove the file";

/** Why a recording shorter than one chunk is skipped. */
export function tooShortReason(samples: number, sampleRateHz: number, chunkSeconds: number): string {
  return (
    `${(samples / sampleRateHz).toFixed(2)} s is shorter than one ${chunkSeconds} s chunk; ` +
    `use longer recordings or a shorter clean.chunkSeconds`
  );
}

function isSilent(samples: Float32Array): boolean {
  for (let i = 0; i < samples.length; i++) if (samples[i] !== 0) return false;
  return true;
}

export async function cleanFile(task: CleanFileTask): Promise<CleanFileResult> {
  let samples: Float32Array;
  try {
    samples = (await loadAudio(task.file, task.sampleRateHz)).samples;
  } catch (err) {
    return { ok: false, reason: skipReason(err, "re-export it as WAV or remove it") };
  }
  const name = stem(task.file);
  if (task.chunkSamples === null) {
    if (samples.length === 0) return { ok: false, reason: "holds no audio samples; remove it" };
    if (isSilent(samples)) return { ok: false, reason: SILENT_RECORDING_REASON };
    const path = join(task.outDir, `${name}.wav`);
    writeWavFile(path, samples, task.sampleRateHz, task.wavFormat);
    return { ok: true, clips: [{ path, chunk: null, samples: samples.length }], sourceSamples: samples.length };
  }
  const chunks = cutIntoChunks(samples, task.chunkSamples);
  if (chunks.length === 0)
    return { ok: false, reason: tooShortReason(samples.length, task.sampleRateHz, task.chunkSeconds) };
  if (isSilent(samples)) return { ok: false, reason: SILENT_RECORDING_REASON };
  const clips = chunks.map((chunk, i) => {
    const path = join(task.outDir, `${name}_chunk_${i}.wav`);
    writeWavFile(path, chunk, task.sampleRateHz, task.wavFormat);
    return { path, chunk: i, samples: chunk.length };
  });
  return { ok: true, clips, sourceSamples: samples.length };
}

/** Features of one cleaned clip, and, for broken clips, its augmentations written and featurised. */
export interface ProcessClipTask {
  path: string;
  features: FeatureConfig;
  /** Augment this clip (broken clips) with these settings, or null. */
  augment: { config: AugmentConfig; seed: number; outDir: string; wavFormat: WavWriteEncoding } | null;
}

/** `[nMfcc][frames]` float32 of the clip and of each augmentation, or why the clip was skipped. */
export type ProcessClipResult =
  | {
      ok: true;
      features: Float32Array;
      augmented: Array<{ name: AugmentationName; path: string; features: Float32Array }>;
    }
  | { ok: false; reason: string };

let extractorKey = "";
let extractor: ClipFeatureExtractor | null = null;

async function extractorFor(config: FeatureConfig): Promise<ClipFeatureExtractor> {
  const key = JSON.stringify(config);
  if (extractor === null || key !== extractorKey) {
    extractor = await createClipFeatureExtractor(config);
    extractorKey = key;
  }
  return extractor;
}

export async function processClip(task: ProcessClipTask): Promise<ProcessClipResult> {
  const rate = task.features.sampleRateHz;
  let samples: Float32Array;
  try {
    samples = (await loadAudio(task.path, rate)).samples;
  } catch (err) {
    return { ok: false, reason: skipReason(err, 'run "soundcheck clean" again') };
  }
  const extract = await extractorFor(task.features);
  const features = extract(samples).data.slice();
  const augmented: Array<{ name: AugmentationName; path: string; features: Float32Array }> = [];
  if (task.augment !== null) {
    const { config, seed, outDir, wavFormat } = task.augment;
    // the extractor has loaded the WebAssembly FFT, so the time stretch can invert with it
    for (const { name, samples: out } of augmentAll(samples, rate, config, seed, { stretchInverseFft: "float32" })) {
      const path = join(outDir, `${name}_${stem(task.path)}.wav`);
      const bytes = encodeWav(out, rate, wavFormat);
      writeFileAtomic(path, bytes);
      // features of the file as written (PCM16 by default), as the thesis read them back;
      // decoded from the bytes just written rather than read again from disk
      const written = toMono(decodeWav(bytes, path).channels);
      augmented.push({ name, path, features: extract(written).data.slice() });
    }
  }
  return { ok: true, features, augmented };
}

/** Every task a worker can run, by name. */
export const TASKS = { cleanFile, processClip, sweepCell } as const;
export type TaskName = keyof typeof TASKS;
export type TaskInput<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
export type TaskOutput<K extends TaskName> = Awaited<ReturnType<(typeof TASKS)[K]>>;
