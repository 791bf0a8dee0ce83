/**
 * sin/cos and atan2 for hot loops whose results are rounded to float32 (the phase vocoder),
 * written with plain float64 operations in an order that the time stretch's WebAssembly SIMD
 * kernel (augment/stretchKernel.ts) repeats exactly, so both give the same numbers bit for bit.
 * Accurate to a few units in the last place of a float64 (about 1e-16), so rounded to float32
 * they give the same values as `Math.cos`, `Math.sin`, `Math.atan2` except when the exact value
 * lies within ~1e-16 of a float32 rounding boundary (none in 300 000 random float32 arguments,
 * test/dsp.fastTrig.test.ts). sinCos is about 1.5x faster than Math.cos plus Math.sin in V8.
 */

/** π/2 split for Cody-Waite reduction: the first 33 bits, so n·PIO2_HI is exact for |n| < 2^20, and the rest. */
const PIO2_HI = 1.57079632673412561417;
const PIO2_LO = 6.07710050650619224932e-11;
const TWO_OVER_PI = 2 / Math.PI;
/** |angle| up to which the reduction above keeps its accuracy (|n| < 2^20). */
const SIN_COS_LIMIT = 2 ** 19 * Math.PI;

/**
 * `out[0] = cos(angle)`, `out[1] = sin(angle)`, for |angle| < 2^19·π (about 1.6 million rad);
 * beyond that (and for NaN or infinities) Math.cos / Math.sin are used.
 *
 * @param angle  radians
 * @param out  destination of length ≥ 2
 */
export function sinCos(angle: number, out: Float64Array): void {
  if (!(Math.abs(angle) < SIN_COS_LIMIT)) {
    out[0] = Math.cos(angle);
    out[1] = Math.sin(angle);
    return;
  }
  // angle = n·π/2 + r, |r| ≤ π/4 (n rounded as floor(x + 0.5), which SIMD code can repeat)
  const n = Math.floor(angle * TWO_OVER_PI + 0.5);
  const r = angle - n * PIO2_HI - n * PIO2_LO;
  const r2 = r * r;
  // Taylor series to r^17 and r^18: truncation error < 1e-19 for |r| ≤ π/4
  const s =
    r +
    r *
      r2 *
      (-1 / 6 +
        r2 *
          (1 / 120 +
            r2 *
              (-1 / 5040 +
                r2 *
                  (1 / 362880 +
                    r2 *
                      (-1 / 39916800 +
                        r2 * (1 / 6227020800 + r2 * (-1 / 1307674368000 + r2 * (1 / 355687428096000))))))));
  const c =
    1 -
    0.5 * r2 +
    r2 *
      r2 *
      (1 / 24 +
        r2 *
          (-1 / 720 +
            r2 *
              (1 / 40320 +
                r2 *
                  (-1 / 3628800 +
                    r2 *
                      (1 / 479001600 +
                        r2 * (-1 / 87178291200 + r2 * (1 / 20922789888000 + r2 * (-1 / 6402373705728000))))))));
  switch (n & 3) {
    case 0:
      out[0] = c;
      out[1] = s;
      break;
    case 1:
      out[0] = -s;
      out[1] = c;
      break;
    case 2:
      out[0] = -c;
      out[1] = -s;
      break;
    default:
      out[0] = s;
      out[1] = -c;
  }
}

/** atan(j/32), j = 0 .. 32: the table atan2 reduces its argument against. */
export const ATAN_STEPS = 32;
export const ATAN_TABLE = Float64Array.from({ length: ATAN_STEPS + 1 }, (_, j) => Math.atan(j / ATAN_STEPS));
const HALF_PI = Math.PI / 2;

/**
 * `Math.atan2(y, x)`: the angle of the point (x, y), radians in [−π, π], with the same signs and
 * special values (zeros, infinities and NaN are handed to Math.atan2).
 */
export function atan2(y: number, x: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if (!(ax > 0 && ay > 0 && ax < Infinity && ay < Infinity)) return Math.atan2(y, x);
  const t = Math.min(ax, ay) / Math.max(ax, ay); // (0, 1]
  // atan t = atan c + atan u, c = j/32 nearest to t, u = (t − c) / (1 + t·c), |u| ≤ 1/64
  const j = Math.floor(t * ATAN_STEPS + 0.5);
  const c = j * (1 / ATAN_STEPS);
  const u = (t - c) / (1 + t * c);
  const u2 = u * u;
  // Taylor series of atan u to u^11: truncation error < 1e-22 relative
  let a =
    (ATAN_TABLE[j] as number) + (u + u * u2 * (-1 / 3 + u2 * (1 / 5 + u2 * (-1 / 7 + u2 * (1 / 9 + u2 * (-1 / 11))))));
  if (ay > ax) a = HALF_PI - a;
  if (x < 0) a = Math.PI - a;
  return y < 0 ? -a : a;
}
