/**
 * Cut a live stream (the microphone) into the model's windows: collect `windowSeconds` of audio
 * at the device's rate, then resample that window with the pipeline's resampler
 * (src/audio/resample.ts). Each window is processed exactly as a recording of that length at the
 * device rate would be by `loadAudio` + `predictionWindows`. No file system access.
 */
import { resample } from "../audio/resample";
import { ConfigError } from "../errors";

/** One complete window of a live stream. */
export interface LiveWindow {
  /** 0-based position in the stream. */
  index: number;
  /** Start of the window since the stream started, seconds. */
  startSeconds: number;
  /** Mono samples at the target rate, `round(windowSeconds · targetRateHz)` long. */
  samples: Float32Array;
}

export class LiveWindowCutter {
  /** Samples per window at the source rate. */
  readonly sourceWindowSamples: number;
  /** Samples per window at the target rate. */
  readonly targetWindowSamples: number;
  private pending: Float32Array;
  private filled = 0;
  private nextIndex = 0;

  /**
   * @param sourceRateHz  rate of the pushed blocks, Hz (the AudioContext's rate; a positive integer)
   * @param targetRateHz  the model's feature rate, Hz
   * @param windowSeconds  window length, seconds
   */
  constructor(
    readonly sourceRateHz: number,
    readonly targetRateHz: number,
    readonly windowSeconds: number,
  ) {
    if (!Number.isInteger(sourceRateHz) || sourceRateHz <= 0) {
      throw new ConfigError(
        `source rate ${sourceRateHz} Hz`,
        "is not a positive whole number of Hz",
        "use an audio input running at a whole-Hz rate such as 48000",
      );
    }
    this.sourceWindowSamples = Math.round(windowSeconds * sourceRateHz);
    this.targetWindowSamples = Math.round(windowSeconds * targetRateHz);
    this.pending = new Float32Array(this.sourceWindowSamples);
  }

  /**
   * Add a block of mono samples at the source rate; returns the windows it completed (often none).
   */
  push(block: Float32Array): LiveWindow[] {
    const out: LiveWindow[] = [];
    let offset = 0;
    while (offset < block.length) {
      const take = Math.min(block.length - offset, this.sourceWindowSamples - this.filled);
      this.pending.set(block.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.sourceWindowSamples) {
        out.push(this.complete());
        this.filled = 0;
      }
    }
    return out;
  }

  private complete(): LiveWindow {
    const index = this.nextIndex++;
    const resampled =
      this.sourceRateHz === this.targetRateHz
        ? Float32Array.from(this.pending)
        : resample(this.pending, this.sourceRateHz, this.targetRateHz);
    // ceil(n · to / from) can exceed round(seconds · to) by one sample; a window is exactly one chunk
    const samples =
      resampled.length > this.targetWindowSamples ? resampled.slice(0, this.targetWindowSamples) : resampled;
    return { index, startSeconds: index * this.windowSeconds, samples };
  }
}
