import type { FeatureConfig } from "../config/features";
import { createMfccExtractor } from "../dsp/mfcc";
import type { Matrix } from "../dsp/matrix";

/** Turns one mono clip at the feature sample rate into the model's input matrix. */
export type ClipFeatureExtractor = (samples: Float32Array) => Matrix;

/**
 * The feature function every stage uses (preprocess, features, predict), so a clip gets the
 * same numbers wherever it is processed: MFCC `[nMfcc][frames]` as librosa's `feature.mfcc`,
 * padded with zeros or truncated to `config.frames` columns (all frames when null), after the
 * optional level normalisation (`config.levelNormalization`).
 */
export async function createClipFeatureExtractor(config: FeatureConfig): Promise<ClipFeatureExtractor> {
  const extractor = await createMfccExtractor(config);
  if ((config.levelNormalization ?? "none") === "none") return (samples) => extractor.features(samples);
  return (samples) => extractor.features(normalizeRms(samples));
}

/** RMS every clip is scaled to by `levelNormalization: "rms"` (-20 dBFS). */
export const TARGET_RMS = 0.1;

/**
 * The clip scaled to an RMS of `target` (a new array); a silent clip (RMS under 1e-8) is
 * returned unchanged. Input and output: mono samples, full scale ±1.
 */
export function normalizeRms(samples: Float32Array, target: number = TARGET_RMS): Float32Array {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] as number) * (samples[i] as number);
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (!(rms > 1e-8)) return samples;
  const gain = target / rms;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] as number) * gain;
  return out;
}
