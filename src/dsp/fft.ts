import FFTJS = require("fft.js");
import { ConfigError } from "../errors";
import { loadedPffft, loadPffft, PFFFT_BACKWARD, PFFFT_FORWARD, PFFFT_REAL, type PffftModule } from "./pffft";

/**
 * Arithmetic precision of a real FFT.
 * - `"float64"`: fft.js (pure JS, radix-4), like numpy.fft.rfft which librosa uses; always
 *   available, synchronously.
 * - `"float32"`: PFFFT compiled to WebAssembly with SIMD (@echogarden/pffft-wasm), several
 *   times faster; needs one `await initFloat32Fft()` first (the WASM module loads asynchronously).
 */
export type FftPrecision = "float64" | "float32";

/**
 * A real-input FFT of one fixed power-of-two size `size`.
 *
 * Spectra are half spectra as numpy.fft.rfft returns them: bins k = 0 .. size/2 (size/2 + 1
 * values, DC and Nyquist included), bin k at k·sampleRate/size Hz, with the sign convention
 * `X[k] = Σ_n x[n] e^{-2πikn/size}` and no scaling.
 *
 * An instance keeps scratch state, so one instance must not be used from two places at once
 * (Node runs one call at a time, so this only matters for re-entrant code).
 */
export interface RealFft {
  /** Transform length, samples (a power of two). */
  readonly size: number;
  readonly precision: FftPrecision;
  /**
   * Forward transform of `input[0 .. size)` into `re` and `im` (each of length ≥ size/2 + 1).
   * The imaginary parts of DC and Nyquist are written as exactly 0.
   */
  forward(input: Float64Array | Float32Array, re: Float64Array, im: Float64Array): void;
  /** Power spectrum `|X[k]|²`, k = 0 .. size/2, of `input[0 .. size)` into `power` (length ≥ size/2 + 1). */
  forwardPower(input: Float64Array | Float32Array, power: Float64Array): void;
  /**
   * Power spectrum of `input[0 .. size)` times the periodic Hann window of length `size`
   * (`0.5 − 0.5 cos(2πn/size)`, see window.ts), into `power` (length ≥ size/2 + 1). The window is
   * applied in the frequency domain as the exact 3-tap kernel `W[k] = X[k]/2 − (X[k−1] + X[k+1])/4`,
   * which saves the time-domain multiply and lets the frame be copied straight from the signal.
   */
  forwardHannPower(input: Float64Array | Float32Array, power: Float64Array): void;
  /**
   * `forwardHannPower` of `count` frames at once, stored as float32: frame t is
   * `signal[origin + t·hop .. origin + t·hop + size)`, samples outside the signal taken as zeros
   * (so `origin = −size/2` gives librosa's centred, zero-padded first frame), and its power
   * spectrum goes to row t of `power`, `[count][size/2 + 1]`, starting at `power[t·(size/2 + 1)]`.
   * The float32 transform reads the frames straight from one copy of the signal in WebAssembly
   * memory (no copy per frame when `hop` is a multiple of 4).
   *
   * @param hop  samples between frame starts, ≥ 1
   */
  framesHannPower(signal: Float32Array, origin: number, hop: number, count: number, power: Float32Array): void;
  /**
   * Inverse of a half spectrum, as numpy.fft.irfft(X, n=size): the imaginary parts of DC and
   * Nyquist are ignored and the result is scaled by 1/size, so `inverse(forward(x)) = x`.
   */
  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void;
  /** Free the WebAssembly memory of a float32 transform (no-op for float64). Unusable afterwards. */
  dispose(): void;
}

/** True when `n` is a power of two ≥ 2. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && Number.isInteger(Math.log2(n));
}

function checkSize(size: number, minimum: number): void {
  if (!isPowerOfTwo(size) || size < minimum) {
    throw new ConfigError(
      `FFT size ${size}`,
      `the FFT needs a power of two ≥ ${minimum}`,
      "use an nFft such as 512, 1024 or 2048",
    );
  }
}

/**
 * `out[outOffset + i] = signal[start + i]` for i < length, zero where `start + i` falls outside
 * the signal.
 */
