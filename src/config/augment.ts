/** The nine augmentations of the thesis, applied to broken clips only. */
export type AugmentationName =
  "noise" | "reverse" | "compress" | "stretch" | "eq" | "clip" | "scale" | "pad" | "freqmask";

/** Parameters of the nine augmentations; defaults are the thesis values. */
export interface AugmentConfig {
  /** Which augmentations to apply, in this order. */
  enabled: AugmentationName[];
  /** Gaussian noise standard deviation (amplitude, full scale = 1). */
  noiseStd: number;
  /** tanh compression drive: y = tanh(drive * x). */
  compressDrive: number;
  /** Time-stretch rate (> 1 is faster/shorter). */
  stretchRate: number;
  /** EQ band kept, Hz (FFT bins outside are zeroed). */
  eqLowHz: number;
  eqHighHz: number;
  /** Clipping threshold, amplitude. */
  clipLevel: number;
  /** Gain factor. */
  scaleGain: number;
  /** Silence added before and after, seconds. */
  padSeconds: number;
  /** Frequency band zeroed by the mask, Hz. */
  maskLowHz: number;
  maskHighHz: number;
}

export const AUGMENTATION_NAMES: readonly AugmentationName[] = Object.freeze([
  "noise",
  "reverse",
  "compress",
  "stretch",
  "eq",
  "clip",
  "scale",
  "pad",
  "freqmask",
]);

export const DEFAULT_AUGMENT_CONFIG: Readonly<AugmentConfig> = Object.freeze({
  enabled: [...AUGMENTATION_NAMES],
  noiseStd: 0.01,
  compressDrive: 0.8,
  stretchRate: 1.25,
  eqLowHz: 300,
  eqHighHz: 3000,
  clipLevel: 0.95,
  scaleGain: 0.8,
  padSeconds: 0.7,
  maskLowHz: 1000,
  maskHighHz: 3000,
});
