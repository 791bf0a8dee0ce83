import { ConfigError, ShapeError } from "../errors";
import { createRealFft, type RealFft } from "./fft";
import type { Matrix } from "./matrix";
import { hannWindow } from "./window";

/**
 * A dense row-major complex matrix stored as two float32 planes (librosa's complex64).
 * Rows are frequency bins, columns are frames: element `[r][c]` is
 * `re[r * cols + c] + i·im[r * cols + c]`.
 */
export interface ComplexMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly re: Float32Array;
  readonly im: Float32Array;
}

/** STFT parameters; the defaults are librosa 0.10's. */
export interface StftOptions {
  /** FFT size and window length, samples (power of two). Default 2048. */
  nFft?: number;
  /** Hop between frames, samples. Default nFft / 4 (512). */
  hopLength?: number;
  /** A real FFT of size nFft to reuse (default: a new float64 one, as numpy's). */
  fft?: RealFft;
}

interface ResolvedStft {
  nFft: number;
  hopLength: number;
  fft: RealFft;
}

function resolve(options: StftOptions): ResolvedStft {
  const nFft = options.nFft ?? options.fft?.size ?? 2048;
  const hopLength = options.hopLength ?? Math.floor(nFft / 4);
  if (!Number.isInteger(hopLength) || hopLength <= 0) {
    throw new ConfigError(
      `hopLength ${hopLength}`,
      "the hop must be a positive whole number of samples",
      "use e.g. nFft / 4",
    );
  }
  const fft = options.fft ?? createRealFft(nFft, "float64");
  if (fft.size !== nFft)
    throw new ConfigError(
      `fft of size ${fft.size}`,
      `the STFT needs an FFT of size nFft = ${nFft}`,
      "create the FFT with the same size",
    );
  return { nFft, hopLength, fft };
}

/**
 * Number of STFT frames librosa makes with center=True: `1 + floor(nSamples / hopLength)`.
 *
 * @param nSamples  signal length, samples
 * @param hopLength  hop, samples
 */
export function stftFrameCount(nSamples: number, hopLength: number): number {
  return 1 + Math.floor(nSamples / hopLength);
}

/**
 * Write frame `t` of a centred, zero-padded framing of `samples`, multiplied by `window`, into
 * `out`. Frame t covers samples `[t·hop − nFft/2, t·hop + nFft/2)`; samples outside the signal
 * are zeros (librosa 0.10's pad_mode="constant").
 *
 * @param samples  the signal
 * @param t  frame index
 * @param hopLength  hop, samples
 * @param window  analysis window of length nFft
 * @param out  destination of length ≥ nFft (float64, or float32 for a float32 FFT)
 */
export function windowedFrame(
  samples: Float32Array,
  t: number,
  hopLength: number,
  window: Float64Array,
  out: Float64Array | Float32Array,
): void {
  const n = window.length;
  const start = t * hopLength - (n >> 1);
  const len = samples.length;
  if (start >= 0 && start + n <= len) {
    for (let i = 0; i < n; i++) out[i] = (samples[start + i] as number) * (window[i] as number);
    return;
  }
  for (let i = 0; i < n; i++) {
    const j = start + i;
    out[i] = j >= 0 && j < len ? (samples[j] as number) * (window[i] as number) : 0;
  }
}

/**
 * Short-time Fourier transform, as librosa 0.10 `stft(y, n_fft, hop_length, center=True)`:
 * periodic Hann window, frames centred with nFft/2 zeros of padding at each end, FFT in the
 * precision of `options.fft` (float64 by default, like numpy), result stored as complex64.
 *
 * @param samples  mono signal
 * @returns  complex matrix `[1 + nFft/2][frames]`, frames = 1 + floor(samples.length / hopLength);
 *   bin k is at k·sampleRate/nFft Hz
 */
export function stft(samples: Float32Array, options: StftOptions = {}): ComplexMatrix {
  const { nFft, hopLength, fft } = resolve(options);
  const bins = (nFft >> 1) + 1;
  const frames = stftFrameCount(samples.length, hopLength);
  const window = hannWindow(nFft);
  const frame = fft.precision === "float32" ? new Float32Array(nFft) : new Float64Array(nFft);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const outRe = new Float32Array(bins * frames);
  const outIm = new Float32Array(bins * frames);
  for (let t = 0; t < frames; t++) {
    windowedFrame(samples, t, hopLength, window, frame);
    fft.forward(frame, re, im);
    for (let k = 0; k < bins; k++) {
      outRe[k * frames + t] = re[k] as number;
      outIm[k * frames + t] = im[k] as number;
    }
  }
  return { rows: bins, cols: frames, re: outRe, im: outIm };
}

/**
 * Element-wise magnitude `|X|` of a complex matrix, as numpy.abs on complex64 (float32 result).
 *
 * @returns  matrix of the same shape `[rows][cols]`, in the units of the input
 */
