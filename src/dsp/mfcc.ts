import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from "../config/features";
import { ConfigError } from "../errors";
import { Dct2Ortho } from "./dct";
import { createRealFft, initFloat32Fft, isPowerOfTwo, type FftPrecision, type RealFft } from "./fft";
import { fixColumns, zerosMatrix, type Matrix } from "./matrix";
import { applyMelToFrames, melFilterbank, type MelFilterbank } from "./mel";
import { WasmMelPower } from "./melKernel";
import { loadedPffft } from "./pffft";
import { maxPower, powerToDbInPlace, powerToDbSliceInPlace } from "./powerToDb";
import { stftFrameCount } from "./stft";

/** Frames whose power spectra are computed together before the mel step (keeps the float32 scratch small). */
const FRAME_BLOCK = 16;

/** How an extractor computes, beyond the feature parameters. */
export interface MfccExtractorOptions {
  /**
   * FFT precision. `"float32"` (WebAssembly PFFFT, about 3x faster end to end) is the default of
   * `createMfccExtractor`, which loads it; `"float64"` (fft.js, like numpy) is the default of the
   * synchronous `new MfccExtractor()`. Both match librosa within 3e-7 of max |MFCC| on the
   * reference signals (test/dsp.mfcc.test.ts; the requirement is 1e-4).
   */
  fft?: FftPrecision;
}

function checkConfig(config: FeatureConfig): void {
  const { sampleRateHz, nFft, hopLength, nMels, nMfcc, frames } = config;
  if (!(sampleRateHz > 0))
    throw new ConfigError(`sampleRateHz ${sampleRateHz}`, "the sample rate must be positive", "use e.g. 22050");
  if (!isPowerOfTwo(nFft) || nFft < 4)
    throw new ConfigError(`nFft ${nFft}`, "the FFT size must be a power of two ≥ 4", "use e.g. 2048");
  if (!Number.isInteger(hopLength) || hopLength <= 0)
    throw new ConfigError(
      `hopLength ${hopLength}`,
      "the hop must be a positive whole number of samples",
      "use e.g. 512",
    );
  if (!Number.isInteger(nMels) || nMels <= 0)
    throw new ConfigError(`nMels ${nMels}`, "the number of mel bands must be a positive integer", "use e.g. 128");
  if (!Number.isInteger(nMfcc) || nMfcc <= 0 || nMfcc > nMels) {
    throw new ConfigError(`nMfcc ${nMfcc}`, `must be between 1 and nMels (${nMels})`, "use e.g. 40");
  }
  if (frames !== null && (!Number.isInteger(frames) || frames <= 0))
    throw new ConfigError(`frames ${frames}`, "must be a positive integer or null", "use e.g. 100");
}

/**
 * Computes mel spectrograms and MFCCs exactly as librosa 0.10 (`feature.melspectrogram`,
 * `power_to_db`, `feature.mfcc` with the given parameters, center=True, zero padding, periodic
 * Hann window), reusing its FFT plan, sparse mel filterbank, DCT plan and scratch buffers
 * across calls. The Hann window is applied in the frequency domain (an exact 3-tap kernel, see
 * `RealFft.forwardHannPower`), so frames go to the FFT straight from the signal
 * (`RealFft.framesHannPower`), FRAME_BLOCK frames at a time.
 * Not re-entrant: use one extractor per concurrent caller.
 *
 * Shapes follow librosa: `[feature][frames]`, frames = 1 + floor(samples.length / hopLength).
 */
export class MfccExtractor {
  readonly config: Readonly<FeatureConfig>;
  readonly fftPrecision: FftPrecision;
  private readonly fft: RealFft;
  private readonly bank: MelFilterbank;
  private readonly dct: Dct2Ortho;
  private readonly dctPlan: RealFft | undefined;
  /**
   * How mel power spectra are computed: `"wasm-simd"` (float32 path: PFFFT plus our SIMD kernel
   * for the Hann window, power and mel bands, melKernel.ts) or `"js"` (float64, or a runtime
   * without WebAssembly SIMD).
   */
  readonly melPath: "wasm-simd" | "js";
  private readonly wasmMel: WasmMelPower | null;
  /** Power spectra of one block of frames, `[FRAME_BLOCK][1 + nFft/2]`, float32 (the other paths). */
  private readonly powerBlock: Float32Array;
  /** Frame-major mel scratch `[frames][nMels]`, grown as needed. */
  private melScratch: Float32Array = new Float32Array(0);

