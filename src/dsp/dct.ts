import { ConfigError } from "../errors";
import type { RealFft } from "./fft";
import { zerosMatrix, type Matrix } from "./matrix";

/**
 * Orthonormal DCT-II of length `n`, first `nOut` coefficients, as
 * `scipy.fftpack.dct(x, type=2, norm="ortho")[:nOut]`:
 * `c_k = s_k · Σ_{j<n} x_j cos(πk(2j+1) / (2n))`, `s_0 = sqrt(1/n)`, `s_k = sqrt(2/n)`.
 *
 * The scaled cosine basis is precomputed once; for even n it uses the symmetry
 * `cos(πk(2(n−1−j)+1)/(2n)) = (−1)^k cos(πk(2j+1)/(2n))` to halve the work: even k read
 * `x_j + x_{n−1−j}`, odd k read `x_j − x_{n−1−j}`, j < n/2. Arithmetic is float64.
 *
 * Given a real FFT of size n it uses Makhoul's algorithm instead (one length-n real FFT: with
 * `v = [x_0, x_2, …, x_{n−2}, x_{n−1}, …, x_3, x_1]`, `c_k = s_k · Re(e^{−iπk/(2n)} V_k)`), which
 * is several times faster and as precise as that FFT (float32 PFFFT: ~1e-7 of the largest
 * coefficient, like scipy's own float32 DCT).
 */
export class Dct2Ortho {
  /** Input length. */
  readonly n: number;
  /** Number of coefficients computed (the first ones). */
  readonly nOut: number;
  /** Basis rows, `[nOut][halfLength]` (even n) or `[nOut][n]` (odd n), including the s_k scale. */
  private readonly basis: Float64Array;
  private readonly cols: number;
  private readonly sums: Float64Array;
  private readonly diffs: Float64Array;
  private readonly fft: RealFft | null;
  /** FFT path: s_k·cos(πk/2n), s_k·sin(πk/2n), and scratch. */
  private readonly twCos: Float64Array;
  private readonly twSin: Float64Array;
  private readonly permuted: Float64Array | Float32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  /**
   * @param n  input length (e.g. the number of mel bands)
   * @param nOut  coefficients kept (e.g. nMfcc)
   * @param fft  optional real FFT of size n (even) to use Makhoul's FFT algorithm
   */
  constructor(n: number, nOut: number = n, fft?: RealFft) {
    if (!Number.isInteger(n) || n <= 0)
      throw new ConfigError(`DCT length ${n}`, "must be a positive integer", "use the number of mel bands");
    if (!Number.isInteger(nOut) || nOut <= 0 || nOut > n) {
      throw new ConfigError(
        `nMfcc ${nOut}`,
        `must be between 1 and the number of mel bands (${n})`,
        "use e.g. 40 with 128 mel bands",
      );
    }
    this.n = n;
    this.nOut = nOut;
    this.cols = n % 2 === 0 ? n / 2 : n;
    this.basis = new Float64Array(fft === undefined ? nOut * this.cols : 0);
    for (let k = 0; k < (fft === undefined ? nOut : 0); k++) {
      const scale = Math.sqrt((k === 0 ? 1 : 2) / n);
      for (let j = 0; j < this.cols; j++)
        this.basis[k * this.cols + j] = scale * Math.cos((Math.PI * k * (2 * j + 1)) / (2 * n));
    }
    this.sums = new Float64Array(this.cols);
    this.diffs = new Float64Array(this.cols);
    if (fft !== undefined && (fft.size !== n || n % 2 !== 0)) {
      throw new ConfigError(
        `DCT FFT of size ${fft.size}`,
        `the FFT algorithm needs an even length n and an FFT of size n = ${n}`,
        "leave the FFT out to use the direct sum",
      );
    }
    this.fft = fft ?? null;
    const withFft = this.fft !== null;
    this.twCos = new Float64Array(withFft ? nOut : 0);
    this.twSin = new Float64Array(withFft ? nOut : 0);
    for (let k = 0; k < this.twCos.length; k++) {
      const scale = Math.sqrt((k === 0 ? 1 : 2) / n);
      this.twCos[k] = scale * Math.cos((Math.PI * k) / (2 * n));
      this.twSin[k] = scale * Math.sin((Math.PI * k) / (2 * n));
    }
    const size = withFft ? n : 0;
    this.permuted = fft?.precision === "float32" ? new Float32Array(size) : new Float64Array(size);
    this.re = new Float64Array(withFft ? n / 2 + 1 : 0);
    this.im = new Float64Array(withFft ? n / 2 + 1 : 0);
  }

