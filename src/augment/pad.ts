import { ConfigError } from "../errors";
import { roundHalfEven } from "../util/rounding";

/**
 * Samples of silence added on EACH side for `seconds` at `sampleRate`: Python's
 * `round(seconds * sampleRate)` (nearest integer, ties to even) of the float64 product.
 * Rounding, not truncation, matters: 0.7 * 22050 is 15434.999999999998 in float64, so
 * `round` gives 15435 where `int()` would give 15434.
 *
 * @param seconds  duration of each pad, s ≥ 0
 * @param sampleRate  Hz > 0
 * @returns  sample count ≥ 0
 */
export function padSampleCount(seconds: number, sampleRate: number): number {
  if (!(seconds >= 0) || !Number.isFinite(seconds)) {
    throw new ConfigError(
      "augment.padSeconds",
      `${seconds} is not a finite duration ≥ 0`,
      "set it in seconds, e.g. 0.7",
    );
  }
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new ConfigError(
      "sample rate",
      `${sampleRate} Hz is not a positive rate`,
      "pass the clip's sample rate in Hz",
    );
  }
  return roundHalfEven(seconds * sampleRate);
}

/**
 * Silence before and after, `np.concatenate([zeros(p), y, zeros(p)])` with
 * p = {@link padSampleCount}(seconds, sampleRate).
 *
 * @param samples  mono signal; not modified
 * @param sampleRate  Hz
 * @param seconds  silence on each side, s (thesis: 0.7)
 * @returns  new array of length `samples.length + 2 * p`: p zeros, the clip, p zeros
 */
export function padWithSilence(samples: Float32Array, sampleRate: number, seconds: number): Float32Array {
  const pad = padSampleCount(seconds, sampleRate);
  const out = new Float32Array(samples.length + 2 * pad);
  out.set(samples, pad);
  return out;
}
