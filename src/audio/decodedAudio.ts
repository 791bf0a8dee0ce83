/**
 * Audio as a decoder returns it: every channel at the file's own sample rate, before any
 * downmix or resampling.
 */
export interface DecodedAudio {
  /** Sample rate of the file, Hz. */
  sampleRateHz: number;
  /**
   * One array per channel, each `frames` long, float32 nominally in [-1, 1] (integer PCM is
   * scaled exactly as libsndfile does; float files are passed through unchanged).
   */
  channels: Float32Array[];
  /** Number of frames (samples per channel). */
  frames: number;
  /** What was decoded, for messages and reports, e.g. `"WAV PCM 16-bit"`, `"FLAC"`, `"MP3"`. */
  format: string;
}

/** Duration of decoded audio, seconds. */
export function durationSeconds(audio: DecodedAudio): number {
  return audio.frames / audio.sampleRateHz;
}
