import { ConfigError, ShapeError } from "../errors";
import { zerosMatrix, type Matrix } from "./matrix";

// Slaney's mel scale (librosa htk=False): linear below 1 kHz, logarithmic above.
const F_SP = 200 / 3; // Hz per mel in the linear part
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOG_STEP = Math.log(6.4) / 27; // ln(6400/1000) over 27 mels

/**
 * Hz to mels on Slaney's scale (librosa `hz_to_mel(f, htk=False)`): f / (200/3) below 1000 Hz,
 * 15 + ln(f / 1000) / (ln 6.4 / 27) above.
 */
export function hzToMel(hz: number): number {
  if (hz >= MIN_LOG_HZ) return MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
  return hz / F_SP;
}

/** Mels to Hz on Slaney's scale (librosa `mel_to_hz(m, htk=False)`), the inverse of `hzToMel`. */
export function melToHz(mel: number): number {
  if (mel >= MIN_LOG_MEL) return MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
  return F_SP * mel;
}

/**
 * `count` frequencies, Hz, equally spaced on the Slaney mel scale from fMinHz to fMaxHz inclusive
 * (librosa `mel_frequencies(count, fmin, fmax, htk=False)`, numpy.linspace's rounding).
 */
export function melFrequencies(count: number, fMinHz: number, fMaxHz: number): Float64Array {
  const lo = hzToMel(fMinHz);
  const hi = hzToMel(fMaxHz);
  const out = new Float64Array(count);
  const step = (hi - lo) / (count - 1);
  for (let i = 0; i < count; i++) out[i] = melToHz(i === count - 1 && count > 1 ? hi : i * step + lo);
  return out;
}

/** Centre frequency of each rfft bin, Hz: `k · sampleRate / nFft`, k = 0 .. nFft/2 (numpy.fft.rfftfreq). */
export function fftFrequencies(sampleRateHz: number, nFft: number): Float64Array {
  const val = 1 / (nFft * (1 / sampleRateHz));
  const out = new Float64Array((nFft >> 1) + 1);
  for (let k = 0; k < out.length; k++) out[k] = k * val;
  return out;
}

/**
 * A mel filterbank stored sparsely. Band m has non-zero weights only on the `count[m]`
 * consecutive bins starting at `start[m]`; its weight for bin `start[m] + j` is
 * `weights[offset[m] + j]` (float32, unitless). The dense equivalent is librosa's matrix
 * `[nMels][1 + nFft/2]`; each bin belongs to at most two bands, so about 2·nBins weights are kept.
 */
export interface MelFilterbank {
  /** Number of mel bands (rows). */
  readonly nMels: number;
  /** Number of FFT bins (columns), 1 + nFft/2. */
  readonly nBins: number;
  /** First bin with a non-zero weight, per band. */
  readonly start: Int32Array;
  /** Number of consecutive weights kept, per band. */
  readonly count: Int32Array;
  /** Index of band m's first weight in `weights`. */
  readonly offset: Int32Array;
  /** All bands' weights, concatenated. */
  readonly weights: Float32Array;
}

/** Mel filterbank parameters; the defaults are librosa 0.10's `filters.mel`. */
export interface MelOptions {
  /** Number of mel bands. Default 128. */
  nMels?: number;
  /** Lowest band edge, Hz. Default 0. */
  fMinHz?: number;
  /** Highest band edge, Hz. Default sampleRateHz / 2. */
  fMaxHz?: number | null;
}

/**
 * The Slaney-normalised triangular mel filterbank, as librosa 0.10
 * `filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm="slaney", dtype=float32)`: band i
 * rises from mel_f[i] to mel_f[i+1] and falls to mel_f[i+2] (mel_f = nMels + 2 edges equally
 * spaced in Slaney mels), and is scaled by 2 / (mel_f[i+2] − mel_f[i]) so every band has unit
 * area in Hz. Reproduces librosa's float32 matrix bit for bit.
 *
 * @param sampleRateHz  sample rate, Hz
 * @param nFft  FFT size, samples
 * @returns  sparse filterbank of `nMels` bands over 1 + nFft/2 bins
 */
