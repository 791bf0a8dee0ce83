import FFT from "fft.js";

/**
 * Full linear convolution `x * h` (length x.length + h.length - 1) by FFT overlap-add, float64.
 * Two input blocks go through each complex FFT at once (one as the real part, one as the
 * imaginary part), which is exact because h is real.
 *
 * @param x  signal
 * @param h  FIR taps
 */
export function fftConvolve(x: Float64Array, h: Float64Array): Float64Array {
  const taps = h.length;
  const out = new Float64Array(x.length + taps - 1);
  if (x.length === 0 || taps === 0) return out;
  let size = 256;
  while (size < 4 * taps) size *= 2;
  const block = size - taps + 1;
  const fft = new FFT(size);

  const spectrumH = new Float64Array(2 * size);
  const padded = new Float64Array(2 * size);
  for (let i = 0; i < taps; i++) padded[2 * i] = h[i] as number;
  fft.transform(spectrumH, padded);

  const data = new Float64Array(2 * size);
  const spec = new Float64Array(2 * size);
  const result = new Float64Array(2 * size);
  for (let start = 0; start < x.length; start += 2 * block) {
    const secondStart = start + block;
    data.fill(0);
    const endA = Math.min(block, x.length - start);
    for (let i = 0; i < endA; i++) data[2 * i] = x[start + i] as number;
    const endB = Math.max(0, Math.min(block, x.length - secondStart));
    for (let i = 0; i < endB; i++) data[2 * i + 1] = x[secondStart + i] as number;
    fft.transform(spec, data);
    multiplyComplexInPlace(spec, spectrumH, size);
    fft.inverseTransform(result, spec);
    const lenA = Math.min(size, out.length - start);
    for (let i = 0; i < lenA; i++) out[start + i] = (out[start + i] as number) + (result[2 * i] as number);
    if (endB > 0) {
      const lenB = Math.min(size, out.length - secondStart);
      for (let i = 0; i < lenB; i++)
        out[secondStart + i] = (out[secondStart + i] as number) + (result[2 * i + 1] as number);
    }
  }
  return out;
}

/**
 * The full convolution of the 2x zero-stuffed signal `[x0, 0, x1, 0, ..., x(n−1), 0]` with `h`
 * (length 2·x.length + h.length − 1), the interpolation step of a 2x up-sampler, without forming
 * the stuffed signal: its even outputs are x convolved with the even taps of h and its odd outputs
 * x convolved with the odd taps, and both come out of ONE complex convolution of the real x with
 * the complex filter `h_even + i·h_odd` (real part, imaginary part). Blocks of x go through a
 * real-input FFT, half the size the stuffed signal would need. float64 throughout.
 *
 * @param x  signal (before stuffing)
 * @param h  FIR taps at the doubled rate
 */
export function fftConvolveStuffed2(x: Float64Array, h: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, 2 * x.length + h.length - 1));
  if (x.length === 0 || h.length === 0) return out;
  const phaseTaps = Math.ceil(h.length / 2);
  let size = 256;
  while (size < 4 * phaseTaps) size *= 2;
  const block = size - phaseTaps + 1;
  const fft = new FFT(size);

  // spectrum of g = h_even + i·h_odd
  const g = new Float64Array(2 * size);
  for (let q = 0; q < phaseTaps; q++) {
    g[2 * q] = h[2 * q] as number;
    g[2 * q + 1] = 2 * q + 1 < h.length ? (h[2 * q + 1] as number) : 0;
  }
  const spectrumG = new Float64Array(2 * size);
  fft.transform(spectrumG, g);

  const data = new Float64Array(size);
  const spec = new Float64Array(2 * size);
  const result = new Float64Array(2 * size);
  for (let start = 0; start < x.length; start += block) {
    const end = Math.min(block, x.length - start);
    data.fill(0);
    for (let i = 0; i < end; i++) data[i] = x[start + i] as number;
    fft.realTransform(spec, data);
    fft.completeSpectrum(spec);
    multiplyComplexInPlace(spec, spectrumG, size);
    fft.inverseTransform(result, spec);
    // y[start + i] = result[i]: even output 2(start + i) gets its real part, odd output its imaginary part
    const limit = Math.min(2 * size, out.length - 2 * start);
    for (let i = 0; i < limit; i++) out[2 * start + i] = (out[2 * start + i] as number) + (result[i] as number);
  }
  return out;
}

/** `spec[k] *= other[k]` for `size` interleaved complex values (re, im). */
function multiplyComplexInPlace(spec: Float64Array, other: Float64Array, size: number): void {
  for (let k = 0; k < 2 * size; k += 2) {
    const re = spec[k] as number;
    const im = spec[k + 1] as number;
    const or = other[k] as number;
    const oi = other[k + 1] as number;
    spec[k] = re * or - im * oi;
    spec[k + 1] = re * oi + im * or;
  }
}