function copyFrameWithZeros(
  signal: Float32Array,
  start: number,
  out: Float64Array | Float32Array,
  outOffset: number,
  length: number,
): void {
  const lo = Math.min(length, Math.max(0, -start));
  const hi = Math.max(lo, Math.min(length, signal.length - start));
  out.fill(0, outOffset, outOffset + lo);
  if (hi > lo) out.set(signal.subarray(start + lo, start + hi), outOffset + lo);
  out.fill(0, outOffset + hi, outOffset + length);
}

/** float64 real FFT on fft.js. */
class Float64RealFft implements RealFft {
  readonly precision = "float64" as const;
  private readonly fft: FFTJS;
  /** Complex transform of size/2 points for the inverse (a real inverse FFT as one half-size complex one). */
  private readonly halfFft: FFTJS;
  private readonly spectrum: Float64Array; // interleaved complex, 2·size
  private readonly packed: Float64Array; // interleaved complex, size/2 points (inverse input)
  private readonly signal: Float64Array; // interleaved complex, size/2 points (inverse output)
  /** cos and sin of 2πk/size, k < size/2. */
  private readonly twiddleCos: Float64Array;
  private readonly twiddleSin: Float64Array;
  private readonly input64: Float64Array;
  private rowPower: Float64Array | undefined;

  constructor(readonly size: number) {
    checkSize(size, 4);
    this.fft = new FFTJS(size);
    this.halfFft = new FFTJS(size >> 1);
    this.spectrum = new Float64Array(2 * size);
    this.packed = new Float64Array(size);
    this.signal = new Float64Array(size);
    this.input64 = new Float64Array(size);
    const half = size >> 1;
    this.twiddleCos = new Float64Array(half);
    this.twiddleSin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.twiddleCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.twiddleSin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  private transform(input: Float64Array | Float32Array): Float64Array {
    let data: Float64Array | Float32Array = input;
    if (input.length !== this.size) {
      data = this.input64;
      data.set(input.subarray(0, this.size));
    }
    this.fft.realTransform(this.spectrum, data); // fft.js reads any indexable input
    return this.spectrum;
  }

  forward(input: Float64Array | Float32Array, re: Float64Array, im: Float64Array): void {
    const s = this.transform(input);
    const half = this.size >> 1;
    for (let k = 0; k <= half; k++) {
      re[k] = s[2 * k] as number;
      im[k] = s[2 * k + 1] as number;
    }
    im[0] = 0;
    im[half] = 0;
  }

  forwardPower(input: Float64Array | Float32Array, power: Float64Array): void {
    const s = this.transform(input);
    const half = this.size >> 1;
    const s0 = s[0] as number;
    const sh = s[2 * half] as number;
    power[0] = s0 * s0;
    for (let k = 1; k < half; k++) {
      const r = s[2 * k] as number;
      const i = s[2 * k + 1] as number;
      power[k] = r * r + i * i;
    }
    power[half] = sh * sh;
  }

  forwardHannPower(input: Float64Array | Float32Array, power: Float64Array): void {
    const s = this.transform(input);
    const half = this.size >> 1;
    let rPrev = s[2] as number; // X[-1] = conj(X[1])
    let iPrev = -(s[3] as number);
    let rCur = s[0] as number;
    let iCur = 0;
    for (let k = 0; k < half; k++) {
      const rNext = s[2 * k + 2] as number;
      const iNext = k + 1 === half ? 0 : (s[2 * k + 3] as number);
      const wr = 0.5 * rCur - 0.25 * (rPrev + rNext);
      const wi = 0.5 * iCur - 0.25 * (iPrev + iNext);
      power[k] = wr * wr + wi * wi;
      rPrev = rCur;
      iPrev = iCur;
      rCur = rNext;
      iCur = iNext;
    }
    // X[half + 1] = conj(X[half - 1]); the imaginary parts cancel
    const wr = 0.5 * rCur - 0.5 * rPrev;
    power[half] = wr * wr;
  }

  framesHannPower(signal: Float32Array, origin: number, hop: number, count: number, power: Float32Array): void {
    const size = this.size;
    const bins = (size >> 1) + 1;
    const frame = this.input64;
    const row = (this.rowPower ??= new Float64Array(bins));
    for (let t = 0; t < count; t++) {
      copyFrameWithZeros(signal, origin + t * hop, frame, 0, size);
      this.forwardHannPower(frame, row);
      const o = t * bins;
      for (let k = 0; k < bins; k++) power[o + k] = row[k] as number;
    }
  }

  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    // x[2t] + i·x[2t+1] = z[t], the inverse complex transform of size h = size/2 of
    // Z[k] = E[k] + i·O[k], E = (X[k] + conj X[h−k]) / 2, O = (X[k] − conj X[h−k])·e^{2πik/size} / 2;
    // DC and Nyquist are taken as real (numpy's irfft ignores their imaginary parts)
    const h = this.size >> 1;
    const z = this.packed;
    const cos = this.twiddleCos;
    const sin = this.twiddleSin;
    for (let k = 0; k < h; k++) {
      const ar = re[k] as number;
      const ai = k === 0 ? 0 : (im[k] as number);
      const br = re[h - k] as number;
      const bi = k === 0 ? 0 : -(im[h - k] as number); // conj X[h−k]; X[h] is real
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const dr = 0.5 * (ar - br);
      const di = 0.5 * (ai - bi);
      const c = cos[k] as number;
      const s = sin[k] as number;
      const or = dr * c - di * s;
      const oi = dr * s + di * c;
      z[2 * k] = er - oi;
      z[2 * k + 1] = ei + or;
    }
    this.halfFft.inverseTransform(this.signal, z); // fft.js scales its inverse by 1/h
    const sig = this.signal;
    for (let t = 0; t < this.size; t++) output[t] = sig[t] as number;
  }

