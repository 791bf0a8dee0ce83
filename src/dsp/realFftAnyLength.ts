/**
 * Exact float64 real FFT of ANY length, with the conventions of `numpy.fft.rfft` / `irfft` /
 * `rfftfreq` (no normalisation forward, 1/n inverse).
 *
 * Why not a power-of-two FFT: the thesis transforms whole clips (3 s at 22050 Hz = 66150 =
 * 2·3³·5²·7² samples), and zero-padding to a power of two would change every bin frequency.
 *
 * How: a mixed-radix Stockham (self-sorting) complex FFT with radices 4, 2 and any odd radix
 * (butterflies use the symmetric cos/sin pairs), in split float64 arrays. A prime factor larger
 * than BLUESTEIN_MIN_PRIME (64) sends the whole length through Bluestein's chirp-z transform
 * (a convolution done with FFTs of a 2·3·5-smooth length) instead of an O(p²) butterfly. Real
 * transforms of even length n run as one complex transform of length n/2 (even/odd packing); odd
 * lengths use a complex transform of length n.
 * Plans (twiddles, factorisation, chirps) are cached per length, the last PLAN_CACHE_SIZE (16).
 *
 * Accuracy: twiddles are computed directly as cos/sin(2πk/n) (no recurrences), so errors grow
 * like O(ε·log n); against a direct DFT the relative error is ~1e-15 for n ≤ 1000.
 */
import { ShapeError } from "../errors";

/**
 * One-sided spectrum of a real signal of length n: `floor(n / 2) + 1` complex bins, bin k at
 * k·sampleRate/n Hz, as numpy's `rfft` returns it. Real and imaginary parts in separate arrays.
 */
export interface RealSpectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Prime factors above this are transformed with Bluestein's algorithm, not a direct butterfly. */
const BLUESTEIN_MIN_PRIME = 64;

/** How many lengths keep a cached plan (least recently used are dropped). */
const PLAN_CACHE_SIZE = 16;

/**
 * `numpy.fft.rfft(x)`: the one-sided DFT `X[k] = Σ_t x[t]·e^{-2πi·k·t/n}`, k = 0..floor(n/2).
 *
 * @param samples  real signal, length n ≥ 1 (float32 input is widened to float64, as numpy does)
 * @returns  `floor(n / 2) + 1` complex bins, unnormalised
 */
export function rfft(samples: ArrayLike<number>): RealSpectrum {
  const n = samples.length;
  if (n < 1) {
    throw new ShapeError("rfft input", "the signal has 0 samples", "pass a signal of at least one sample");
  }
  const bins = Math.floor(n / 2) + 1;
  const outRe = new Float64Array(bins);
  const outIm = new Float64Array(bins);

  if (n % 2 === 1) {
    const plan = complexPlan(n);
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let t = 0; t < n; t++) re[t] = samples[t] as number;
    plan.forward(re, im);
    outRe.set(re.subarray(0, bins));
    outIm.set(im.subarray(0, bins));
    return { re: outRe, im: outIm };
  }

  // Even n: z[t] = x[2t] + i·x[2t+1], Z = FFT_h(z), h = n/2; then split Z into the transforms
  // of the even and odd samples and combine them with the length-n twiddles.
  const h = n / 2;
  const plan = realPlan(n);
  const zr = new Float64Array(h);
  const zi = new Float64Array(h);
  for (let t = 0; t < h; t++) {
    zr[t] = samples[2 * t] as number;
    zi[t] = samples[2 * t + 1] as number;
  }
  plan.half.forward(zr, zi);
  const cos = plan.cos;
  const sin = plan.sin;
  outRe[0] = (zr[0] as number) + (zi[0] as number);
  outIm[0] = 0;
  outRe[h] = (zr[0] as number) - (zi[0] as number);
  outIm[h] = 0;
  for (let k = 1; k < h; k++) {
    const ar = zr[k] as number;
    const ai = zi[k] as number;
    const br = zr[h - k] as number;
    const bi = zi[h - k] as number;
    // E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / (2i)
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai - bi);
    const or = 0.5 * (ai + bi);
    const oi = -0.5 * (ar - br);
    // X[k] = E + W^k·O with W^k = cos - i·sin
    const c = cos[k] as number;
    const s = sin[k] as number;
    outRe[k] = er + (or * c + oi * s);
    outIm[k] = ei + (oi * c - or * s);
  }
  return { re: outRe, im: outIm };
}

