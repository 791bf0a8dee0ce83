import Meyda from "meyda";
import { ConfigError } from "../errors";
import { isPowerOfTwo } from "./fft";
import { stftFrameCount } from "./stft";

/**
 * Per-frame descriptors of a clip, for exploratory notebooks (not model input). Every array has
 * one value per frame; frame t is centred on sample t·hopLength, like the MFCC frames.
 */
export interface FrameDescriptors {
  /** Frame centre times, seconds: t·hopLength / sampleRate. */
  readonly timesS: Float64Array;
  /** Root-mean-square amplitude of the raw frame, in the units of the samples (full scale = 1). */
  readonly rms: Float32Array;
  /** Zero-crossing rate: sign changes per sample within the frame, 0 .. 1 (0 counts as positive). */
  readonly zcr: Float32Array;
  /** Spectral centroid, Hz: the amplitude-weighted mean frequency. NaN for an all-zero frame. */
  readonly spectralCentroidHz: Float32Array;
  /**
   * Spectral rolloff, Hz: the frequency below which 99 % of the amplitude-spectrum sum lies (Meyda's definition;
   * librosa's default is 85 % of the energy). sampleRate/2 for an all-zero frame.
   */
  readonly spectralRolloffHz: Float32Array;
  /**
   * Spectral flatness, unitless 0 .. 1: geometric over arithmetic mean of the amplitude spectrum (1 = white noise).
   * NaN for an all-zero frame.
   */
  readonly spectralFlatness: Float32Array;
}

/** Framing of the descriptors. */
export interface DescriptorOptions {
  /** Frame length, samples; a power of two (Meyda's requirement). Default 2048. */
  frameLength?: number;
  /** Hop between frames, samples. Default 512. */
  hopLength?: number;
}

/**
 * RMS, zero-crossing rate, spectral centroid, rolloff and flatness per frame, computed with the
 * `meyda` package.
 *
 * Framing is librosa's center=True with zero padding: frames = 1 + floor(samples.length / hop).
 * RMS and ZCR are computed on the raw frame (rectangular window). The spectral descriptors use
 * Meyda's symmetric Hann window and its amplitude spectrum of frameLength/2 bins
 * (bin k at k·sampleRate/frameLength Hz); Meyda returns the centroid in bins and the rolloff
 * with a bin width of sampleRate/(frameLength − 2), both converted here to Hz with the true bin
 * width. Meyda's ZCR is a count, divided here by frameLength.
 *
 * @param samples  mono signal, nominally in [-1, 1]
 * @param sampleRate  Hz
 */
export function frameDescriptors(
  samples: Float32Array,
  sampleRate: number,
  options: DescriptorOptions = {},
): FrameDescriptors {
  const frameLength = options.frameLength ?? 2048;
  const hopLength = options.hopLength ?? 512;
  if (!isPowerOfTwo(frameLength))
    throw new ConfigError(
      `frameLength ${frameLength}`,
      "Meyda needs a power-of-two frame length",
      "use e.g. 1024 or 2048",
    );
  if (!Number.isInteger(hopLength) || hopLength <= 0)
    throw new ConfigError(
      `hopLength ${hopLength}`,
      "the hop must be a positive whole number of samples",
      "use e.g. 512",
    );
  if (!(sampleRate > 0))
    throw new ConfigError(
      `sample rate ${sampleRate}`,
      "the sample rate must be positive",
      "pass the clip's rate in Hz",
    );

  const frames = stftFrameCount(samples.length, hopLength);
  const out = {
    timesS: new Float64Array(frames),
    rms: new Float32Array(frames),
    zcr: new Float32Array(frames),
    spectralCentroidHz: new Float32Array(frames),
    spectralRolloffHz: new Float32Array(frames),
    spectralFlatness: new Float32Array(frames),
  };
  const binHz = sampleRate / frameLength;
  const meydaRolloffBinHz = sampleRate / (2 * (frameLength / 2 - 1)); // Meyda's nyqBin
  const frame = new Float32Array(frameLength);
  const half = frameLength >> 1;
  // Meyda keeps its settings on the shared default export: set them before every call
  Meyda.bufferSize = frameLength;
  Meyda.sampleRate = sampleRate;
  for (let t = 0; t < frames; t++) {
    const start = t * hopLength - half;
    for (let i = 0; i < frameLength; i++) {
      const j = start + i;
      frame[i] = j >= 0 && j < samples.length ? (samples[j] as number) : 0;
    }
    out.timesS[t] = (t * hopLength) / sampleRate;

    Meyda.windowingFunction = "rect";
    const time = Meyda.extract(["rms", "zcr"], frame);
    Meyda.windowingFunction = "hanning";
    const spectral = Meyda.extract(["spectralCentroid", "spectralRolloff", "spectralFlatness"], frame);
    out.rms[t] = time?.rms ?? NaN;
    out.zcr[t] = (time?.zcr ?? NaN) / frameLength;
    out.spectralCentroidHz[t] = (spectral?.spectralCentroid ?? NaN) * binHz;
    out.spectralRolloffHz[t] = ((spectral?.spectralRolloff ?? NaN) / meydaRolloffBinHz) * binHz;
    out.spectralFlatness[t] = spectral?.spectralFlatness ?? NaN;
  }
  return out;
}