  dispose(): void {
    // nothing native to free
  }
}

// ---------------------------------------------------------------------------------------------
// float32: PFFFT in WebAssembly

/**
 * Load the WebAssembly float32 FFT (PFFFT, SIMD build; the scalar build if the runtime lacks
 * WASM SIMD). Call once and await before creating `"float32"` transforms synchronously; later
 * calls return the same promise. Rejects with a ConfigError if neither build loads.
 */
export function initFloat32Fft(): Promise<void> {
  return loadPffft().then(
    () => undefined,
    (error: unknown) => {
      throw new ConfigError(
        "@echogarden/pffft-wasm",
        `the WebAssembly FFT did not load (${String(error)})`,
        'run npm install, or use fft: "float64"',
      );
    },
  );
}

/** True once `initFloat32Fft()` has completed, i.e. `"float32"` transforms can be created synchronously. */
export function isFloat32FftReady(): boolean {
  return loadedPffft() !== null;
}

/**
 * Power of the periodic-Hann-windowed spectrum (see `RealFft.forwardHannPower`) from a PFFFT
 * ordered real spectrum of `2·half` floats at `spec[base]`
 * (`[X0.re, X(half).re, X1.re, X1.im, ...]`), stored to `power[row .. row + half]`.
 */
function hannPowerFromOrdered(
  spec: Float32Array,
  base: number,
  half: number,
  power: Float32Array | Float64Array,
  row: number,
): void {
  let rPrev = spec[base + 2] as number; // X[-1] = conj(X[1])
  let iPrev = -(spec[base + 3] as number);
  let rCur = spec[base] as number;
  let iCur = 0;
  for (let k = 0; k < half - 1; k++) {
    const rNext = spec[base + 2 * k + 2] as number;
    const iNext = spec[base + 2 * k + 3] as number;
    const wr = 0.5 * rCur - 0.25 * (rPrev + rNext);
    const wi = 0.5 * iCur - 0.25 * (iPrev + iNext);
    power[row + k] = wr * wr + wi * wi;
    rPrev = rCur;
    iPrev = iCur;
    rCur = rNext;
    iCur = iNext;
  }
  const rHalf = spec[base + 1] as number; // Nyquist, real
  const wrLast = 0.5 * rCur - 0.25 * (rPrev + rHalf);
  const wiLast = 0.5 * iCur - 0.25 * iPrev;
  power[row + half - 1] = wrLast * wrLast + wiLast * wiLast;
  const wrHalf = 0.5 * rHalf - 0.5 * rCur; // X[half + 1] = conj(X[half - 1])
  power[row + half] = wrHalf * wrHalf;
}

