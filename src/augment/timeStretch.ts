import { ConfigError } from "../errors";
import { roundHalfEven } from "../util/rounding";
import { atan2, sinCos } from "../dsp/fastTrig";
import { createRealFft, type FftPrecision, type RealFft } from "../dsp/fft";
import { normalizeOverlapAdd, stftFrameCount, windowedFrame, type ComplexMatrix } from "../dsp/stft";
import { hannWindow } from "../dsp/window";
import { loadedPffft } from "../dsp/pffft";
import { StretchKernel } from "./stretchKernel";

const TWO_PI = 2 * Math.PI;
const N_FFT = 2048;
const HOP = 512;

function checkRate(rate: number): void {
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new ConfigError(
      `stretch rate ${rate}`,
      "the rate must be a positive number",
      "use e.g. 1.25 (faster) or 0.8 (slower)",
    );
}

/**
 * Magnitude and angle of one STFT column in float32, as librosa's `np.abs(D)` and `np.angle(D)`
 * on complex64: `mag[o + k] = |X_k|`, `ang[o + k] = atan2(Im X_k, Re X_k)`, from float32 parts.
 */
function polarColumn(
  re: ArrayLike<number>,
  im: ArrayLike<number>,
  bins: number,
  mag: Float32Array,
  ang: Float32Array,
  o: number,
): void {
  for (let k = 0; k < bins; k++) {
    const r = Math.fround(re[k] as number);
    const i = Math.fround(im[k] as number);
    mag[o + k] = Math.sqrt(r * r + i * i); // exact squares of float32s; rounded once more by the store
    ang[o + k] = atan2(i, r);
  }
}

/**
 * Expected phase advance per hop of every bin, `hop · fft_frequencies(sr=2π, n_fft)` in float64
 * as librosa computes it.
 */
function phaseAdvance(bins: number, hop: number): Float64Array {
  const nFft = 2 * (bins - 1);
  const binWidth = 1 / (nFft * (1 / TWO_PI));
  return Float64Array.from({ length: bins }, (_, k) => hop * (k * binWidth));
}

/**
 * One output column of the phase vocoder, then the phase accumulator's advance (librosa 0.10
 * `phase_vocoder`, float32 like its complex64 arrays): the magnitude interpolates between the
 * polar rows `r0` and `r1 = r0 + bins` of `mag`/`ang` (frame-major) with the weights w0, w1
 * (float32), the output is `mag · (cos φ + i sin φ)` with φ = `phase[k]`, and φ advances by the
 * expected phase advance plus the measured deviation wrapped to [−π, π].
 */
function vocoderColumn(
  mag: Float32Array,
  ang: Float32Array,
  r0: number,
  bins: number,
  w0: number,
  w1: number,
  advance: Float64Array,
  phase: Float32Array,
  outRe: Float64Array,
  outIm: Float64Array,
  cs: Float64Array,
): void {
  const r1 = r0 + bins;
  for (let k = 0; k < bins; k++) {
    const m = Math.fround(Math.fround(w0 * (mag[r0 + k] as number)) + Math.fround(w1 * (mag[r1 + k] as number)));
    const p = phase[k] as number;
    sinCos(p, cs);
    // complex64 result: float32 cos/sin times the float32 magnitude, rounded to float32
    outRe[k] = Math.fround(Math.fround(cs[0] as number) * m);
    outIm[k] = Math.fround(Math.fround(cs[1] as number) * m);
    const a = advance[k] as number;
    let dphase = Math.fround((ang[r1 + k] as number) - (ang[r0 + k] as number)) - a;
    dphase -= TWO_PI * roundHalfEven(dphase / TWO_PI);
    phase[k] = p + (a + dphase); // float32 accumulator, rounded by the store
  }
}

/** Interpolation of output step t: the first input column read and the two float32 weights. */
function stepWeights(t: number, rate: number): { i0: number; w0: number; w1: number } {
  const step = t * rate; // numpy.arange(0, frames, rate)
  const i0 = Math.floor(step);
  const alpha = step - i0;
  // numpy casts the float64 scalars to the float32 arrays' type
  return { i0, w0: Math.fround(1 - alpha), w1: Math.fround(alpha) };
}

