import { ConfigError } from "../errors";
import { createRealFft } from "../dsp/fft";
import { istft, stft, type ComplexMatrix } from "../dsp/stft";

const TWO_PI = 2 * Math.PI;

/** numpy.round / Python round: to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Phase vocoder, as librosa 0.10 `phase_vocoder(D, rate, hop_length)`, including its float32
 * rounding (D is complex64, the phase accumulator float32):
 * - output column t reads the input at time step `t·rate` (t = 0 .. ceil(frames/rate) − 1);
 * - its magnitude interpolates linearly between the two neighbouring input columns;
 * - its phase starts at `angle(D[:, 0])` and accumulates, per step, the expected advance
 *   `hop·2πk/nFft` plus the measured deviation wrapped to [−π, π];
 * - two zero columns are appended to the input so the last steps have neighbours.
 *
 * @param spectrum  STFT `[1 + nFft/2][frames]` (centred frames, hop `hopLength`)
 * @param rate  speed-up factor (> 1 shortens, < 1 lengthens)
 * @param hopLength  hop of the STFT, samples (default nFft / 4)
 * @returns  stretched STFT `[1 + nFft/2][ceil(frames / rate)]`
 */
export function phaseVocoder(spectrum: ComplexMatrix, rate: number, hopLength?: number): ComplexMatrix {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new ConfigError(`stretch rate ${rate}`, "the rate must be a positive number", "use e.g. 1.25 (faster) or 0.8 (slower)");
  const bins = spectrum.rows;
  const frames = spectrum.cols;
  const nFft = 2 * (bins - 1);
  const hop = hopLength ?? Math.floor(nFft / 4);
  const steps = Math.max(0, Math.ceil(frames / rate)); // numpy.arange(0, frames, rate)
  const outRe = new Float32Array(bins * steps);
  const outIm = new Float32Array(bins * steps);
  if (steps === 0 || frames === 0) return { rows: bins, cols: steps, re: outRe, im: outIm };

  // |D| and angle(D) in float32, with the two zero columns appended ([bins][frames + 2])
  const cols = frames + 2;
  const mag = new Float32Array(bins * cols);
  const ang = new Float32Array(bins * cols);
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < frames; t++) {
      const re = spectrum.re[k * frames + t] as number;
      const im = spectrum.im[k * frames + t] as number;
      mag[k * cols + t] = Math.sqrt(re * re + im * im); // exact squares of float32s; rounded once more by the store
      ang[k * cols + t] = Math.atan2(im, re);
    }
  }
  // expected phase advance per hop: hop · fft_frequencies(sr=2π, n_fft), float64
  const binWidth = 1 / (nFft * (1 / TWO_PI));
  const phiAdvance = new Float64Array(bins);
  for (let k = 0; k < bins; k++) phiAdvance[k] = hop * (k * binWidth);
  const phase = new Float32Array(bins);
  for (let k = 0; k < bins; k++) phase[k] = ang[k * cols] as number;

  for (let t = 0; t < steps; t++) {
    const step = t * rate;
    const i0 = Math.floor(step);
    const alpha = step - i0;
    const w0 = Math.fround(1 - alpha); // numpy casts the float64 scalars to the float32 arrays' type
    const w1 = Math.fround(alpha);
    for (let k = 0; k < bins; k++) {
      const c0 = k * cols + i0;
      const m = Math.fround(Math.fround(w0 * (mag[c0] as number)) + Math.fround(w1 * (mag[c0 + 1] as number)));
      const p = phase[k] as number;
      outRe[k * steps + t] = Math.fround(Math.cos(p)) * m;
      outIm[k * steps + t] = Math.fround(Math.sin(p)) * m;
      let dphase = Math.fround((ang[c0 + 1] as number) - (ang[c0] as number)) - (phiAdvance[k] as number);
      dphase -= TWO_PI * roundHalfEven(dphase / TWO_PI);
      phase[k] = p + ((phiAdvance[k] as number) + dphase); // float32 accumulator, rounded by the store
    }
  }
  return { rows: bins, cols: steps, re: outRe, im: outIm };
}

/**
 * Change the speed of a clip without changing its pitch, as librosa 0.10
 * `effects.time_stretch(y, rate)`: STFT (nFft 2048, hop 512, periodic Hann, centred, zero
 * padding, float64 FFT), `phaseVocoder`, then inverse STFT with window-sum-square normalisation
 * cut to `round(samples.length / rate)` samples.
 *
 * @param samples  mono signal
 * @param sampleRate  Hz (not used by the algorithm, which works in samples; kept so every
 *   augmentation has the same signature)
 * @param rate  speed-up factor: 1.25 plays 25 % faster and returns 1/1.25 of the samples
 * @returns  the stretched signal, `round(samples.length / rate)` samples (ties to even)
 */
export function timeStretch(samples: Float32Array, sampleRate: number, rate: number): Float32Array {
  if (!(sampleRate > 0)) throw new ConfigError(`sample rate ${sampleRate}`, "the sample rate must be positive", "pass the clip's rate in Hz");
  if (!(rate > 0) || !Number.isFinite(rate)) throw new ConfigError(`stretch rate ${rate}`, "the rate must be a positive number", "use e.g. 1.25 (faster) or 0.8 (slower)");
  const nFft = 2048;
  const hopLength = 512;
  const fft = createRealFft(nFft, "float64");
  const spectrum = stft(samples, { nFft, hopLength, fft });
  const stretched = phaseVocoder(spectrum, rate, hopLength);
  return istft(stretched, { hopLength, length: roundHalfEven(samples.length / rate), fft });
}