/**
 * float32 real FFT on PFFFT (WebAssembly). Its ordered real spectrum layout is
 * `[X0.re, X(size/2).re, X1.re, X1.im, X2.re, X2.im, ...]` in `size` floats.
 */
class Float32RealFft implements RealFft {
  readonly precision = "float32" as const;
  private setup: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly workPtr: number;
  /** framesHannPower's copy of the signal in WebAssembly memory, and its capacity in floats. */
  private framesPtr = 0;
  private framesCapacity = 0;

  constructor(
    private readonly m: PffftModule,
    readonly size: number,
  ) {
    const simd = m._pffft_simd_size();
    checkSize(size, Math.max(4, 2 * simd * simd));
    this.setup = m._pffft_new_setup(size, PFFFT_REAL);
    if (this.setup === 0)
      throw new ConfigError(`FFT size ${size}`, "PFFFT could not set up this size", 'use fft: "float64"');
    const bytes = 4 * size;
    this.inPtr = m._pffft_aligned_malloc(bytes);
    this.outPtr = m._pffft_aligned_malloc(bytes);
    this.workPtr = m._pffft_aligned_malloc(bytes);
  }

  /**
   * Copy `input` into WASM memory and run the forward transform; returns the heap view (re-read each call: the
   * memory may have grown).
   */
  private run(input: Float64Array | Float32Array): Float32Array {
    if (this.setup === 0) throw new Error("this FFT was disposed");
    const m = this.m;
    const heap = m.HEAPF32;
    heap.set(input.length === this.size ? input : input.subarray(0, this.size), this.inPtr >> 2);
    m._pffft_transform_ordered(this.setup, this.inPtr, this.outPtr, this.workPtr, PFFFT_FORWARD);
    return heap;
  }

  forward(input: Float64Array | Float32Array, re: Float64Array, im: Float64Array): void {
    const heap = this.run(input);
    const b = this.outPtr >> 2;
    const half = this.size >> 1;
    re[0] = heap[b] as number;
    im[0] = 0;
    for (let k = 1; k < half; k++) {
      re[k] = heap[b + 2 * k] as number;
      im[k] = heap[b + 2 * k + 1] as number;
    }
    re[half] = heap[b + 1] as number;
    im[half] = 0;
  }

  forwardPower(input: Float64Array | Float32Array, power: Float64Array): void {
    const heap = this.run(input);
    const b = this.outPtr >> 2;
    const half = this.size >> 1;
    const d = heap[b] as number;
    power[0] = d * d;
    for (let k = 1; k < half; k++) {
      const r = heap[b + 2 * k] as number;
      const i = heap[b + 2 * k + 1] as number;
      power[k] = r * r + i * i;
    }
    const ny = heap[b + 1] as number;
    power[half] = ny * ny;
  }

  forwardHannPower(input: Float64Array | Float32Array, power: Float64Array): void {
    hannPowerFromOrdered(this.run(input), this.outPtr >> 2, this.size >> 1, power, 0);
  }

