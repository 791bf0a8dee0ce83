import { ConfigError } from "../errors";
import { fftConvolve, fftConvolveStuffed2 } from "./fftConvolve";
import { besselI0, designKaiserSinc, kernelAt, type KaiserSincKernel } from "./kaiser";
import { polyphaseResample, type OffsetSignal } from "./polyphase";

/**
 * Pass-band end of soxr's "HQ" recipe (librosa's default `res_type='soxr_hq'`), as a fraction
 * of the lower of the two Nyquist frequencies: 1 - 0.05 / TO_3dB(20 bits * 6.02 dB) = 0.91363.
 * The stop band starts at that Nyquist frequency.
 */
export const SOXR_HQ_PASSBAND_END = 0.9136277;

/**
 * Stop-band attenuation of a one-stage conversion in soxr HQ, dB: 20 bits of precision plus one
 * bit shared between pass and stop band, 21 * 20 log10(2). Conversions made of two stages get one
 * more bit (6.02 dB), as soxr budgets them.
 */
export const SOXR_HQ_ATTENUATION_DB = 21 * 20 * Math.log10(2);

/**
 * Number of output samples librosa 0.10 gives: ceil(n * toHz / fromHz) (after `fix_length`).
 *
 * @param inputLength  samples at fromHz
 */
export function resampledLength(inputLength: number, fromHz: number, toHz: number): number {
  return Math.ceil((inputLength * toHz) / fromHz);
}

/**
 * Band-limited resampling meant to match librosa 0.10's default `soxr_hq` (python-soxr 0.3,
 * libsoxr 0.1.3, HQ recipe): linear phase, flat to 91.4 % of the lower Nyquist frequency,
 * -126 dB from that Nyquist frequency on, the signal taken as zero outside its ends, and the
 * output cut to `resampledLength` samples, sample j being the signal at time j / toHz.
 *
 * Like soxr, the sharp filter runs in a stage of its own at twice the lower rate, done by FFT
 * convolution; a second, short polyphase stage bridges to the other rate:
 * - toHz = 2 fromHz or fromHz = 2 toHz: one stage (as soxr does for 44.1 kHz -> 22.05 kHz);
 * - up-sampling: sharp 2x up-sampling, then polyphase 2 fromHz -> toHz (as soxr does for 16 kHz -> 22.05 kHz);
 * - down-sampling: polyphase fromHz -> 2 toHz, then sharp 2x decimation (soxr instead lets its
 *   polyphase stage alias slightly into its transition band; the pass band is the same).
 * The filters are Kaiser-windowed sincs from the textbook formulas, not soxr's own fits, so the
 * output differs from soxr in the transition band (see bench/resample-compare.ts for figures).
 *
 * @param samples  mono signal at fromHz
 * @param fromHz  input rate, Hz (positive integer)
 * @param toHz  output rate, Hz (positive integer)
 * @returns  a new array of resampledLength(samples.length, fromHz, toHz) samples at toHz
 *   (a copy when the rates are equal)
 */
export function resample(samples: Float32Array, fromHz: number, toHz: number): Float32Array {
  for (const [name, rate] of [
    ["fromHz", fromHz],
    ["toHz", toHz],
  ] as const) {
    if (!Number.isInteger(rate) || rate <= 0) {
      throw new ConfigError(
        "resample",
        `${name} is ${rate}, not a positive whole number of Hz`,
        "pass sample rates in whole Hz, e.g. 22050",
      );
    }
  }
  if (fromHz === toHz) return Float32Array.from(samples);
  const outLength = resampledLength(samples.length, fromHz, toHz);
  const input: OffsetSignal = { data: Float64Array.from(samples), first: 0 };
  const out = toHz > fromHz ? upsample(input, fromHz, toHz, outLength) : downsample(input, fromHz, toHz, outLength);
  return Float32Array.from(out);
}

/**
 * The sharp 2x stage's low-pass at `nyquist` (the lower rate's Nyquist frequency, Hz), soxr HQ's
 * passband and attenuation; with a second stage the attenuation is 6 dB higher, as soxr's.
 */
