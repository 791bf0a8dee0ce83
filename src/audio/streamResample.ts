import { kaiserHalfLengthSeconds } from "./kaiser";
import { gcd } from "./polyphase";
import { resample, resampledLength, SOXR_HQ_ATTENUATION_DB, SOXR_HQ_PASSBAND_END } from "./resample";

/**
 * Input samples on each side of an output block that the resampler's filters can reach, with a
 * wide safety margin: the longest kernel {@link resample} designs (its sharp low-pass, at the
 * attenuation of a two-stage conversion) counted four times over, and at least 50 ms.
 *
 * @returns  samples at fromHz
 */
export function resamplerReachSamples(fromHz: number, toHz: number): number {
  const lowerNyquist = Math.min(fromHz, toHz) / 2;
  const sharpHalfSeconds = kaiserHalfLengthSeconds(
    SOXR_HQ_ATTENUATION_DB + 20 * Math.log10(2),
    (1 - SOXR_HQ_PASSBAND_END) * lowerNyquist,
  );
  return Math.ceil(Math.max(4 * sharpHalfSeconds, 0.05) * fromHz) + 16;
}

/**
 * Read mono input samples `[start, end)` of the signal being resampled.
 *
 * @returns  end - start samples (a new array or a view the caller may keep until the next call)
 */
export type ReadSamples = (start: number, end: number) => Float32Array;

/**
 * Resample a long mono signal block by block, in memory proportional to the block size: the
 * same conversion as {@link resample} of the whole signal (the same filters, run by the same
 * code), so the concatenated blocks equal it up to float rounding (below 1e-6 of full scale; in
 * practice the float32 samples are identical).
 *
 * Each output block is computed by resampling a stretch of input that reaches
 * {@link resamplerReachSamples} beyond it on both sides and starts on an input sample that
 * falls exactly on an output sample (a multiple of fromHz / gcd(fromHz, toHz)), keeping only
 * the block; the filters never see the stretch's cut ends, except at the true start and end of
 * the signal, where the whole-signal conversion sees the same ends.
 *
 * @param read  reads input samples; called once per block with overlapping ranges
 * @param inputLength  samples of input at fromHz
 * @param fromHz  input rate, Hz (positive integer)
 * @param toHz  output rate, Hz (positive integer)
 * @param blockSamples  output samples per block (the last block may be shorter)
 * @returns  blocks of output at toHz, in order, resampledLength(inputLength, fromHz, toHz) samples in all
 */
export function* resampleBlocks(
  read: ReadSamples,
  inputLength: number,
  fromHz: number,
  toHz: number,
  blockSamples: number,
): Generator<Float32Array> {
  const total = fromHz === toHz ? inputLength : resampledLength(inputLength, fromHz, toHz);
  const block = Math.max(1, Math.floor(blockSamples));
  if (fromHz === toHz) {
    for (let j0 = 0; j0 < total; j0 += block) yield Float32Array.from(read(j0, Math.min(total, j0 + block)));
    return;
  }
  const g = gcd(fromHz, toHz);
  const inUnit = fromHz / g; // input samples per ...
  const outUnit = toHz / g; // ... this many output samples, exactly
  const reach = resamplerReachSamples(fromHz, toHz);
  for (let j0 = 0; j0 < total; j0 += block) {
    const j1 = Math.min(total, j0 + block);
    const wantStart = Math.floor((j0 * fromHz) / toHz) - reach;
    const start = wantStart <= 0 ? 0 : Math.floor(wantStart / inUnit) * inUnit;
    const end = Math.min(inputLength, Math.ceil((j1 * fromHz) / toHz) + reach);
    const out = resample(read(start, end), fromHz, toHz);
    const offset = (start / inUnit) * outUnit; // output index of out[0]
    yield out.slice(j0 - offset, j1 - offset);
  }
}