/**
 * Phase vocoder, as librosa 0.10 `phase_vocoder(D, rate, hop_length)`, including its float32
 * rounding (D is complex64, the phase accumulator float32):
 * - output column t reads the input at time step `t·rate` (t = 0 .. ceil(frames/rate) − 1);
 * - its magnitude interpolates linearly between the two neighbouring input columns;
 * - its phase starts at `angle(D[:, 0])` and accumulates, per step, the expected advance
 *   `hop·2πk/nFft` plus the measured deviation wrapped to [−π, π];
 * - two zero columns are appended to the input so the last steps have neighbours.
 * atan2, cos and sin come from dsp/fastTrig.ts (float32 results as Math's).
 *
 * @param spectrum  STFT `[1 + nFft/2][frames]` (centred frames, hop `hopLength`)
 * @param rate  speed-up factor (> 1 shortens, < 1 lengthens)
 * @param hopLength  hop of the STFT, samples (default nFft / 4)
 * @returns  stretched STFT `[1 + nFft/2][ceil(frames / rate)]`
 */
export function phaseVocoder(spectrum: ComplexMatrix, rate: number, hopLength?: number): ComplexMatrix {
  checkRate(rate);
  const bins = spectrum.rows;
  const frames = spectrum.cols;
  const hop = hopLength ?? Math.floor((2 * (bins - 1)) / 4);
  const steps = Math.max(0, Math.ceil(frames / rate));
  const outRe = new Float32Array(bins * steps);
  const outIm = new Float32Array(bins * steps);
  if (steps === 0 || frames === 0) return { rows: bins, cols: steps, re: outRe, im: outIm };
  // polar form, frame-major [frames + 2][bins] (the two appended columns are zeros)
  const mag = new Float32Array((frames + 2) * bins);
  const ang = new Float32Array((frames + 2) * bins);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      re[k] = spectrum.re[k * frames + t] as number;
      im[k] = spectrum.im[k * frames + t] as number;
    }
    polarColumn(re, im, bins, mag, ang, t * bins);
  }
  const advance = phaseAdvance(bins, hop);
  const phase = ang.slice(0, bins);
  const cs = new Float64Array(2);
  for (let t = 0; t < steps; t++) {
    const { i0, w0, w1 } = stepWeights(t, rate);
    vocoderColumn(mag, ang, i0 * bins, bins, w0, w1, advance, phase, re, im, cs);
    for (let k = 0; k < bins; k++) {
      outRe[k * steps + t] = re[k] as number;
      outIm[k * steps + t] = im[k] as number;
    }
  }
  return { rows: bins, cols: steps, re: outRe, im: outIm };
}

/** How `timeStretch` computes. */
export interface TimeStretchOptions {
  /**
   * Precision of the inverse STFT's FFT: `"float64"` (default, fft.js, like numpy) or
   * `"float32"` (PFFFT, about 2x faster; `await initFloat32Fft()` first). Against librosa on the
   * reference clip, max error 4.04e-6 (float64) and 4.06e-6 (float32) of max |y|. The analysis
   * STFT is always float64: the float32 phase accumulator carries float32 FFT rounding of weak
   * bins into later frames (1.5e-3 of max |y| measured with a float32 analysis).
   */
  inverseFft?: FftPrecision;
  /**
   * Run the per-bin arithmetic in the WebAssembly SIMD kernel (stretchKernel.ts) where the
   * runtime has SIMD (default true). It gives the same numbers, bit for bit, as the JavaScript
   * arithmetic (`false`), in a fraction of the time.
   */
  simd?: boolean;
}

