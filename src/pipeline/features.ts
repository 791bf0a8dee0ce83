import type { FeatureConfig } from "../config/features";
import { createMfccExtractor } from "../dsp/mfcc";
import type { Matrix } from "../dsp/matrix";

/** Turns one mono clip at the feature sample rate into the model's input matrix. */
export type ClipFeatureExtractor = (samples: Float32Array) => Matrix;

/**
 * The feature function every stage uses (preprocess, features, predict), so a clip gets the
 * same numbers wherever it is processed: MFCC `[nMfcc][frames]` as librosa's `feature.mfcc`,
 * padded with zeros or truncated to `config.frames` columns (all frames when null).
 */
export async function createClipFeatureExtractor(config: FeatureConfig): Promise<ClipFeatureExtractor> {
  const extractor = await createMfccExtractor(config);
  return (samples) => extractor.features(samples);
}