export function complexMagnitude(spectrum: ComplexMatrix): Matrix {
  const { re, im } = spectrum;
  const data = new Float32Array(re.length);
  for (let i = 0; i < data.length; i++) {
    const r = re[i] as number;
    const q = im[i] as number;
    data[i] = Math.sqrt(r * r + q * q);
  }
  return { rows: spectrum.rows, cols: spectrum.cols, data };
}

/**
 * Magnitude spectrogram `np.abs(librosa.stft(y))`.
 *
 * @returns  matrix `[1 + nFft/2][frames]`, linear amplitude (a full-scale sine of amplitude A
 *   peaks at about A·nFft/4 with the Hann window)
 */
export function stftMagnitude(samples: Float32Array, options: StftOptions = {}): Matrix {
  return complexMagnitude(stft(samples, options));
}

/**
 * Power spectrogram `np.abs(librosa.stft(y)) ** 2` (float32, as librosa's melspectrogram uses it).
 *
 * @returns  matrix `[1 + nFft/2][frames]`, squared linear amplitude
 */
export function powerSpectrogram(samples: Float32Array, options: StftOptions = {}): Matrix {
  const m = complexMagnitude(stft(samples, options));
  const d = m.data;
  for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) * (d[i] as number);
  return m;
}

/** Inverse-STFT parameters; the defaults are librosa 0.10's. */
export interface IstftOptions {
  /** Hop between frames, samples. Default nFft / 4, where nFft = 2·(rows − 1). */
  hopLength?: number;
  /**
   * Output length, samples: the result is cut or zero-padded to exactly this many. Default: all, minus the centre
   * padding.
   */
  length?: number;
  /** A real FFT of size nFft to reuse (default: a new float64 one). */
  fft?: RealFft;
}

/**
 * Inverse STFT, as librosa 0.10 `istft(D, hop_length, center=True, length)` with the periodic
 * Hann window: each column is inverted (numpy irfft), windowed and overlap-added in float32, then
 * divided by the summed squared window wherever that sum exceeds float32's smallest normal
 * number, and the first nFft/2 samples are dropped.
 *
 * @param spectrum  complex matrix `[1 + nFft/2][frames]`
 * @returns  signal of `options.length` samples (default `nFft + hop·(frames − 1) − 2·(nFft/2)`)
 */
export function istft(spectrum: ComplexMatrix, options: IstftOptions = {}): Float32Array {
  const bins = spectrum.rows;
  const nFft = 2 * (bins - 1);
  if (bins < 3)
    throw new ShapeError("istft", `a spectrum with ${bins} bins`, "pass an STFT matrix [1 + nFft/2][frames]");
  const { hopLength, fft } = resolve({ nFft, hopLength: options.hopLength, fft: options.fft });
  const half = nFft >> 1;
  const totalFrames = spectrum.cols;
  // librosa trims the frames that cannot reach the requested length
  const nFrames =
    options.length !== undefined
      ? Math.min(totalFrames, Math.ceil((options.length + 2 * half) / hopLength))
      : totalFrames;
  const fullLength = nFft + hopLength * (nFrames - 1);
  const outLength = options.length ?? fullLength - 2 * half;
  if (!Number.isInteger(outLength) || outLength < 0)
    throw new ConfigError(`length ${outLength}`, "the output length must be a whole number ≥ 0", "pass a sample count");

  const window = hannWindow(nFft);
  // overlap-add over the padded time axis, in float32 like librosa
  const y = new Float32Array(Math.max(fullLength, half + outLength));
  const wss = new Float32Array(y.length);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const frame = new Float64Array(nFft);
  const cols = spectrum.cols;
  for (let t = 0; t < nFrames; t++) {
    for (let k = 0; k < bins; k++) {
      re[k] = spectrum.re[k * cols + t] as number;
      im[k] = spectrum.im[k * cols + t] as number;
    }
    fft.inverse(re, im, frame);
    const start = t * hopLength;
    for (let i = 0; i < nFft; i++) {
      const w = window[i] as number;
      y[start + i] = (y[start + i] as number) + w * (frame[i] as number);
      wss[start + i] = (wss[start + i] as number) + w * w;
    }
  }
  return normalizeOverlapAdd(y, wss, half, fullLength, outLength);
}

/**
 * The end of librosa's istft: drop the first `half` (nFft/2) samples of the overlap-added
 * signal `y`, divide by the window sum-square `wss` wherever it exceeds float32's smallest
 * normal number, and cut or zero-pad to `outLength` samples.
 *
 * @param fullLength  samples of `y` the frames reached (nFft + hop·(frames − 1))
 */
export function normalizeOverlapAdd(
  y: Float32Array,
  wss: Float32Array,
  half: number,
  fullLength: number,
  outLength: number,
): Float32Array {
  const tiny = 1.1754943508222875e-38; // numpy.finfo(float32).tiny
  const out = new Float32Array(outLength);
  const available = Math.min(outLength, fullLength - half);
  for (let i = 0; i < available; i++) {
    const s = wss[half + i] as number;
    const v = y[half + i] as number;
    out[i] = s > tiny ? v / s : v;
  }
  return out;
}
