/**
 * Periodic ("DFT-even") Hann window of `length` samples, as scipy.signal.get_window("hann",
 * length, fftbins=True) and therefore librosa's default STFT window:
 * `w[n] = 0.5 - 0.5 cos(2πn / length)`, n = 0 .. length-1. w[0] = 0 and the peak w[length/2] = 1.
 *
 * Evaluated in float64 the way scipy does (`0.5 + 0.5 cos(-π + n·2π/length)`), so the values
 * agree with scipy's to the last bit or so; librosa multiplies float32 frames by this float64
 * window.
 *
 * @param length  window length, samples (a positive integer)
 * @returns  `length` coefficients, unitless, in [0, 1]
 */
export function hannWindow(length: number): Float64Array {
  if (!Number.isInteger(length) || length <= 0) {
    throw new RangeError(`hannWindow: length must be a positive integer, got ${length}`);
  }
  const w = new Float64Array(length);
  if (length === 1) {
    w[0] = 1; // scipy's one-point window
    return w;
  }
  // scipy.signal.windows.general_cosine on length + 1 points, truncated: fac = linspace(-π, π, length + 1)
  const step = (2 * Math.PI) / length;
  for (let n = 0; n < length; n++) w[n] = 0.5 + 0.5 * Math.cos(n * step + -Math.PI);
  return w;
}