export function melFilterbank(sampleRateHz: number, nFft: number, options: MelOptions = {}): MelFilterbank {
  const nMels = options.nMels ?? 128;
  const fMin = options.fMinHz ?? 0;
  const fMax = options.fMaxHz ?? sampleRateHz / 2;
  if (!Number.isInteger(nMels) || nMels <= 0)
    throw new ConfigError(`nMels ${nMels}`, "the number of mel bands must be a positive integer", "use e.g. 128");
  if (!(fMin >= 0 && fMax > fMin))
    throw new ConfigError(
      `mel range ${fMin}-${fMax} Hz`,
      "fMaxHz must exceed fMinHz ≥ 0",
      "use fMinHz 0 and fMaxHz sampleRate/2",
    );
  const nBins = (nFft >> 1) + 1;
  const fftFreqs = fftFrequencies(sampleRateHz, nFft);
  const melF = melFrequencies(nMels + 2, fMin, fMax);
  const start = new Int32Array(nMels);
  const count = new Int32Array(nMels);
  const offset = new Int32Array(nMels);
  const runs: Float32Array[] = [];
  let total = 0;
  const row = new Float32Array(nBins);
  for (let i = 0; i < nMels; i++) {
    const f0 = melF[i] as number;
    const f1 = melF[i + 1] as number;
    const f2 = melF[i + 2] as number;
    const lowerDiff = f1 - f0;
    const upperDiff = f2 - f1;
    const enorm = 2 / (f2 - f0);
    let first = -1;
    let last = -1;
    for (let k = 0; k < nBins; k++) {
      const f = fftFreqs[k] as number;
      const lower = -(f0 - f) / lowerDiff;
      const upper = (f2 - f) / upperDiff;
      // weights[i] = max(0, min(lower, upper)) stored as float32, then `weights *= enorm` in float64 and stored back
      const w = Math.fround(Math.max(0, Math.min(lower, upper))) * enorm;
      row[k] = w;
      if (row[k] !== 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    start[i] = Math.max(first, 0);
    count[i] = first < 0 ? 0 : last - first + 1;
    offset[i] = total;
    total += count[i] as number;
    runs.push(row.slice(start[i], start[i] + count[i]));
  }
  const weights = new Float32Array(total);
  for (let i = 0; i < nMels; i++) weights.set(runs[i] as Float32Array, offset[i]);
  return { nMels, nBins, start, count, offset, weights };
}

/** The dense `[nMels][1 + nFft/2]` matrix of a sparse filterbank (as librosa returns it). */
export function melFilterbankToDense(bank: MelFilterbank): Matrix {
  const m = zerosMatrix(bank.nMels, bank.nBins);
  for (let i = 0; i < bank.nMels; i++) {
    const o = bank.offset[i] as number;
    m.data.set(bank.weights.subarray(o, o + (bank.count[i] as number)), i * bank.nBins + (bank.start[i] as number));
  }
  return m;
}

/**
 * Apply a filterbank to one spectrum: `out[m] = Σ_j weights[offset[m] + j] · spectrum[start[m] + j]`,
 * accumulated in float64.
 *
 * @param spectrum  one frame's power (or magnitude) spectrum, length ≥ nBins
 * @param out  destination: band m goes to `out[outOffset + m]`
 */
export function applyMelToFrame(
  bank: MelFilterbank,
  spectrum: Float64Array | Float32Array,
  out: Float64Array | Float32Array,
  outOffset = 0,
): void {
  const { start, count, offset, weights, nMels } = bank;
  for (let m = 0; m < nMels; m++) {
    const n = count[m] as number;
    let w = offset[m] as number;
    let k = start[m] as number;
    // four independent partial sums, so the additions do not wait on each other
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    const end4 = w + (n & ~3);
    for (; w < end4; w += 4, k += 4) {
      a0 += (weights[w] as number) * (spectrum[k] as number);
      a1 += (weights[w + 1] as number) * (spectrum[k + 1] as number);
      a2 += (weights[w + 2] as number) * (spectrum[k + 2] as number);
      a3 += (weights[w + 3] as number) * (spectrum[k + 3] as number);
    }
    const end = (offset[m] as number) + n;
    for (; w < end; w++, k++) a0 += (weights[w] as number) * (spectrum[k] as number);
    out[outOffset + m] = a0 + a1 + (a2 + a3);
  }
}

/**
 * Apply a filterbank to `frames` consecutive spectra: frame t's spectrum is
 * `power[t·nBins .. (t + 1)·nBins)` and its bands go to `out[outOffset + t·nMels + m]`
 * (both frame-major, float32; sums accumulated in float64 as in `applyMelToFrame`).
 *
 * @param power  spectra `[frames][nBins]`, usually power
 * @param out  destination `[frames][nMels]` from outOffset
 */
export function applyMelToFrames(
  bank: MelFilterbank,
  power: Float32Array,
  frames: number,
  out: Float32Array,
  outOffset = 0,
): void {
  const { nMels, nBins } = bank;
  for (let t = 0; t < frames; t++)
    applyMelToFrame(bank, power.subarray(t * nBins, (t + 1) * nBins), out, outOffset + t * nMels);
}

/**
 * Mel spectrogram from a spectrogram: `mel_basis @ S` (librosa.feature.melspectrogram's last step).
 *
 * @param spectrogram  matrix `[1 + nFft/2][frames]`, usually power
 * @returns  matrix `[nMels][frames]`, in the units of the input (float32)
 */
export function applyMelFilterbank(bank: MelFilterbank, spectrogram: Matrix): Matrix {
  if (spectrogram.rows !== bank.nBins) {
    throw new ShapeError(
      "melspectrogram",
      `the spectrogram has ${spectrogram.rows} rows but the filterbank expects ${bank.nBins} bins`,
      "use the same nFft for both",
    );
  }
  const frames = spectrogram.cols;
  const out = zerosMatrix(bank.nMels, frames);
  const column = new Float64Array(bank.nBins);
  const mel = new Float64Array(bank.nMels);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bank.nBins; k++) column[k] = spectrogram.data[k * frames + t] as number;
    applyMelToFrame(bank, column, mel);
    for (let m = 0; m < bank.nMels; m++) out.data[m * frames + t] = mel[m] as number;
  }
  return out;
}
