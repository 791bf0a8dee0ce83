import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { toMono } from "../../audio/mono";
import { resampledLength } from "../../audio/resample";
import { looksLikeWav, openWavFile, type WavStream } from "../../audio/streamWav";
import { resampleBlocks } from "../../audio/streamResample";
import { encodeWavHeader, encodeWavSamples, writeWavFile } from "../../audio/wav";
import { stem } from "../../data/dataset";
import { openAtomicWriter, WritesStoppedError, type AtomicFileWriter } from "../../util/atomicWrite";
import {
  SILENT_RECORDING_REASON,
  skipReason,
  tooShortReason,
  type CleanFileResult,
  type CleanFileTask,
} from "../runtime/tasks";

/**
 * WAV files larger than this are cleaned block by block on the main thread
 * ({@link cleanLongRecording}) instead of whole in a worker: 32 MiB is about 3 minutes of
 * 44.1 kHz stereo PCM16, which whole-file cleaning turns into several hundred MB of arrays.
 */
export const STREAM_ABOVE_BYTES = 32 * 2 ** 20;

/** Output audio per block of the streaming path, seconds. */
export const STREAM_BLOCK_SECONDS = 20;

/**
 * True when a raw recording should be cleaned block by block: a WAV file (by its first bytes)
 * larger than `thresholdBytes`. Compressed formats (FLAC, MP3, Ogg) are always decoded whole.
 */
export function shouldStream(path: string, thresholdBytes: number = STREAM_ABOVE_BYTES): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false; // the whole-file path reports why it cannot be read
  }
  return size > thresholdBytes && looksLikeWav(path);
}

/** Options of {@link cleanLongRecording}. */
export interface LongRecordingOptions {
  /** Output audio per block, seconds (default {@link STREAM_BLOCK_SECONDS}). */
  blockSeconds?: number;
  /** Called after every block with the seconds of output done and the total, both at the target rate. */
  onProgress?: (secondsDone: number, totalSeconds: number) => void;
}

/**
 * Clean one WAV recording block by block, in memory proportional to the block (a few MB),
 * whatever its length: read a block of frames, mix to mono, resample (src/audio/streamResample.ts,
 * the same filters as the whole-file path), and write chunks as they complete, or the whole
 * recording through one atomic writer when it is not cut into chunks.
 *
 * The files written are those {@link cleanFile} writes for the same task: the same names and
 * lengths, and the same samples up to float rounding in the resampler (in practice identical).
 * A file that turns out unusable part-way (a NaN sample, cut short while being read, digital
 * silence) has the clips already written removed and is reported as skipped, as the whole-file
 * path would report it. The event loop gets a turn after every block, so Ctrl-C is handled.
 */
export async function cleanLongRecording(
  task: CleanFileTask,
  options: LongRecordingOptions = {},
): Promise<CleanFileResult> {
  let stream: WavStream;
  try {
    stream = openWavFile(task.file);
  } catch (err) {
    return { ok: false, reason: skipReason(err, "re-export it as WAV or remove it") };
  }
  const written: string[] = [];
  let writer: AtomicFileWriter | null = null;
  try {
    const { sampleRateHz: fromHz, frames } = stream.layout;
    const toHz = task.sampleRateHz;
    const total = fromHz === toHz ? frames : resampledLength(frames, fromHz, toHz);
    const name = stem(task.file);
    const chunkSamples = task.chunkSamples;
    const chunkCount = chunkSamples === null ? 0 : Math.floor(total / chunkSamples);
    if (chunkSamples !== null && chunkCount === 0)
      return { ok: false, reason: tooShortReason(total, toHz, task.chunkSeconds) };

    const wholePath = join(task.outDir, `${name}.wav`);
    if (chunkSamples === null) {
      writer = openAtomicWriter(wholePath);
      writer.write(encodeWavHeader(total, toHz, task.wavFormat));
    }
    const chunk = new Float32Array(chunkSamples ?? 0);
    let filled = 0;
    let silent = true;
    let done = 0;
    const readMono = (start: number, end: number) => toMono(stream.readFrames(start, end - start));
    const blockSamples = Math.max(1, Math.round((options.blockSeconds ?? STREAM_BLOCK_SECONDS) * toHz));
    for (const block of resampleBlocks(readMono, frames, fromHz, toHz, blockSamples)) {
      if (silent) silent = block.every((v) => v === 0);
      if (writer !== null) writer.write(encodeWavSamples(block, task.wavFormat));
      else {
        for (let at = 0; at < block.length && written.length < chunkCount;) {
          const take = Math.min(block.length - at, chunk.length - filled);
          chunk.set(block.subarray(at, at + take), filled);
          filled += take;
          at += take;
          if (filled === chunk.length) {
            const path = join(task.outDir, `${name}_chunk_${written.length}.wav`);
            writeWavFile(path, chunk, toHz, task.wavFormat);
            written.push(path);
            filled = 0;
          }
        }
      }
      done += block.length;
      options.onProgress?.(done / toHz, total / toHz);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (silent) {
      writer?.abort();
      for (const path of written) rmSync(path, { force: true });
      return { ok: false, reason: SILENT_RECORDING_REASON };
    }
    if (writer !== null) {
      writer.commit();
      return { ok: true, clips: [{ path: wholePath, chunk: null, samples: total }], sourceSamples: total };
    }
    return {
      ok: true,
      clips: written.map((path, i) => ({ path, chunk: i, samples: chunkSamples as number })),
      sourceSamples: total,
    };
  } catch (err) {
    writer?.abort();
    for (const path of written) rmSync(path, { force: true });
    if (err instanceof WritesStoppedError) throw err;
    return { ok: false, reason: skipReason(err, "re-export it as WAV or remove it") };
  } finally {
    stream.close();
  }
}