  framesHannPower(signal: Float32Array, origin: number, hop: number, count: number, power: Float32Array): void {
    if (this.setup === 0) throw new Error("this FFT was disposed");
    if (count <= 0) return;
    const m = this.m;
    const size = this.size;
    const bins = (size >> 1) + 1;
    const span = (count - 1) * hop + size;
    if (this.framesCapacity < span) {
      if (this.framesPtr !== 0) m._pffft_aligned_free(this.framesPtr);
      this.framesPtr = m._pffft_aligned_malloc(4 * span);
      this.framesCapacity = span;
    }
    const heap = m.HEAPF32; // read after the allocation, which may grow the memory
    const framesBase = this.framesPtr >> 2;
    copyFrameWithZeros(signal, origin, heap, framesBase, span);
    // PFFFT's SIMD code needs 16-byte aligned input: frames are read in place when every frame
    // start is aligned, else each one is first moved to the aligned input buffer
    const inPlace = (hop & 3) === 0;
    const inBase = this.inPtr >> 2;
    const outBase = this.outPtr >> 2;
    for (let t = 0; t < count; t++) {
      let input = this.inPtr;
      if (inPlace) input = this.framesPtr + 4 * t * hop;
      else heap.copyWithin(inBase, framesBase + t * hop, framesBase + t * hop + size);
      m._pffft_transform_ordered(this.setup, input, this.outPtr, this.workPtr, PFFFT_FORWARD);
      hannPowerFromOrdered(heap, outBase, size >> 1, power, t * bins);
    }
  }

  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    if (this.setup === 0) throw new Error("this FFT was disposed");
    const m = this.m;
    const n = this.size;
    const half = n >> 1;
    let heap = m.HEAPF32;
    const inBase = this.inPtr >> 2;
    heap[inBase] = re[0] as number;
    heap[inBase + 1] = re[half] as number;
    for (let k = 1; k < half; k++) {
      heap[inBase + 2 * k] = re[k] as number;
      heap[inBase + 2 * k + 1] = im[k] as number;
    }
    m._pffft_transform_ordered(this.setup, this.inPtr, this.outPtr, this.workPtr, PFFFT_BACKWARD);
    heap = m.HEAPF32;
    const outBase = this.outPtr >> 2;
    const scale = 1 / n;
    for (let t = 0; t < n; t++) output[t] = (heap[outBase + t] as number) * scale;
  }

  dispose(): void {
    if (this.setup === 0) return;
    const m = this.m;
    m._pffft_destroy_setup(this.setup);
    m._pffft_aligned_free(this.inPtr);
    m._pffft_aligned_free(this.outPtr);
    m._pffft_aligned_free(this.workPtr);
    if (this.framesPtr !== 0) m._pffft_aligned_free(this.framesPtr);
    this.framesPtr = 0;
    this.framesCapacity = 0;
    this.setup = 0;
  }
}

/**
 * A real FFT of `size` samples (a power of two), synchronously.
 *
 * `"float32"` needs `await initFloat32Fft()` to have completed first (else a ConfigError says
 * so); use `createRealFftAsync` to do both. PFFFT also needs size ≥ 32.
 */
export function createRealFft(size: number, precision: FftPrecision = "float64"): RealFft {
  if (precision === "float64") return new Float64RealFft(size);
  const pffft = loadedPffft();
  if (pffft === null) {
    throw new ConfigError(
      'fft: "float32"',
      "the WebAssembly FFT is not loaded yet",
      'await initFloat32Fft() once before creating float32 transforms, or use fft: "float64"',
    );
  }
  return new Float32RealFft(pffft.module, size);
}

/** A real FFT of `size` samples, loading the WebAssembly module first if `precision` is `"float32"`. */
export async function createRealFftAsync(size: number, precision: FftPrecision = "float64"): Promise<RealFft> {
  if (precision === "float32") await initFloat32Fft();
  return createRealFft(size, precision);
}