/**
 * `numpy.fft.irfft(X, n)`: the real signal of length n whose one-sided spectrum is X, scaled 1/n.
 * Like numpy, it reads the first `floor(n / 2) + 1` bins of X (missing ones count as zero, extra
 * ones are ignored) and ignores the imaginary part of bin 0 and, for even n, of bin n/2.
 *
 * @param spectrum  one-sided spectrum (re and im of equal length ≥ 1)
 * @param n  output length in samples, ≥ 1
 * @returns  float64 signal of length n
 */
export function irfft(spectrum: RealSpectrum, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new ShapeError("irfft length", `n = ${n} is not a positive integer`, "pass the output length in samples");
  }
  if (spectrum.re.length !== spectrum.im.length || spectrum.re.length < 1) {
    throw new ShapeError(
      "irfft spectrum",
      `re has ${spectrum.re.length} bins and im has ${spectrum.im.length}`,
      "pass equal, non-empty real and imaginary parts (as rfft returns them)",
    );
  }
  const bins = Math.floor(n / 2) + 1;
  const available = Math.min(bins, spectrum.re.length);
  const xr = new Float64Array(bins);
  const xi = new Float64Array(bins);
  xr.set(spectrum.re.subarray(0, available));
  xi.set(spectrum.im.subarray(0, available));
  xi[0] = 0;

  if (n % 2 === 1) {
    // Rebuild the Hermitian full spectrum, inverse complex transform, keep the real part.
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    re.set(xr);
    im.set(xi);
    for (let k = 1; k < bins; k++) {
      re[n - k] = xr[k] as number;
      im[n - k] = -(xi[k] as number);
    }
    complexPlan(n).inverse(re, im);
    const out = new Float64Array(n);
    const scale = 1 / n;
    for (let t = 0; t < n; t++) out[t] = (re[t] as number) * scale;
    return out;
  }

  const h = n / 2;
  xi[h] = 0;
  const plan = realPlan(n);
  const cos = plan.cos;
  const sin = plan.sin;
  const zr = new Float64Array(h);
  const zi = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const ar = xr[k] as number;
    const ai = xi[k] as number;
    const br = xr[h - k] as number;
    const bi = xi[h - k] as number;
    // E = (X[k] + conj X[h-k]) / 2, O = (X[k] - conj X[h-k])·W^{-k} / 2, Z = E + i·O
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai - bi);
    const dr = 0.5 * (ar - br);
    const di = 0.5 * (ai + bi);
    const c = cos[k] as number;
    const s = sin[k] as number;
    const or = dr * c - di * s;
    const oi = dr * s + di * c;
    zr[k] = er - oi;
    zi[k] = ei + or;
  }
  plan.half.inverse(zr, zi);
  const out = new Float64Array(n);
  const scale = 1 / h;
  for (let t = 0; t < h; t++) {
    out[2 * t] = (zr[t] as number) * scale;
    out[2 * t + 1] = (zi[t] as number) * scale;
  }
  return out;
}

/**
 * `numpy.fft.rfftfreq(n, d=1/sampleRate)` with numpy's exact float64 arithmetic
 * (`val = 1.0 / (n * d)`, `freqs[k] = k * val`), so comparisons such as `freqs < 300` select the
 * same bins as in Python, including bins that land exactly on a band edge.
 *
 * @param n  signal length in samples, ≥ 1
 * @param sampleRate  Hz
 * @returns  `floor(n / 2) + 1` bin centre frequencies in Hz
 */
export function rfftFrequencies(n: number, sampleRate: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new ShapeError(
      "rfftFrequencies length",
      `n = ${n} is not a positive integer`,
      "pass the signal length in samples",
    );
  }
  const d = 1 / sampleRate;
  const val = 1.0 / (n * d);
  const freqs = new Float64Array(Math.floor(n / 2) + 1);
  for (let k = 0; k < freqs.length; k++) freqs[k] = k * val;
  return freqs;
}

// ---------------------------------------------------------------------------------------------
// Plans

