import type { DecodedAudio } from "./decodedAudio";
import { decodeAudioFile } from "./decode";
import { toMono } from "./mono";
import { resample } from "./resample";
import { decodeWavFile } from "./wav";

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
 * Decode, mix to mono and resample, like `librosa.load(path, sr=sampleRateHz)` with its defaults
 * (mono=True, res_type='soxr_hq'): the channel mean in float32, then src/audio/resample.ts, giving
 * ceil(frames * sampleRateHz / fileRate) samples. No resampling happens when the rates match, so
 * a 22.05 kHz WAV loads bit-identical to librosa.
 *
 * @param path  WAV, FLAC, MP3 or Ogg Vorbis file (recognised by content)
 * @param sampleRateHz  target rate, Hz (positive integer); default 22050
 * @throws AudioDecodeError  when the file cannot be decoded
 */
export async function loadAudio(path: string, sampleRateHz: number = DEFAULT_LOAD_RATE_HZ): Promise<LoadedAudio> {
  return toLoaded(await decodeAudioFile(path), sampleRateHz);
}

/**
 * Synchronous {@link loadAudio} for WAV files only (no WebAssembly decoder involved).
 *
 * @param path  WAV file
 * @param sampleRateHz  target rate, Hz; default 22050
 * @throws AudioDecodeError  when the file is not a decodable WAV
 */
export function loadWavSync(path: string, sampleRateHz: number = DEFAULT_LOAD_RATE_HZ): LoadedAudio {
  return toLoaded(decodeWavFile(path), sampleRateHz);
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