/** Where the polar form lives and how the per-bin arithmetic runs: JavaScript arrays or the SIMD kernel. */
interface VocoderBackend {
  /** Bins per row in `mag`/`ang` (≥ bins). */
  readonly rowStride: number;
  readonly analysisRe: Float64Array;
  readonly analysisIm: Float64Array;
  readonly synthesisRe: Float64Array;
  readonly synthesisIm: Float64Array;
  prepare(frames: number): void;
  polar(row: number): void;
  finishAnalysis(frames: number): void;
  vocoder(row: number, w0: number, w1: number): void;
}

/** The JavaScript backend: polarColumn and vocoderColumn on arrays reused across calls. */
class JsVocoder implements VocoderBackend {
  readonly rowStride: number;
  readonly analysisRe: Float64Array;
  readonly analysisIm: Float64Array;
  readonly synthesisRe: Float64Array;
  readonly synthesisIm: Float64Array;
  private mag = new Float32Array(0);
  private ang = new Float32Array(0);
  private readonly phase: Float32Array;
  private readonly cs = new Float64Array(2);

  constructor(
    private readonly bins: number,
    private readonly advance: Float64Array,
  ) {
    this.rowStride = bins;
    this.analysisRe = new Float64Array(bins);
    this.analysisIm = new Float64Array(bins);
    this.synthesisRe = new Float64Array(bins);
    this.synthesisIm = new Float64Array(bins);
    this.phase = new Float32Array(bins);
  }

  prepare(frames: number): void {
    if (this.mag.length < (frames + 2) * this.bins) {
      this.mag = new Float32Array((frames + 2) * this.bins);
      this.ang = new Float32Array((frames + 2) * this.bins);
    }
  }

  polar(row: number): void {
    polarColumn(this.analysisRe, this.analysisIm, this.bins, this.mag, this.ang, row * this.bins);
  }

  finishAnalysis(frames: number): void {
    const b = this.bins;
    this.mag.fill(0, frames * b, (frames + 2) * b);
    this.ang.fill(0, frames * b, (frames + 2) * b);
    this.phase.set(this.ang.subarray(0, b));
  }

  vocoder(row: number, w0: number, w1: number): void {
    vocoderColumn(
      this.mag,
      this.ang,
      row * this.bins,
      this.bins,
      w0,
      w1,
      this.advance,
      this.phase,
      this.synthesisRe,
      this.synthesisIm,
      this.cs,
    );
  }
}

/**
 * What timeStretch reuses across calls (it runs to completion, so never twice at once): one FFT
 * per precision, the window, the phase advances and the polar-form buffers (grown as needed).
 */
const reused: {
  ffts: Partial<Record<FftPrecision, RealFft>>;
  window?: Float64Array;
  js?: JsVocoder;
  /** The SIMD kernel in a memory of its own / in PFFFT's memory; null where the runtime lacks WebAssembly SIMD. */
  kernel?: StretchKernel | null;
  pffftKernel?: StretchKernel | null;
} = { ffts: {} };

/**
 * The SIMD kernel to use: in PFFFT's memory once PFFFT is loaded (so it can also run the float32 inverse),
 * else in its own.
 */
function simdKernel(bins: number, advance: Float64Array, window: Float64Array): StretchKernel | null {
  const pffft = loadedPffft();
  if (pffft?.memory) {
    if (reused.pffftKernel === undefined) reused.pffftKernel = StretchKernel.create(bins, advance, window, pffft);
    return reused.pffftKernel;
  }
  if (reused.kernel === undefined) reused.kernel = StretchKernel.create(bins, advance, window, null);
  return reused.kernel;
}

/** The window-sum-square envelope of the last call's frame count (the same for every clip of a length). */
let envelopeCache: { frames: number; wss: Float32Array } | null = null;

/** Σ_t w²[i − t·hop] over `frames` frames, float32 as librosa's `window_sumsquare`. */
function windowSumSquare(window: Float64Array, frames: number, length: number): Float32Array {
  if (envelopeCache !== null && envelopeCache.frames === frames && envelopeCache.wss.length === length)
    return envelopeCache.wss;
  const wss = new Float32Array(length);
  for (let t = 0; t < frames; t++) {
    const start = t * HOP;
    for (let i = 0; i < window.length; i++) {
      const w = window[i] as number;
      wss[start + i] = (wss[start + i] as number) + w * w;
    }
  }
  envelopeCache = { frames, wss };
  return wss;
}