  /**
   * Build an extractor synchronously, with a float64 FFT unless `options.fft` says `"float32"`;
   * then the WebAssembly FFT must already be loaded (`await initFloat32Fft()`), else a
   * ConfigError says so. `createMfccExtractor` does both and defaults to float32.
   *
   * @param config  feature parameters; missing ones are DEFAULT_FEATURE_CONFIG's
   */
  constructor(config: Partial<FeatureConfig> = {}, options: MfccExtractorOptions = {}) {
    const full: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...config };
    checkConfig(full);
    this.config = Object.freeze(full);
    this.fftPrecision = options.fft ?? "float64";
    this.fft = createRealFft(full.nFft, this.fftPrecision);
    this.bank = melFilterbank(full.sampleRateHz, full.nFft, {
      nMels: full.nMels,
      fMinHz: full.fMinHz,
      fMaxHz: full.fMaxHz,
    });
    // the DCT runs as one small real FFT when the FFT backend supports nMels points (128: yes)
    this.dctPlan = this.dctFft(full.nMels);
    this.dct = new Dct2Ortho(full.nMels, full.nMfcc, this.dctPlan);
    const pffft = this.fftPrecision === "float32" ? loadedPffft() : null;
    this.wasmMel = pffft === null ? null : WasmMelPower.create(pffft, full.nFft, this.bank, FRAME_BLOCK);
    this.melPath = this.wasmMel === null ? "js" : "wasm-simd";
    this.powerBlock = new Float32Array(this.wasmMel === null ? FRAME_BLOCK * ((full.nFft >> 1) + 1) : 0);
  }

  /** A real FFT of nMels points for the DCT, or undefined to use the direct sum. */
  private dctFft(nMels: number): RealFft | undefined {
    const minimum = this.fftPrecision === "float32" ? 32 : 4; // PFFFT's SIMD build needs multiples of 32
    return isPowerOfTwo(nMels) && nMels >= minimum ? createRealFft(nMels, this.fftPrecision) : undefined;
  }

  /** Frames produced for a clip of `nSamples` samples: 1 + floor(nSamples / hopLength). */
  frameCount(nSamples: number): number {
    return stftFrameCount(nSamples, this.config.hopLength);
  }

  private checkRate(sampleRate: number | undefined): void {
    if (sampleRate !== undefined && sampleRate !== this.config.sampleRateHz) {
      throw new ConfigError(
        `sample rate ${sampleRate} Hz`,
        `this extractor is set up for ${this.config.sampleRateHz} Hz`,
        `resample the clip to ${this.config.sampleRateHz} Hz first`,
      );
    }
  }

  /** Mel power of every frame into the frame-major scratch `[frames][nMels]` (float32); returns the frame count. */
  private melFrames(samples: Float32Array): number {
    const { hopLength, nMels, nFft } = this.config;
    const frames = this.frameCount(samples.length);
    if (this.melScratch.length < frames * nMels) this.melScratch = new Float32Array(frames * nMels);
    const { fft, bank, powerBlock, melScratch, wasmMel } = this;
    const half = nFft >> 1;
    for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
      const count = Math.min(FRAME_BLOCK, frames - t0);
      // frame t covers samples [t·hop − nFft/2, t·hop + nFft/2), zeros outside (center=True)
      const origin = t0 * hopLength - half;
      if (wasmMel !== null) {
        wasmMel.melFrames(samples, origin, hopLength, count, melScratch, t0 * nMels);
        continue;
      }
      fft.framesHannPower(samples, origin, hopLength, count, powerBlock);
      applyMelToFrames(bank, powerBlock, count, melScratch, t0 * nMels); // float32 store, like librosa's float32 mel
    }
    return frames;
  }

  private transposeScratch(frames: number): Matrix {
    const nMels = this.config.nMels;
    const out = zerosMatrix(nMels, frames);
    const s = this.melScratch;
    for (let t = 0; t < frames; t++)
      for (let m = 0; m < nMels; m++) out.data[m * frames + t] = s[t * nMels + m] as number;
    return out;
  }

  /**
   * Mel power spectrogram, as `librosa.feature.melspectrogram(y, sr, n_fft, hop_length, n_mels, fmin, fmax)`
   * (power 2, Slaney mel, slaney norm).
   *
   * @param samples  mono signal at config.sampleRateHz
   * @param sampleRate  Hz; if given it must equal config.sampleRateHz (no resampling here)
   * @returns  matrix `[nMels][frames]`, power (squared amplitude × Slaney weights), float32
   */
  melSpectrogram(samples: Float32Array, sampleRate?: number): Matrix {
    this.checkRate(sampleRate);
    return this.transposeScratch(this.melFrames(samples));
  }

  /**
   * Mel spectrogram in dB, `librosa.power_to_db(melspectrogram)` (ref 1, amin 1e-10, topDb from
   * config with the floor at the clip's global maximum − topDb). For plots.
   *
   * @returns  matrix `[nMels][frames]`, dB re 1, float32
   */
  melSpectrogramDb(samples: Float32Array, sampleRate?: number): Matrix {
    this.checkRate(sampleRate);
    const frames = this.melFrames(samples);
    powerToDbInPlace(this.melScratch.subarray(0, frames * this.config.nMels), { topDb: this.config.topDb });
    return this.transposeScratch(frames);
  }

  /**
   * MFCCs of every frame, as `librosa.feature.mfcc(y, sr, n_mfcc, n_fft, hop_length, n_mels)`
   * (DCT-II ortho of the dB mel spectrogram, no liftering), without padding or truncation.
   *
   * @param samples  mono signal at config.sampleRateHz
   * @param sampleRate  Hz; if given it must equal config.sampleRateHz
   * @returns  matrix `[nMfcc][frames]`, frames = 1 + floor(samples.length / hopLength), float32
   */
  mfcc(samples: Float32Array, sampleRate?: number): Matrix {
    this.checkRate(sampleRate);
    return this.cepstra(samples, null);
  }

  /**
   * The model's input: `mfcc()` padded with zeros or truncated to config.frames columns (kept as
   * is when config.frames is null). Only the kept frames are converted to dB and transformed;
   * the dB floor still comes from the whole clip, as in librosa.
   *
   * @returns  matrix `[nMfcc][config.frames]`
   */
  features(samples: Float32Array, sampleRate?: number): Matrix {
    this.checkRate(sampleRate);
    return this.cepstra(samples, this.config.frames);
  }

  /** MFCC of the first `columns` frames (all when null), zero columns beyond the clip's frames. */
  private cepstra(samples: Float32Array, columns: number | null): Matrix {
    const { nMels, nMfcc } = this.config;
    const frames = this.melFrames(samples);
    const cols = columns ?? frames;
    const keep = Math.min(cols, frames);
    const mel = this.melScratch.subarray(0, frames * nMels);
    const db = mel.subarray(0, keep * nMels);
    powerToDbSliceInPlace(db, maxPower(mel), { topDb: this.config.topDb }); // floor from the whole clip's maximum
    const out = zerosMatrix(nMfcc, cols);
    for (let t = 0; t < keep; t++) this.dct.transform(db, out.data, t * nMels, 1, t, cols);
    return out;
  }

  /** Free the WebAssembly memory of a float32 FFT. The extractor is unusable afterwards. */
  dispose(): void {
    this.fft.dispose();
    this.dctPlan?.dispose();
    this.wasmMel?.dispose();
  }
}