/** A complex FFT of one length, in place on split arrays, unnormalised in both directions. */
interface ComplexPlan {
  forward(re: Float64Array, im: Float64Array): void;
  /** Σ X[k]·e^{+2πi·k·t/n}, NOT divided by n. */
  inverse(re: Float64Array, im: Float64Array): void;
}

/** A real FFT of even length n: a complex plan of length n/2 plus the length-n twiddles. */
interface RealPlan {
  readonly half: ComplexPlan;
  /** cos(2πk/n), sin(2πk/n) for k = 0..n/2. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const complexPlans = new Map<number, ComplexPlan>();
const realPlans = new Map<number, RealPlan>();

function cached<T>(cache: Map<number, T>, n: number, make: (n: number) => T): T {
  const hit = cache.get(n);
  if (hit !== undefined) {
    cache.delete(n);
    cache.set(n, hit);
    return hit;
  }
  const plan = make(n);
  cache.set(n, plan);
  if (cache.size > PLAN_CACHE_SIZE) {
    const oldest = cache.keys().next().value as number;
    cache.delete(oldest);
  }
  return plan;
}

function complexPlan(n: number): ComplexPlan {
  return cached(complexPlans, n, makeComplexPlan);
}

function realPlan(n: number): RealPlan {
  return cached(realPlans, n, (len) => {
    const h = len / 2;
    const cos = new Float64Array(h + 1);
    const sin = new Float64Array(h + 1);
    for (let k = 0; k <= h; k++) {
      const angle = (2 * Math.PI * k) / len;
      cos[k] = Math.cos(angle);
      sin[k] = Math.sin(angle);
    }
    return { half: complexPlan(h), cos, sin };
  });
}

function makeComplexPlan(n: number): ComplexPlan {
  const radices = factorize(n);
  const largest = radices.length === 0 ? 1 : Math.max(...radices);
  const plan = largest > BLUESTEIN_MIN_PRIME ? new BluesteinPlan(n) : new StockhamPlan(n, radices);
  return {
    forward: (re, im) => plan.forward(re, im),
    inverse: (re, im) => {
      // inverse(X) = conj(forward(conj X))
      for (let i = 0; i < n; i++) im[i] = -(im[i] as number);
      plan.forward(re, im);
      for (let i = 0; i < n; i++) im[i] = -(im[i] as number);
    },
  };
}

/** Radices in application order: 4s first, then a 2, then odd primes ascending. */
function factorize(n: number): number[] {
  const radices: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    radices.push(4);
    rest /= 4;
  }
  if (rest % 2 === 0) {
    radices.push(2);
    rest /= 2;
  }
  for (let p = 3; p * p <= rest; p += 2) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  if (rest > 1) radices.push(rest);
  return radices;
}

/**
 * Mixed-radix Stockham autosort FFT (decimation in frequency). Stage with radix p on a
 * sub-length `len` and stride `s` (len·s = n), m = len/p:
 *   y[q + s·(p·j + t)] = W_len^{j·t} · Σ_k x[q + s·(j + k·m)]·W_p^{t·k}
 * and the next stage continues with len/p, s·p, ping-ponging between two buffers.
 */
class StockhamPlan {
  private readonly n: number;
  private readonly radices: number[];
  /** e^{-2πi·k/n}, k < n */
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  /** Per odd radix p: cos/sin(2π·r/p), r < p. */
  private readonly oddTables = new Map<number, { cos: Float64Array; sin: Float64Array }>();
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  private readonly scratch: Float64Array;

