/**
 * The file-system-free half of `loadAudio` (load.ts, which re-exports everything here): decoded
 * audio -> mono at the requested rate, and the same from a file's bytes held in memory, as the
 * browser app gets them.
 */
import type { DecodedAudio } from "./decodedAudio";
import { decodeAudioBytes } from "./decodeBytes";
import { toMono } from "./mono";
import { resample } from "./resample";

/** A recording as the feature pipeline uses it: mono, at the requested rate. */
export interface LoadedAudio {
  /** Mono signal, float32, nominally in [-1, 1]. */
  samples: Float32Array;
  /** Rate of `samples`, Hz. */
  sampleRateHz: number;
  /** Rate of the file, Hz. */
  sourceRateHz: number;
  /** Channels in the file (they are averaged into `samples`). */
  sourceChannels: number;
  /** samples.length / sampleRateHz, seconds. */
  durationSeconds: number;
}

/** librosa's default target rate, Hz. */
export const DEFAULT_LOAD_RATE_HZ = 22050;

/**
 * `loadAudio` for a file already in memory: decode (format from the first bytes), mix to mono
 * and resample, exactly as `loadAudio` does for the same file on disk.
 *
 * @param bytes  the whole file (WAV, FLAC, MP3 or Ogg Vorbis)
 * @param source  file name for error messages
 * @param sampleRateHz  target rate, Hz (positive integer); default 22050
 * @throws AudioDecodeError  when the bytes cannot be decoded
 */
export async function loadAudioBytes(
  bytes: Uint8Array,
  source: string,
  sampleRateHz: number = DEFAULT_LOAD_RATE_HZ,
): Promise<LoadedAudio> {
  return toLoaded(await decodeAudioBytes(bytes, source), sampleRateHz);
}

/** Mono mix and resampling of decoded audio. */
export function toLoaded(audio: DecodedAudio, sampleRateHz: number): LoadedAudio {
  const mono = toMono(audio.channels); // a new array, so it can be returned as is
  const samples = audio.sampleRateHz === sampleRateHz ? mono : resample(mono, audio.sampleRateHz, sampleRateHz);
  return {
    samples,
    sampleRateHz,
    sourceRateHz: audio.sampleRateHz,
    sourceChannels: audio.channels.length,
    durationSeconds: samples.length / sampleRateHz,
  };
}