/**
 * The fast MfccExtractor: float32 WebAssembly FFT by default (chosen by measurement: about 3x the
 * throughput of float64, and as close to librosa), loaded before it returns. Await this once,
 * then extract synchronously. Pass `{ fft: "float64" }` for the pure-JS FFT.
 */
export async function createMfccExtractor(
  config: Partial<FeatureConfig> = {},
  options: MfccExtractorOptions = {},
): Promise<MfccExtractor> {
  const fft = options.fft ?? "float32";
  if (fft === "float32") await initFloat32Fft();
  return new MfccExtractor(config, { ...options, fft });
}

/**
 * Pad with zero columns or truncate to exactly `frames` columns, keeping the first ones (the
 * thesis's fixed 100-frame input); `null` returns the matrix unchanged.
 *
 * @param m  matrix `[rows][anyFrames]`
 * @returns  matrix `[rows][frames]`
 */
export function fixFrames(m: Matrix, frames: number | null): Matrix {
  return frames === null ? m : fixColumns(m, frames);
}

// The functional API keeps a few extractors so repeated calls do not rebuild tables.
const cache = new Map<string, MfccExtractor>();
const CACHE_SIZE = 4;

function extractorFor(sampleRate: number, options: Partial<FeatureConfig>): MfccExtractor {
  if (options.sampleRateHz !== undefined && options.sampleRateHz !== sampleRate) {
    throw new ConfigError(
      `sample rate ${sampleRate} Hz`,
      `the options ask for ${options.sampleRateHz} Hz`,
      `resample the clip to ${options.sampleRateHz} Hz first`,
    );
  }
  const config: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...options, sampleRateHz: sampleRate };
  const key = JSON.stringify([
    config.sampleRateHz,
    config.nFft,
    config.hopLength,
    config.nMels,
    config.fMinHz,
    config.fMaxHz,
    config.topDb,
    config.nMfcc,
    config.frames,
  ]);
  let extractor = cache.get(key);
  if (extractor === undefined) {
    extractor = new MfccExtractor(config);
    if (cache.size >= CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(key, extractor);
  }
  return extractor;
}