  constructor(n: number, radices: number[]) {
    this.n = n;
    this.radices = radices;
    this.twRe = new Float64Array(n);
    this.twIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const angle = (2 * Math.PI * k) / n;
      this.twRe[k] = Math.cos(angle);
      this.twIm[k] = -Math.sin(angle);
    }
    let maxOdd = 0;
    for (const p of radices) {
      if (p % 2 === 1 && !this.oddTables.has(p)) {
        const cos = new Float64Array(p);
        const sin = new Float64Array(p);
        for (let r = 0; r < p; r++) {
          cos[r] = Math.cos((2 * Math.PI * r) / p);
          sin[r] = Math.sin((2 * Math.PI * r) / p);
        }
        this.oddTables.set(p, { cos, sin });
        maxOdd = Math.max(maxOdd, p);
      }
    }
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
    this.scratch = new Float64Array(4 * maxOdd);
  }

  forward(re: Float64Array, im: Float64Array): void {
    let xr = re;
    let xi = im;
    let yr = this.bufRe;
    let yi = this.bufIm;
    let len = this.n;
    let s = 1;
    for (const p of this.radices) {
      const stride = this.n / len; // W_len^e = W_n^{e·stride}
      if (p === 4) this.radix4(len, s, stride, xr, xi, yr, yi);
      else if (p === 2) this.radix2(len, s, stride, xr, xi, yr, yi);
      else if (p === 3) this.radix3(len, s, stride, xr, xi, yr, yi);
      else if (p === 5) this.radix5(len, s, stride, xr, xi, yr, yi);
      else if (p === 7) this.radix7(len, s, stride, xr, xi, yr, yi);
      else this.radixOdd(p, len, s, stride, xr, xi, yr, yi);
      [xr, yr] = [yr, xr];
      [xi, yi] = [yi, xi];
      len /= p;
      s *= p;
    }
    if (xr !== re) {
      re.set(xr);
      im.set(xi);
    }
  }

  private radix2(
    len: number,
    s: number,
    stride: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
  ): void {
    const m = len / 2;
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let j = 0; j < m; j++) {
      const wr = twRe[j * stride] as number;
      const wi = twIm[j * stride] as number;
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const i1 = i0 + s * m;
        const ar = xr[i0] as number,
          ai = xi[i0] as number;
        const br = xr[i1] as number,
          bi = xi[i1] as number;
        const o0 = q + s * 2 * j;
        const o1 = o0 + s;
        yr[o0] = ar + br;
        yi[o0] = ai + bi;
        const dr = ar - br,
          di = ai - bi;
        yr[o1] = dr * wr - di * wi;
        yi[o1] = dr * wi + di * wr;
      }
    }
  }

  private radix4(
    len: number,
    s: number,
    stride: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
  ): void {
    const m = len / 4;
    const twRe = this.twRe;
    const twIm = this.twIm;
    const sm = s * m;
    for (let j = 0; j < m; j++) {
      const e = j * stride;
      const w1r = twRe[e] as number,
        w1i = twIm[e] as number;
      const w2r = twRe[2 * e] as number,
        w2i = twIm[2 * e] as number;
      const w3r = twRe[3 * e] as number,
        w3i = twIm[3 * e] as number;
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0] as number,
          a0i = xi[i0] as number;
        const a1r = xr[i0 + sm] as number,
          a1i = xi[i0 + sm] as number;
        const a2r = xr[i0 + 2 * sm] as number,
          a2i = xi[i0 + 2 * sm] as number;
        const a3r = xr[i0 + 3 * sm] as number,
          a3i = xi[i0 + 3 * sm] as number;
        const t0r = a0r + a2r,
          t0i = a0i + a2i;
        const t1r = a0r - a2r,
          t1i = a0i - a2i;
        const t2r = a1r + a3r,
          t2i = a1i + a3i;
        const t3r = a1r - a3r,
          t3i = a1i - a3i;
        // b0 = t0 + t2, b2 = t0 - t2, b1 = t1 - i·t3, b3 = t1 + i·t3
        const b1r = t1r + t3i,
          b1i = t1i - t3r;
        const b2r = t0r - t2r,
          b2i = t0i - t2i;
        const b3r = t1r - t3i,
          b3i = t1i + t3r;
        const o0 = q + s * 4 * j;
        yr[o0] = t0r + t2r;
        yi[o0] = t0i + t2i;
        yr[o0 + s] = b1r * w1r - b1i * w1i;
        yi[o0 + s] = b1r * w1i + b1i * w1r;
        yr[o0 + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o0 + 2 * s] = b2r * w2i + b2i * w2r;
        yr[o0 + 3 * s] = b3r * w3r - b3i * w3i;
        yi[o0 + 3 * s] = b3r * w3i + b3i * w3r;
      }
    }
  }

  /** Radix 3: the odd-radix formula below with cos(2π/3) = -1/2, sin(2π/3) = √3/2 unrolled. */
  private radix3(
    len: number,
    s: number,
    stride: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
  ): void {
    const m = len / 3;
    const sm = s * m;
    const sin1 = Math.sqrt(3) / 2;
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let j = 0; j < m; j++) {
      const e = j * stride;
      const w1r = twRe[e] as number,
        w1i = twIm[e] as number;
      const w2r = twRe[2 * e] as number,
        w2i = twIm[2 * e] as number;
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0] as number,
          a0i = xi[i0] as number;
        const a1r = xr[i0 + sm] as number,
          a1i = xi[i0 + sm] as number;
        const a2r = xr[i0 + 2 * sm] as number,
          a2i = xi[i0 + 2 * sm] as number;
        const sr = a1r + a2r,
          si = a1i + a2i;
        const Ar = a0r - 0.5 * sr,
          Ai = a0i - 0.5 * si;
        const Br = sin1 * (a1r - a2r),
          Bi = sin1 * (a1i - a2i);
        const b1r = Ar + Bi,
          b1i = Ai - Br;
        const b2r = Ar - Bi,
          b2i = Ai + Br;
        const o0 = q + s * 3 * j;
        yr[o0] = a0r + sr;
        yi[o0] = a0i + si;
        yr[o0 + s] = b1r * w1r - b1i * w1i;
        yi[o0 + s] = b1r * w1i + b1i * w1r;
        yr[o0 + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o0 + 2 * s] = b2r * w2i + b2i * w2r;
      }
    }
  }

  /** Radix 5: the odd-radix formula below unrolled for p = 5. */
  private radix5(
    len: number,
    s: number,
    stride: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
  ): void {
    const m = len / 5;
    const sm = s * m;
    const c1 = Math.cos((2 * Math.PI) / 5),
      c2 = Math.cos((4 * Math.PI) / 5);
    const s1 = Math.sin((2 * Math.PI) / 5),
      s2 = Math.sin((4 * Math.PI) / 5);
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let j = 0; j < m; j++) {
      const e = j * stride;
      const w1r = twRe[e] as number,
        w1i = twIm[e] as number;
      const w2r = twRe[2 * e] as number,
        w2i = twIm[2 * e] as number;
      const w3r = twRe[3 * e] as number,
        w3i = twIm[3 * e] as number;
      const w4r = twRe[4 * e] as number,
        w4i = twIm[4 * e] as number;
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0] as number,
          a0i = xi[i0] as number;
        const a1r = xr[i0 + sm] as number,
          a1i = xi[i0 + sm] as number;
        const a2r = xr[i0 + 2 * sm] as number,
          a2i = xi[i0 + 2 * sm] as number;
        const a3r = xr[i0 + 3 * sm] as number,
          a3i = xi[i0 + 3 * sm] as number;
        const a4r = xr[i0 + 4 * sm] as number,
          a4i = xi[i0 + 4 * sm] as number;
        const s1r = a1r + a4r,
          s1i = a1i + a4i,
          d1r = a1r - a4r,
          d1i = a1i - a4i;
        const s2r = a2r + a3r,
          s2i = a2i + a3i,
          d2r = a2r - a3r,
          d2i = a2i - a3i;
        const A1r = a0r + c1 * s1r + c2 * s2r,
          A1i = a0i + c1 * s1i + c2 * s2i;
        const A2r = a0r + c2 * s1r + c1 * s2r,
          A2i = a0i + c2 * s1i + c1 * s2i;
        const B1r = s1 * d1r + s2 * d2r,
          B1i = s1 * d1i + s2 * d2i;
        const B2r = s2 * d1r - s1 * d2r,
          B2i = s2 * d1i - s1 * d2i;
        const b1r = A1r + B1i,
          b1i = A1i - B1r;
        const b4r = A1r - B1i,
          b4i = A1i + B1r;
        const b2r = A2r + B2i,
          b2i = A2i - B2r;
        const b3r = A2r - B2i,
          b3i = A2i + B2r;
        const o0 = q + s * 5 * j;
        yr[o0] = a0r + s1r + s2r;
        yi[o0] = a0i + s1i + s2i;
        yr[o0 + s] = b1r * w1r - b1i * w1i;
        yi[o0 + s] = b1r * w1i + b1i * w1r;
        yr[o0 + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o0 + 2 * s] = b2r * w2i + b2i * w2r;
        yr[o0 + 3 * s] = b3r * w3r - b3i * w3i;
        yi[o0 + 3 * s] = b3r * w3i + b3i * w3r;
        yr[o0 + 4 * s] = b4r * w4r - b4i * w4i;
        yi[o0 + 4 * s] = b4r * w4i + b4i * w4r;
      }
    }
  }

  /**
   * Radix 7: the odd-radix formula below unrolled for p = 7, reading the same table entries
   * (c_r, s_r = cos, sin(2πr/7) as tabulated) in the same order of additions, so the results are
   * the same bit for bit: A_t = a0 + Σ_k S_k c_{tk mod 7}, B_t = Σ_k D_k s_{tk mod 7}, k = 1..3.
   */
  private radix7(
    len: number,
    s: number,
    stride: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
  ): void {
    const m = len / 7;
    const sm = s * m;
    const table = this.oddTables.get(7);
    if (table === undefined) throw new Error("internal: no table for radix 7");
    const [, c1, c2, c3, c4, , c6] = table.cos as unknown as number[];
    const [, s1, s2, s3, s4, , s6] = table.sin as unknown as number[];
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let j = 0; j < m; j++) {
      const e = j * stride;
      const w1r = twRe[e] as number,
        w1i = twIm[e] as number;
      const w2r = twRe[2 * e] as number,
        w2i = twIm[2 * e] as number;
      const w3r = twRe[3 * e] as number,
        w3i = twIm[3 * e] as number;
      const w4r = twRe[4 * e] as number,
        w4i = twIm[4 * e] as number;
      const w5r = twRe[5 * e] as number,
        w5i = twIm[5 * e] as number;
      const w6r = twRe[6 * e] as number,
        w6i = twIm[6 * e] as number;
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0] as number,
          a0i = xi[i0] as number;
        const a1r = xr[i0 + sm] as number,
          a1i = xi[i0 + sm] as number;
        const a2r = xr[i0 + 2 * sm] as number,
          a2i = xi[i0 + 2 * sm] as number;
        const a3r = xr[i0 + 3 * sm] as number,
          a3i = xi[i0 + 3 * sm] as number;
        const a4r = xr[i0 + 4 * sm] as number,
          a4i = xi[i0 + 4 * sm] as number;
        const a5r = xr[i0 + 5 * sm] as number,
          a5i = xi[i0 + 5 * sm] as number;
        const a6r = xr[i0 + 6 * sm] as number,
          a6i = xi[i0 + 6 * sm] as number;
        const S1r = a1r + a6r,
          S1i = a1i + a6i,
          D1r = a1r - a6r,
          D1i = a1i - a6i;
        const S2r = a2r + a5r,
          S2i = a2i + a5i,
          D2r = a2r - a5r,
          D2i = a2i - a5i;
        const S3r = a3r + a4r,
          S3i = a3i + a4i,
          D3r = a3r - a4r,
          D3i = a3i - a4i;
        const o0 = q + s * 7 * j;
        yr[o0] = a0r + S1r + S2r + S3r;
        yi[o0] = a0i + S1i + S2i + S3i;
        const A1r = a0r + S1r * c1 + S2r * c2 + S3r * c3,
          A1i = a0i + S1i * c1 + S2i * c2 + S3i * c3;
        const B1r = D1r * s1 + D2r * s2 + D3r * s3,
          B1i = D1i * s1 + D2i * s2 + D3i * s3;
        const A2r = a0r + S1r * c2 + S2r * c4 + S3r * c6,
          A2i = a0i + S1i * c2 + S2i * c4 + S3i * c6;
        const B2r = D1r * s2 + D2r * s4 + D3r * s6,
          B2i = D1i * s2 + D2i * s4 + D3i * s6;
        const A3r = a0r + S1r * c3 + S2r * c6 + S3r * c2,
          A3i = a0i + S1i * c3 + S2i * c6 + S3i * c2;
        const B3r = D1r * s3 + D2r * s6 + D3r * s2,
          B3i = D1i * s3 + D2i * s6 + D3i * s2;
        // b_t = A_t − i·B_t, b_{7−t} = A_t + i·B_t, then the twiddles
        let br = A1r + B1i,
          bi = A1i - B1r;
        yr[o0 + s] = br * w1r - bi * w1i;
        yi[o0 + s] = br * w1i + bi * w1r;
        br = A1r - B1i;
        bi = A1i + B1r;
        yr[o0 + 6 * s] = br * w6r - bi * w6i;
        yi[o0 + 6 * s] = br * w6i + bi * w6r;
        br = A2r + B2i;
        bi = A2i - B2r;
        yr[o0 + 2 * s] = br * w2r - bi * w2i;
        yi[o0 + 2 * s] = br * w2i + bi * w2r;
        br = A2r - B2i;
        bi = A2i + B2r;
        yr[o0 + 5 * s] = br * w5r - bi * w5i;
        yi[o0 + 5 * s] = br * w5i + bi * w5r;
        br = A3r + B3i;
        bi = A3i - B3r;
        yr[o0 + 3 * s] = br * w3r - bi * w3i;
        yi[o0 + 3 * s] = br * w3i + bi * w3r;
        br = A3r - B3i;
        bi = A3i + B3r;
        yr[o0 + 4 * s] = br * w4r - bi * w4i;
        yi[o0 + 4 * s] = br * w4i + bi * w4r;
      }
    }
  }

  /**
   * Odd radix p with h = (p-1)/2 symmetric pairs: with S_k = a_k + a_{p-k}, D_k = a_k - a_{p-k},
   * b_t = A_t - i·B_t and b_{p-t} = A_t + i·B_t, where A_t = a_0 + Σ S_k cos(2πtk/p) and
   * B_t = Σ D_k sin(2πtk/p).
   */
  private radixOdd(
    p: number,
    len: number,
    s: number,
    stride: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
  ): void {
    const m = len / p;
    const h = (p - 1) / 2;
    const table = this.oddTables.get(p);
    if (table === undefined) throw new Error(`internal: no table for radix ${p}`);
    const cos = table.cos;
    const sin = table.sin;
    const twRe = this.twRe;
    const twIm = this.twIm;
    const scratch = this.scratch;
    // scratch layout: Sr[1..h], Si[1..h], Dr[1..h], Di[1..h] at offsets 0, p, 2p, 3p
    const oSi = p,
      oDr = 2 * p,
      oDi = 3 * p;
    const sm = s * m;
    for (let j = 0; j < m; j++) {
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0] as number,
          a0i = xi[i0] as number;
        let sumR = a0r,
          sumI = a0i;
        for (let k = 1; k <= h; k++) {
          const ar = xr[i0 + k * sm] as number,
            ai = xi[i0 + k * sm] as number;
          const br = xr[i0 + (p - k) * sm] as number,
            bi = xi[i0 + (p - k) * sm] as number;
          const sr = ar + br,
            si = ai + bi;
          scratch[k] = sr;
          scratch[oSi + k] = si;
          scratch[oDr + k] = ar - br;
          scratch[oDi + k] = ai - bi;
          sumR += sr;
          sumI += si;
        }
        const o0 = q + s * p * j;
        yr[o0] = sumR;
        yi[o0] = sumI;
        for (let t = 1; t <= h; t++) {
          let Ar = a0r,
            Ai = a0i,
            Br = 0,
            Bi = 0;
          let r = 0;
          for (let k = 1; k <= h; k++) {
            r += t;
            if (r >= p) r -= p;
            const c = cos[r] as number;
            const sn = sin[r] as number;
            Ar += (scratch[k] as number) * c;
            Ai += (scratch[oSi + k] as number) * c;
            Br += (scratch[oDr + k] as number) * sn;
            Bi += (scratch[oDi + k] as number) * sn;
          }
          // b_t = A - i·B, b_{p-t} = A + i·B
          const btr = Ar + Bi,
            bti = Ai - Br;
          const bur = Ar - Bi,
            bui = Ai + Br;
          const e1 = j * t * stride;
          const e2 = j * (p - t) * stride;
          const w1r = twRe[e1] as number,
            w1i = twIm[e1] as number;
          const w2r = twRe[e2] as number,
            w2i = twIm[e2] as number;
          yr[o0 + t * s] = btr * w1r - bti * w1i;
          yi[o0 + t * s] = btr * w1i + bti * w1r;
          yr[o0 + (p - t) * s] = bur * w2r - bui * w2i;
          yi[o0 + (p - t) * s] = bur * w2i + bui * w2r;
        }
      }
    }
  }
}

