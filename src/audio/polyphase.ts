import { besselI0, kernelAt, type KaiserSincKernel } from "./kaiser";
import { polyphaseInterior } from "./polyphaseKernel";

/** A signal together with the sample index its first element has (it may start before 0). */
export interface OffsetSignal {
  /** Samples, float64. */
  data: Float64Array;
  /** Index (on the signal's own sample grid) of data[0]; samples outside `data` are zero. */
  first: number;
}

/** Greatest common divisor of two positive integers. */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Rational-ratio resampling by direct polyphase filtering with a windowed-sinc kernel:
 * y[j] = sum_k x[k] h(j / toHz - k / fromHz). The kernel is tabulated once per output phase
 * (there are toHz / gcd(fromHz, toHz) phases; the last few tables are cached), so each output
 * sample costs one dot product of the kernel's length in input samples. Meant for short kernels
 * (wide transition bands).
 *
 * @param x  input at `fromHz`; x.data[i] is sample x.first + i
 * @param fromHz  input rate, Hz (positive integer)
 * @param toHz  output rate, Hz (positive integer)
 * @param kernel  low-pass kernel; its cut-off must be below both Nyquist frequencies where aliasing matters
 * @param firstOut  index of the first output sample to compute (output sample j is at time j / toHz)
 * @param count  number of output samples
 * @returns  output samples firstOut .. firstOut + count - 1, float64
 */
export function polyphaseResample(
  x: OffsetSignal,
  fromHz: number,
  toHz: number,
  kernel: KaiserSincKernel,
  firstOut: number,
  count: number,
): Float64Array {
  const { up, down, reach, width, table } = phaseTable(fromHz, toHz, kernel);
  const out = new Float64Array(count);
  const data = x.data;
  const n = data.length;
  // output j reads taps from data index k0(j) = floor(j·down / up) − reach + 1 − x.first, with
  // kernel phase p(j) = j·down mod up; (k0, p) advance by (qStep, pStep) per output, p carrying
  const qStep = Math.floor(down / up);
  const pStep = down - qStep * up;
  const k0At = (j: number): number => Math.floor((j * down) / up) - reach + 1 - x.first;
  // outputs whose taps all lie inside the data: k0 ≥ 0 and k0 + width ≤ n (k0 grows with j)
  let interiorStart = firstOut;
  while (interiorStart < firstOut + count && k0At(interiorStart) < 0) interiorStart++;
  let interiorEnd = Math.max(
    interiorStart,
    Math.min(firstOut + count, Math.ceil(((n - width + reach + x.first) * up) / down)),
  );
  while (interiorEnd > interiorStart && k0At(interiorEnd - 1) + width > n) interiorEnd--;
  while (interiorEnd < firstOut + count && k0At(interiorEnd) + width <= n) interiorEnd++;
  const interior = interiorEnd - interiorStart;
  const viaKernel =
    interior > 0 &&
    polyphaseInterior(
      data,
      table,
      width,
      up,
      k0At(interiorStart),
      (interiorStart * down) % up,
      qStep,
      pStep,
      interior,
      out,
      interiorStart - firstOut,
    );
  for (let j = firstOut; j < firstOut + count; j++) {
    if (viaKernel && j === interiorStart) {
      j = interiorEnd - 1;
      continue;
    }
    const k0 = k0At(j);
    const base = ((j * down) % up) * width;
    let acc = 0;
    if (k0 >= 0 && k0 + width <= n) {
      // width is even: two running sums (faster in V8, and a shorter dependency chain)
      let acc1 = 0;
      for (let t = 0; t < width; t += 2) {
        acc += (table[base + t] as number) * (data[k0 + t] as number);
        acc1 += (table[base + t + 1] as number) * (data[k0 + t + 1] as number);
      }
      acc += acc1;
    } else {
      const tEnd = Math.min(width, n - k0);
      for (let t = Math.max(0, -k0); t < tEnd; t++) acc += (table[base + t] as number) * (data[k0 + t] as number);
    }
    out[j - firstOut] = acc;
  }
  return out;
}

interface PhaseTable {
  /** L: output phases. */
  up: number;
  /** M: input samples advanced per L outputs. */
  down: number;
  /** Taps d = k - q for q = floor(j M / L) run over [-reach + 1, reach]. */
  reach: number;
  /** 2 * reach taps per phase. */
  width: number;
  /** `[up][width]` kernel values. */
  table: Float64Array;
}

// A data set is mostly at one or two rates: keep the last few tables.
const tables = new Map<string, PhaseTable>();
const TABLE_CACHE_SIZE = 8;

function phaseTable(fromHz: number, toHz: number, kernel: KaiserSincKernel): PhaseTable {
  const key = `${fromHz}/${toHz}/${kernel.cutoffHz}/${kernel.halfLengthSeconds}/${kernel.beta}`;
  const cached = tables.get(key);
  if (cached !== undefined) return cached;
  const g = gcd(fromHz, toHz);
  const up = toHz / g;
  const down = fromHz / g;
  const reach = Math.ceil(kernel.halfLengthSeconds * fromHz) + 1;
  const width = 2 * reach;
  const table = new Float64Array(up * width);
  const i0Beta = besselI0(kernel.beta);
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    for (let t = 0; t < width; t++) {
      const d = t - reach + 1;
      table[p * width + t] = kernelAt(kernel, (frac - d) / fromHz, fromHz, i0Beta);
    }
  }
  const entry = { up, down, reach, width, table };
  if (tables.size >= TABLE_CACHE_SIZE) tables.delete(tables.keys().next().value as string);
  tables.set(key, entry);
  return entry;
}