/**
 * Change the speed of a clip without changing its pitch, as librosa 0.10
 * `effects.time_stretch(y, rate)`: STFT (nFft 2048, hop 512, periodic Hann, centred, zero
 * padding), `phaseVocoder`, then the inverse STFT with window-sum-square normalisation cut to
 * `round(samples.length / rate)` samples. The three steps run column by column (each output
 * column goes through the inverse FFT as soon as it is made), with the arithmetic of `stft`,
 * `phaseVocoder` and `istft`.
 *
 * @param samples  mono signal
 * @param sampleRate  Hz (not used by the algorithm, which works in samples; kept so every
 *   augmentation has the same signature)
 * @param rate  speed-up factor: 1.25 plays 25 % faster and returns 1/1.25 of the samples
 * @returns  the stretched signal, `round(samples.length / rate)` samples (ties to even)
 */
export function timeStretch(
  samples: Float32Array,
  sampleRate: number,
  rate: number,
  options: TimeStretchOptions = {},
): Float32Array {
  if (!(sampleRate > 0))
    throw new ConfigError(
      `sample rate ${sampleRate}`,
      "the sample rate must be positive",
      "pass the clip's rate in Hz",
    );
  checkRate(rate);
  const precision = options.inverseFft ?? "float64";
  const fft = (reused.ffts.float64 ??= createRealFft(N_FFT, "float64"));
  const inverseFft = (reused.ffts[precision] ??= createRealFft(N_FFT, precision));
  const bins = N_FFT / 2 + 1;
  const half = N_FFT / 2;
  const window = (reused.window ??= hannWindow(N_FFT));
  const frames = stftFrameCount(samples.length, HOP);
  const length = roundHalfEven(samples.length / rate);

  const advance = phaseAdvance(bins, HOP);
  const kernel = options.simd === false ? null : simdKernel(bins, advance, window);
  const backend: VocoderBackend = kernel ?? (reused.js ??= new JsVocoder(bins, advance));

  // analysis: |X| and angle(X) of every frame, frame-major, two zero frames appended
  backend.prepare(frames);
  const frame = new Float64Array(N_FFT);
  for (let t = 0; t < frames; t++) {
    windowedFrame(samples, t, HOP, window, frame);
    fft.forward(frame, backend.analysisRe, backend.analysisIm);
    backend.polar(t);
  }
  backend.finishAnalysis(frames);

  // synthesis: the columns istft uses (librosa trims those that cannot reach `length`)
  const steps = Math.ceil(frames / rate);
  const used = Math.min(steps, Math.ceil((length + 2 * half) / HOP));
  const fullLength = N_FFT + HOP * (used - 1);
  const yLength = Math.max(fullLength, half + length);
  let y: Float32Array; // overlap-add in float32, like librosa
  if (kernel !== null && precision === "float32" && kernel.canSynthesize) {
    // the same arithmetic, all in WebAssembly: vocoder column, PFFFT inverse, overlap-add
    kernel.prepareSynthesis(yLength);
    for (let t = 0; t < used; t++) {
      const { i0, w0, w1 } = stepWeights(t, rate);
      kernel.vocoder(i0, w0, w1);
      kernel.synthesize(t * HOP);
    }
    y = kernel.output;
  } else {
    y = new Float32Array(yLength);
    const output = new Float64Array(N_FFT);
    for (let t = 0; t < used; t++) {
      const { i0, w0, w1 } = stepWeights(t, rate);
      backend.vocoder(i0, w0, w1);
      inverseFft.inverse(backend.synthesisRe, backend.synthesisIm, output);
      const start = t * HOP;
      for (let i = 0; i < N_FFT; i++)
        y[start + i] = (y[start + i] as number) + (window[i] as number) * (output[i] as number);
    }
  }
  return normalizeOverlapAdd(y, windowSumSquare(window, used, yLength), half, fullLength, length);
}