/**
 * Bluestein's chirp-z FFT for a length with a large prime factor:
 * X[k] = w[k]·Σ_t (x[t]·w[t])·conj(w[k-t]), w[t] = e^{-iπ·t²/n}, the convolution done with
 * FFTs of a length M ≥ 2n-1 with only the factors 2, 3 and 5. t² is reduced mod 2n before the angle is formed, so the
 * chirp stays accurate for large n. M is the smallest 2^a·3^b·5^c ≥ 2n-1 (at most ~1.2x above,
 * where a power of two can be 2x above), transformed by the Stockham plan.
 */
class BluesteinPlan {
  private readonly n: number;
  private readonly m: number;
  private readonly inner: StockhamPlan;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** FFT_M of the conjugate chirp filter, pre-scaled by 1/M. */
  private readonly filterRe: Float64Array;
  private readonly filterIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(n: number) {
    this.n = n;
    const m = smallestFiveSmooth(2 * n - 1);
    this.m = m;
    this.inner = new StockhamPlan(m, factorize(m));
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    const twoN = 2 * n;
    for (let t = 0; t < n; t++) {
      const r = (t * t) % twoN;
      const angle = (Math.PI * r) / n;
      this.chirpRe[t] = Math.cos(angle);
      this.chirpIm[t] = -Math.sin(angle);
    }
    this.filterRe = new Float64Array(m);
    this.filterIm = new Float64Array(m);
    this.filterRe[0] = 1;
    for (let t = 1; t < n; t++) {
      const cr = this.chirpRe[t] as number;
      const ci = -(this.chirpIm[t] as number);
      this.filterRe[t] = cr;
      this.filterIm[t] = ci;
      this.filterRe[m - t] = cr;
      this.filterIm[m - t] = ci;
    }
    this.inner.forward(this.filterRe, this.filterIm);
    for (let i = 0; i < m; i++) {
      this.filterRe[i] = (this.filterRe[i] as number) / m;
      this.filterIm[i] = (this.filterIm[i] as number) / m;
    }
    this.workRe = new Float64Array(m);
    this.workIm = new Float64Array(m);
  }

