/**
 * The nine augmentations of broken clips, by name, with their parameters read from
 * {@link AugmentConfig} (thesis defaults in DEFAULT_AUGMENT_CONFIG). Each one is a pure function
 * returning a new Float32Array; the input clip is never modified.
 */
import { AUGMENTATION_NAMES, type AugmentConfig, type AugmentationName } from "../config/augment";
import type { FftPrecision } from "../dsp/fft";
import { rfft, type RealSpectrum } from "../dsp/realFftAnyLength";
import { ConfigError } from "../errors";
import { SeededRandom } from "../util/random";
import { tanhCompress } from "./compress";
import { hardClip } from "./clip";
import { bandPassEq } from "./eq";
import { maskFrequencyBand } from "./freqmask";
import { addGaussianNoise } from "./noise";
import { padWithSilence } from "./pad";
import { reverseSamples } from "./reverse";
import { applyGain } from "./scale";
import { timeStretch } from "./timeStretch";

export { tanhCompress } from "./compress";
export { hardClip } from "./clip";
export { bandPassEq } from "./eq";
export { maskFrequencyBand } from "./freqmask";
export { addGaussianNoise } from "./noise";
export { padSampleCount, padWithSilence } from "./pad";
export { reverseSamples } from "./reverse";
export { applyGain } from "./scale";
export { zeroFrequencyBins } from "./spectralBand";
export { timeStretch } from "./timeStretch";

/** How the augmentations compute, beyond their parameters. */
export interface AugmentOptions {
  /**
   * Precision of the time stretch's inverse FFT (see TimeStretchOptions): `"float64"` (default)
   * or `"float32"` (faster, as close to librosa; needs `await initFloat32Fft()` first).
   */
  stretchInverseFft?: FftPrecision;
}

/**
 * Work that several augmentations of one clip share, done at most once per clip, and the
 * compute options.
 */
export class ClipWork {
  private spectrum: RealSpectrum | null = null;

  constructor(
    private readonly samples: Float32Array,
    readonly options: Readonly<AugmentOptions> = {},
  ) {}

  /** `numpy.fft.rfft` of the whole clip (eq and freqmask both start from it). Do not modify it. */
  wholeSpectrum(): RealSpectrum {
    this.spectrum ??= rfft(this.samples);
    return this.spectrum;
  }
}

/**
 * One augmentation with its parameters taken from `config`.
 *
 * @param samples  mono clip, amplitude (full scale = 1); not modified
 * @param sampleRate  Hz
 * @param config  augmentation parameters
 * @param rng  noise source (only "noise" draws from it)
 * @param work  work shared with the clip's other augmentations (made for this clip if omitted)
 * @returns  new array; length n except "stretch" (round(n / stretchRate)) and "pad"
 *   (n + 2·round(padSeconds·sampleRate))
 */
export type AugmentationFn = (
  samples: Float32Array,
  sampleRate: number,
  config: AugmentConfig,
  rng: SeededRandom,
  work?: ClipWork,
) => Float32Array;

/** Every augmentation by name, in the thesis's order. */
export const AUGMENTATIONS: Readonly<Record<AugmentationName, AugmentationFn>> = Object.freeze({
  noise: (x, sr, c, rng) => addGaussianNoise(x, sr, c.noiseStd, rng),
  reverse: (x, sr) => reverseSamples(x, sr),
  compress: (x, sr, c) => tanhCompress(x, sr, c.compressDrive),
  stretch: (x, sr, c, _rng, work) => timeStretch(x, sr, c.stretchRate, { inverseFft: work?.options.stretchInverseFft }),
  eq: (x, sr, c, _rng, work) => bandPassEq(x, sr, c.eqLowHz, c.eqHighHz, work?.wholeSpectrum()),
  clip: (x, sr, c) => hardClip(x, sr, c.clipLevel),
  scale: (x, sr, c) => applyGain(x, sr, c.scaleGain),
  pad: (x, sr, c) => padWithSilence(x, sr, c.padSeconds),
  freqmask: (x, sr, c, _rng, work) => maskFrequencyBand(x, sr, c.maskLowHz, c.maskHighHz, work?.wholeSpectrum()),
});

/** One augmented version of a clip. */
export interface AugmentedClip {
  readonly name: AugmentationName;
  /** New array, mono, same sample rate as the original. */
  readonly samples: Float32Array;
}

/**
 * Apply one augmentation by name.
 *
 * @param name  one of AUGMENTATION_NAMES (checked at run time, since configs come from JSON)
 * @param samples  mono clip; not modified
 * @param sampleRate  Hz
 * @param config  augmentation parameters
 * @param rng  noise source (only "noise" draws from it)
 * @returns  new array (see {@link AugmentationFn} for its length)
 */
export function augment(
  name: AugmentationName,
  samples: Float32Array,
  sampleRate: number,
  config: AugmentConfig,
  rng: SeededRandom,
): Float32Array {
  return augmentationByName(name)(samples, sampleRate, config, rng);
}

/**
 * Every enabled augmentation of one clip, in `config.enabled` order. Deterministic: the noise
 * comes from a SeededRandom created here from `seed`, so the same clip and seed give identical
 * output whatever else ran before (give each clip its own seed, e.g. derived from its path).
 *
 * @param samples  mono clip; not modified
 * @param sampleRate  Hz
 * @param config  augmentation parameters and the enabled list
 * @param seed  32-bit seed of this clip's noise
 * @param options  how to compute (changes the output only at the level of float32 rounding)
 * @returns  one entry per enabled augmentation, `{ name, samples }`
 */
export function augmentAll(
  samples: Float32Array,
  sampleRate: number,
  config: AugmentConfig,
  seed: number,
  options: AugmentOptions = {},
): AugmentedClip[] {
  const fns = config.enabled.map((name) => [name, augmentationByName(name)] as const);
  const rng = new SeededRandom(seed);
  const work = new ClipWork(samples, options);
  return fns.map(([name, fn]) => ({ name, samples: fn(samples, sampleRate, config, rng, work) }));
}

function augmentationByName(name: string): AugmentationFn {
  if (!(AUGMENTATION_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(
      "augment.enabled",
      `unknown augmentation "${name}"`,
      `use some of: ${AUGMENTATION_NAMES.join(", ")}`,
    );
  }
  return AUGMENTATIONS[name as AugmentationName];
}