function sharpStage(
  nyquist: number,
  twoStage: boolean,
): { passEnd: number; attenuation: number; sharp: KaiserSincKernel } {
  const passEnd = SOXR_HQ_PASSBAND_END * nyquist;
  const attenuation = SOXR_HQ_ATTENUATION_DB + (twoStage ? 20 * Math.log10(2) : 0);
  return { passEnd, attenuation, sharp: designKaiserSinc(passEnd, nyquist, attenuation) };
}

function upsample(x: OffsetSignal, fromHz: number, toHz: number, outLength: number): Float64Array {
  const twoStage = toHz !== 2 * fromHz;
  const { passEnd, attenuation, sharp } = sharpStage(fromHz / 2, twoStage);
  const doubled = sharpUpsample2(x, fromHz, sharp);
  if (!twoStage) return slice(doubled, 0, outLength);
  // The doubled signal holds nothing between the old Nyquist frequency and its images at
  // 1.5 fromHz. Like soxr's stages, the second one sees zeros before time 0 (not the first
  // stage's pre-ringing), which matters for the first few output samples.
  const fromZero: OffsetSignal = { data: doubled.data.subarray(-doubled.first), first: 0 };
  const bridge = designKaiserSinc(passEnd, 1.5 * fromHz, attenuation);
  return polyphaseResample(fromZero, 2 * fromHz, toHz, bridge, 0, outLength);
}

function downsample(x: OffsetSignal, fromHz: number, toHz: number, outLength: number): Float64Array {
  const twoStage = fromHz !== 2 * toHz;
  const { passEnd, attenuation, sharp } = sharpStage(toHz / 2, twoStage);
  const reach = Math.ceil(sharp.halfLengthSeconds * 2 * toHz);
  let atDouble: OffsetSignal = x;
  if (twoStage) {
    // to 2 toHz; what lands between toHz / 2 and 1.5 toHz is removed by the sharp stage below.
    // As in soxr, the second stage sees zeros before time 0.
    const bridge = designKaiserSinc(passEnd, 1.5 * toHz, attenuation);
    atDouble = { data: polyphaseResample(x, fromHz, 2 * toHz, bridge, 0, 2 * outLength + reach), first: 0 };
  }
  return sharpDecimate2(atDouble, 2 * toHz, sharp, outLength);
}

/** Taps of a kernel sampled at `rateHz`, centred: taps[reach + i] = h(i / rateHz), i in [-reach, reach]. */
function sampledKernel(kernel: KaiserSincKernel, rateHz: number, gain: number): { taps: Float64Array; reach: number } {
  const reach = Math.floor(kernel.halfLengthSeconds * rateHz);
  const taps = new Float64Array(2 * reach + 1);
  const i0Beta = besselI0(kernel.beta);
  for (let i = -reach; i <= reach; i++) taps[reach + i] = gain * kernelAt(kernel, i / rateHz, rateHz, i0Beta);
  return { taps, reach };
}

/** 2x up-sampling with the sharp low-pass: zero-stuffing, then FFT convolution with twice the kernel. */
function sharpUpsample2(x: OffsetSignal, fromHz: number, kernel: KaiserSincKernel): OffsetSignal {
  const { taps, reach } = sampledKernel(kernel, 2 * fromHz, 2);
  // full convolution of the stuffed signal: element m is the doubled-rate sample 2 * x.first + m - reach
  return { data: fftConvolveStuffed2(x.data, taps), first: 2 * x.first - reach };
}

/** Sharp low-pass at `rateHz` by FFT convolution, keeping every second sample from index 0. */
function sharpDecimate2(x: OffsetSignal, rateHz: number, kernel: KaiserSincKernel, outLength: number): Float64Array {
  const { taps, reach } = sampledKernel(kernel, rateHz, 1);
  const filtered: OffsetSignal = { data: fftConvolve(x.data, taps), first: x.first - reach };
  const out = new Float64Array(outLength);
  for (let j = 0; j < outLength; j++) {
    const m = 2 * j - filtered.first;
    out[j] = m >= 0 && m < filtered.data.length ? (filtered.data[m] as number) : 0;
  }
  return out;
}

/** Samples [start, start + count) of an offset signal, zero where it has none. */
function slice(x: OffsetSignal, start: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const m = start + j - x.first;
    out[j] = m >= 0 && m < x.data.length ? (x.data[m] as number) : 0;
  }
  return out;
}