/**
 * Mel-frequency cepstral coefficients of a mono signal, computed exactly as librosa 0.10
 * `feature.mfcc` with its defaults and `n_mfcc = 40` (see test/fixtures/librosa), float64 FFT.
 *
 * @param samples  mono signal, float, nominally in [-1, 1]
 * @param sampleRate  Hz (no resampling is done: the mel filterbank is built for this rate)
 * @param options  feature parameters (DEFAULT_FEATURE_CONFIG otherwise); `frames` is ignored here
 * @returns  matrix `[nMfcc][frames]`, frames = 1 + floor(samples.length / hopLength)
 */
export function mfcc(samples: Float32Array, sampleRate: number, options: Partial<FeatureConfig> = {}): Matrix {
  return extractorFor(sampleRate, options).mfcc(samples);
}

/**
 * MFCCs padded or truncated to `options.frames` (default 100) columns: the model's input.
 *
 * @returns  matrix `[nMfcc][frames]`
 */
export function mfccFeatures(samples: Float32Array, sampleRate: number, options: Partial<FeatureConfig> = {}): Matrix {
  return extractorFor(sampleRate, options).features(samples);
}

/**
 * Mel power spectrogram (`librosa.feature.melspectrogram` defaults: power 2, Slaney mel and norm).
 *
 * @param sampleRate  Hz
 * @returns  matrix `[nMels][frames]`, power, float32
 */
export function melSpectrogram(
  samples: Float32Array,
  sampleRate: number,
  options: Partial<FeatureConfig> = {},
): Matrix {
  return extractorFor(sampleRate, options).melSpectrogram(samples);
}

/**
 * Mel spectrogram in dB (`librosa.power_to_db(melspectrogram)`, topDb below the clip's global
 * maximum), for plotting.
 *
 * @param sampleRate  Hz
 * @returns  matrix `[nMels][frames]`, dB re 1
 */
export function melSpectrogramDb(
  samples: Float32Array,
  sampleRate: number,
  options: Partial<FeatureConfig> = {},
): Matrix {
  return extractorFor(sampleRate, options).melSpectrogramDb(samples);
}