  /**
   * Transform `input[inOffset + j·inStride]`, j < n, writing coefficient k to
   * `out[outOffset + k·outStride]`, k < nOut. Strides let it read and write matrix columns.
   */
  transform(
    input: Float32Array | Float64Array,
    out: Float32Array | Float64Array,
    inOffset = 0,
    inStride = 1,
    outOffset = 0,
    outStride = 1,
  ): void {
    if (this.fft !== null) {
      this.transformFft(this.fft, input, out, inOffset, inStride, outOffset, outStride);
      return;
    }
    const { n, nOut, basis, cols } = this;
    if (n % 2 !== 0) {
      for (let k = 0; k < nOut; k++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += (basis[k * cols + j] as number) * (input[inOffset + j * inStride] as number);
        out[outOffset + k * outStride] = acc;
      }
      return;
    }
    const sums = this.sums;
    const diffs = this.diffs;
    for (let j = 0; j < cols; j++) {
      const a = input[inOffset + j * inStride] as number;
      const b = input[inOffset + (n - 1 - j) * inStride] as number;
      sums[j] = a + b;
      diffs[j] = a - b;
    }
    const end4 = cols & ~3;
    for (let k = 0; k < nOut; k++) {
      const src = (k & 1) === 0 ? sums : diffs;
      const row = k * cols;
      // four independent partial sums, so the additions do not wait on each other
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j < end4; j += 4) {
        a0 += (basis[row + j] as number) * (src[j] as number);
        a1 += (basis[row + j + 1] as number) * (src[j + 1] as number);
        a2 += (basis[row + j + 2] as number) * (src[j + 2] as number);
        a3 += (basis[row + j + 3] as number) * (src[j + 3] as number);
      }
      for (; j < cols; j++) a0 += (basis[row + j] as number) * (src[j] as number);
      out[outOffset + k * outStride] = a0 + a1 + (a2 + a3);
    }
  }

  private transformFft(
    fft: RealFft,
    input: Float32Array | Float64Array,
    out: Float32Array | Float64Array,
    inOffset: number,
    inStride: number,
    outOffset: number,
    outStride: number,
  ): void {
    const { n, nOut, permuted, re, im, twCos, twSin } = this;
    const half = n >> 1;
    for (let j = 0; j < half; j++) {
      permuted[j] = input[inOffset + 2 * j * inStride] as number;
      permuted[n - 1 - j] = input[inOffset + (2 * j + 1) * inStride] as number;
    }
    fft.forward(permuted, re, im);
    for (let k = 0; k < nOut; k++) {
      // V_k for k > n/2 is conj(V_{n−k})
      const a = k <= half ? (re[k] as number) : (re[n - k] as number);
      const b = k <= half ? (im[k] as number) : -(im[n - k] as number);
      out[outOffset + k * outStride] = a * (twCos[k] as number) + b * (twSin[k] as number);
    }
  }
}

/**
 * Orthonormal DCT-II of a vector, first `nOut` coefficients (see `Dct2Ortho`).
 *
 * @returns  `nOut` coefficients, float64
 */
export function dct2Ortho(input: Float32Array | Float64Array, nOut: number = input.length): Float64Array {
  const out = new Float64Array(nOut);
  new Dct2Ortho(input.length, nOut).transform(input, out);
  return out;
}

/**
 * DCT-II (ortho) of every column of a matrix, along the rows axis, keeping the first `nOut`
 * coefficients: `scipy.fftpack.dct(M, axis=-2, type=2, norm="ortho")[:nOut]`.
 *
 * @param m  matrix `[n][frames]` (e.g. mel dB)
 * @returns  matrix `[nOut][frames]` (float32)
 */
export function dctRows(m: Matrix, nOut: number): Matrix {
  const dct = new Dct2Ortho(m.rows, nOut);
  const out = zerosMatrix(nOut, m.cols);
  for (let t = 0; t < m.cols; t++) dct.transform(m.data, out.data, t, m.cols, t, m.cols);
  return out;
}