  forward(re: Float64Array, im: Float64Array): void {
    const { n, m, chirpRe, chirpIm, filterRe, filterIm, workRe, workIm } = this;
    workRe.fill(0);
    workIm.fill(0);
    for (let t = 0; t < n; t++) {
      const xr = re[t] as number,
        xi = im[t] as number;
      const cr = chirpRe[t] as number,
        ci = chirpIm[t] as number;
      workRe[t] = xr * cr - xi * ci;
      workIm[t] = xr * ci + xi * cr;
    }
    this.inner.forward(workRe, workIm);
    // multiply by the filter spectrum, then inverse via conj(forward(conj(.)))
    for (let i = 0; i < m; i++) {
      const ar = workRe[i] as number,
        ai = workIm[i] as number;
      const br = filterRe[i] as number,
        bi = filterIm[i] as number;
      workRe[i] = ar * br - ai * bi;
      workIm[i] = -(ar * bi + ai * br);
    }
    this.inner.forward(workRe, workIm);
    for (let k = 0; k < n; k++) {
      const yr = workRe[k] as number,
        yi = -(workIm[k] as number);
      const cr = chirpRe[k] as number,
        ci = chirpIm[k] as number;
      re[k] = yr * cr - yi * ci;
      im[k] = yr * ci + yi * cr;
    }
  }
}

/** The smallest integer ≥ target whose only prime factors are 2, 3 and 5. */
function smallestFiveSmooth(target: number): number {
  let best = 1;
  while (best < target) best *= 2;
  for (let p5 = 1; p5 < best; p5 *= 5) {
    for (let p35 = p5; p35 < best; p35 *= 3) {
      let candidate = p35;
      while (candidate < target) candidate *= 2;
      if (candidate < best) best = candidate;
    }
  }
  return best;
}
