import { ATAN_STEPS, ATAN_TABLE } from "../dsp/fastTrig";
import { PFFFT_BACKWARD, PFFFT_REAL, type PffftRuntime } from "../dsp/pffft";
import { assembleWat } from "../dsp/watAssembler";

/**
 * The per-bin arithmetic of the time stretch (timeStretch.ts) as a hand-written WebAssembly SIMD
 * kernel, two bins per f64x2: `polar` (|X| and atan2 of an analysis column) and `vocoder` (one
 * output column of the phase vocoder and the phase accumulator's advance). Every operation is
 * the one the JavaScript path does, in the same order: atan2 and sin/cos are dsp/fastTrig.ts's
 * (table and Taylor polynomials, rounding as floor(x + 0.5)), float32 rounding is a demote and
 * promote, numpy.round is f64x2.nearest (ties to even). So both paths give the same numbers bit
 * for bit (test/timeStretch.test.ts). Zeros, infinities and NaN go to Math.atan2, and phases
 * beyond the sin/cos reduction's range to Math.cos / Math.sin, through imported functions.
 *
 * Columns hold PADDED_BINS = bins + 1 values (an even count); the extra bin is kept finite.
 */

/** sin/cos argument reduction and polynomials: the constants of dsp/fastTrig.ts. */
const PIO2_HI = 1.57079632673412561417;
const PIO2_LO = 6.07710050650619224932e-11;
const SIN_COS_LIMIT = 2 ** 19 * Math.PI;
const SIN = [
  -1 / 6,
  1 / 120,
  -1 / 5040,
  1 / 362880,
  -1 / 39916800,
  1 / 6227020800,
  -1 / 1307674368000,
  1 / 355687428096000,
];
const COS = [
  1 / 24,
  -1 / 720,
  1 / 40320,
  -1 / 3628800,
  1 / 479001600,
  -1 / 87178291200,
  1 / 20922789888000,
  -1 / 6402373705728000,
];
const ATAN = [-1 / 3, 1 / 5, -1 / 7, 1 / 9, -1 / 11];

/** `v128.const f64x2 x x` with x written so that it parses back to the same double. */
function splat(x: number): string {
  return `v128.const f64x2 ${x} ${x}`;
}

/** Horner evaluation c[0] + r2·(c[1] + r2·(... + r2·c[last])), innermost first, with `$r2` in a local. */
function horner(coefficients: number[], r2: string): string {
  const last = coefficients.length - 1;
  let code = `local.get ${r2}\n${splat(coefficients[last] as number)}\nf64x2.mul\n`;
  for (let i = last - 1; i >= 1; i--)
    code += `${splat(coefficients[i] as number)}\nf64x2.add\nlocal.get ${r2}\nf64x2.mul\n`;
  return `${code}${splat(coefficients[0] as number)}\nf64x2.add\n`;
}

const STRETCH_WAT = String.raw`
(module
  (import "env" "atan2" (func $atan2_js (param f64 f64) (result f64)))
  (import "env" "cos" (func $cos_js (param f64) (result f64)))
  (import "env" "sin" (func $sin_js (param f64) (result f64)))
  (import "env" "memory" (memory 0))

  ;; |X| and angle(X) of $pairs·2 bins: re, im float64 in; mag, ang float32 out (of the float32
  ;; parts, as numpy on complex64). $table: atan(j/32), j = 0..32, float64.
  (func $polar (export "polar")
    (param $re i32) (param $im i32) (param $pairs i32) (param $mag i32) (param $ang i32) (param $table i32)
    (local $x v128) (local $y v128) (local $ax v128) (local $ay v128) (local $t v128) (local $j v128)
    (local $c v128) (local $u v128) (local $u2 v128) (local $a v128) (local $ji v128) (local $ok v128)
    loop $pair
      local.get $re
      v128.load align=8
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.set $x
      local.get $im
      v128.load align=8
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.set $y
      ;; mag = sqrt(x² + y²), stored as float32
      local.get $mag
      local.get $x
      local.get $x
      f64x2.mul
      local.get $y
      local.get $y
      f64x2.mul
      f64x2.add
      f64x2.sqrt
      f32x4.demote_f64x2_zero
      i64x2.extract_lane 0
      i64.store align=4
      ;; t = min/max of |x|, |y|; j = floor(32 t + 0.5); c = j/32; u = (t − c) / (1 + t·c)
      local.get $x
      f64x2.abs
      local.set $ax
      local.get $y
      f64x2.abs
      local.set $ay
      local.get $ax
      local.get $ay
      f64x2.min
      local.get $ax
      local.get $ay
      f64x2.max
      f64x2.div
      local.set $t
      local.get $t
      ${splat(ATAN_STEPS)}
      f64x2.mul
      ${splat(0.5)}
      f64x2.add
      f64x2.floor
      local.tee $j
      ${splat(1 / ATAN_STEPS)}
      f64x2.mul
      local.set $c
      local.get $t
      local.get $c
      f64x2.sub
      ${splat(1)}
      local.get $t
      local.get $c
      f64x2.mul
      f64x2.add
      f64x2.div
      local.tee $u
      local.get $u
      f64x2.mul
      local.set $u2
      ;; atan(j/32) of each lane from the table
      local.get $j
      i32x4.trunc_sat_f64x2_s_zero
      local.set $ji
      local.get $table
      local.get $ji
      i32x4.extract_lane 0
      i32.const 3
      i32.shl
      i32.add
      f64.load
      f64x2.splat
      local.get $table
      local.get $ji
      i32x4.extract_lane 1
      i32.const 3
      i32.shl
      i32.add
      f64.load
      f64x2.replace_lane 1
      ;; + (u + u·u2·P(u2))
      local.get $u
      local.get $u
      local.get $u2
      f64x2.mul
      ${horner(ATAN, "$u2")}
      f64x2.mul
      f64x2.add
      f64x2.add
      local.set $a
      ;; octant and quadrant
      ${splat(Math.PI / 2)}
      local.get $a
      f64x2.sub
      local.get $a
      local.get $ay
      local.get $ax
      f64x2.gt
      v128.bitselect
      local.set $a
      ${splat(Math.PI)}
      local.get $a
      f64x2.sub
      local.get $a
      local.get $x
      ${splat(0)}
      f64x2.lt
      v128.bitselect
      local.set $a
      local.get $a
      f64x2.neg
      local.get $a
      local.get $y
      ${splat(0)}
      f64x2.lt
      v128.bitselect
      local.set $a
      ;; zeros, infinities, NaN: Math.atan2
      local.get $ax
      ${splat(0)}
      f64x2.gt
      local.get $ay
      ${splat(0)}
      f64x2.gt
      v128.and
      local.get $ax
      ${splat(Infinity)}
      f64x2.lt
      v128.and
      local.get $ay
      ${splat(Infinity)}
      f64x2.lt
      v128.and
      local.tee $ok
      i64x2.all_true
      i32.eqz
      if
        local.get $ok
        i64x2.extract_lane 0
        i64.eqz
        if
          local.get $a
          local.get $y
          f64x2.extract_lane 0
          local.get $x
          f64x2.extract_lane 0
          call $atan2_js
          f64x2.replace_lane 0
          local.set $a
        end
        local.get $ok
        i64x2.extract_lane 1
        i64.eqz
        if
          local.get $a
          local.get $y
          f64x2.extract_lane 1
          local.get $x
          f64x2.extract_lane 1
          call $atan2_js
          f64x2.replace_lane 1
          local.set $a
        end
      end
      local.get $ang
      local.get $a
      f32x4.demote_f64x2_zero
      i64x2.extract_lane 0
      i64.store align=4
      local.get $re
      i32.const 16
      i32.add
      local.set $re
      local.get $im
      i32.const 16
      i32.add
      local.set $im
      local.get $mag
      i32.const 8
      i32.add
      local.set $mag
      local.get $ang
      i32.const 8
      i32.add
      local.set $ang
      local.get $pairs
      i32.const 1
      i32.sub
      local.tee $pairs
      br_if $pair
    end
  )

  ;; One phase-vocoder column of $pairs·2 bins from the polar rows at $mag, $ang and the next rows
  ;; ($rowBytes further): re, im (float64 holding float32 values) out, float32 phase updated.
  (func $vocoder (export "vocoder")
    (param $mag i32) (param $ang i32) (param $rowBytes i32) (param $pairs i32) (param $w0 f64) (param $w1 f64)
    (param $advance i32) (param $phase i32) (param $re i32) (param $im i32)
    (local $vw0 v128) (local $vw1 v128) (local $m v128) (local $p v128) (local $n v128) (local $r v128) (local $r2 v128)
    (local $s v128) (local $c v128) (local $q v128) (local $swap v128)
    (local $cos v128) (local $sin v128) (local $a v128) (local $d v128)
    (local $inRange v128)
    local.get $w0
    f64x2.splat
    local.set $vw0
    local.get $w1
    f64x2.splat
    local.set $vw1
    loop $pair
      ;; m = fround(fround(w0·mag0) + fround(w1·mag1))
      local.get $mag
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      local.get $vw0
      f64x2.mul
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.get $mag
      local.get $rowBytes
      i32.add
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      local.get $vw1
      f64x2.mul
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      f64x2.add
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.set $m
      ;; sin and cos of the phase p: p = n·π/2 + r, n = floor(p·2/π + 0.5)
      local.get $phase
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      local.tee $p
      ${splat(2 / Math.PI)}
      f64x2.mul
      ${splat(0.5)}
      f64x2.add
      f64x2.floor
      local.set $n
      local.get $p
      local.get $n
      ${splat(PIO2_HI)}
      f64x2.mul
      f64x2.sub
      local.get $n
      ${splat(PIO2_LO)}
      f64x2.mul
      f64x2.sub
      local.tee $r
      local.get $r
      f64x2.mul
      local.set $r2
      ;; s = r + r·r2·S(r2)
      local.get $r
      local.get $r
      local.get $r2
      f64x2.mul
      ${horner(SIN, "$r2")}
      f64x2.mul
      f64x2.add
      local.set $s
      ;; c = (1 − 0.5·r2) + r2·r2·C(r2)
      ${splat(1)}
      ${splat(0.5)}
      local.get $r2
      f64x2.mul
      f64x2.sub
      local.get $r2
      local.get $r2
      f64x2.mul
      ${horner(COS, "$r2")}
      f64x2.mul
      f64x2.add
      local.set $c
      ;; quadrant q = n mod 4 as 64-bit lanes: cos = (c, −s, −c, s), sin = (s, c, −s, −c)
      local.get $n
      i32x4.trunc_sat_f64x2_s_zero
      i64x2.extend_low_i32x4_s
      local.tee $q
      v128.const i32x4 1 0 1 0
      v128.and
      i64x2.neg
      local.set $swap
      local.get $s
      local.get $c
      local.get $swap
      v128.bitselect
      local.get $q
      v128.const i32x4 1 0 1 0
      i64x2.add
      v128.const i32x4 2 0 2 0
      v128.and
      i32.const 62
      i64x2.shl
      v128.xor
      local.set $cos
      local.get $c
      local.get $s
      local.get $swap
      v128.bitselect
      local.get $q
      v128.const i32x4 2 0 2 0
      v128.and
      i32.const 62
      i64x2.shl
      v128.xor
      local.set $sin
      ;; phases beyond the reduction's range (or not finite): Math.cos, Math.sin
      local.get $p
      f64x2.abs
      ${splat(SIN_COS_LIMIT)}
      f64x2.lt
      local.tee $inRange
      i64x2.all_true
      i32.eqz
      if
        local.get $inRange
        i64x2.extract_lane 0
        i64.eqz
        if
          local.get $cos
          local.get $p
          f64x2.extract_lane 0
          call $cos_js
          f64x2.replace_lane 0
          local.set $cos
          local.get $sin
          local.get $p
          f64x2.extract_lane 0
          call $sin_js
          f64x2.replace_lane 0
          local.set $sin
        end
        local.get $inRange
        i64x2.extract_lane 1
        i64.eqz
        if
          local.get $cos
          local.get $p
          f64x2.extract_lane 1
          call $cos_js
          f64x2.replace_lane 1
          local.set $cos
          local.get $sin
          local.get $p
          f64x2.extract_lane 1
          call $sin_js
          f64x2.replace_lane 1
          local.set $sin
        end
      end
      ;; re = fround(fround(cos)·m), im = fround(fround(sin)·m)
      local.get $re
      local.get $cos
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.get $m
      f64x2.mul
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      v128.store align=8
      local.get $im
      local.get $sin
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.get $m
      f64x2.mul
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      v128.store align=8
      ;; d = fround(ang1 − ang0) − a; d −= 2π·round(d / 2π); phase = fround(p + (a + d))
      local.get $advance
      v128.load align=8
      local.set $a
      local.get $ang
      local.get $rowBytes
      i32.add
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      local.get $ang
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      f64x2.sub
      f32x4.demote_f64x2_zero
      f64x2.promote_low_f32x4
      local.get $a
      f64x2.sub
      local.tee $d
      ${splat(2 * Math.PI)}
      local.get $d
      ${splat(2 * Math.PI)}
      f64x2.div
      f64x2.nearest
      f64x2.mul
      f64x2.sub
      local.set $d
      local.get $phase
      local.get $p
      local.get $a
      local.get $d
      f64x2.add
      f64x2.add
      f32x4.demote_f64x2_zero
      i64x2.extract_lane 0
      i64.store align=4
      local.get $mag
      i32.const 8
      i32.add
      local.set $mag
      local.get $ang
      i32.const 8
      i32.add
      local.set $ang
      local.get $advance
      i32.const 16
      i32.add
      local.set $advance
      local.get $phase
      i32.const 8
      i32.add
      local.set $phase
      local.get $re
      i32.const 16
      i32.add
      local.set $re
      local.get $im
      i32.const 16
      i32.add
      local.set $im
      local.get $pairs
      i32.const 1
      i32.sub
      local.tee $pairs
      br_if $pair
    end
  )

  ;; PFFFT's ordered input [X0.re, X(half).re, X1.re, X1.im, ...] (float32) from the float64
  ;; re, im columns (bins 0 .. half), as Float32RealFft.inverse writes it.
  (func $pack (export "pack") (param $re i32) (param $im i32) (param $half i32) (param $dst i32)
    (local $k i32)
    loop $pair
      local.get $dst
      local.get $re
      v128.load align=8
      f32x4.demote_f64x2_zero
      local.get $im
      v128.load align=8
      f32x4.demote_f64x2_zero
      i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
      v128.store align=4
      local.get $re
      i32.const 16
      i32.add
      local.set $re
      local.get $im
      i32.const 16
      i32.add
      local.set $im
      local.get $dst
      i32.const 16
      i32.add
      local.set $dst
      local.get $k
      i32.const 2
      i32.add
      local.tee $k
      local.get $half
      i32.lt_u
      br_if $pair
    end
    ;; the slot of X0.im holds X(half).re ($re now points at bin half, $dst past the input)
    local.get $dst
    local.get $half
    i32.const 3
    i32.shl
    i32.sub
    local.get $re
    f64.load
    f32.demote_f64
    f32.store offset=4
  )

  ;; y[i] = fround(y[i] + window[i]·(out[i]·scale)), i < $n: the inverse STFT's overlap-add of one
  ;; frame (out: PFFFT's float32 output, window float64, y float32), as timeStretch's JavaScript.
  (func $ola (export "ola") (param $out i32) (param $window i32) (param $y i32) (param $n i32) (param $scale f64)
    (local $vs v128)
    local.get $scale
    f64x2.splat
    local.set $vs
    loop $pair
      local.get $y
      local.get $y
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      local.get $window
      v128.load align=8
      local.get $out
      v128.load64_zero align=4
      f64x2.promote_low_f32x4
      local.get $vs
      f64x2.mul
      f64x2.mul
      f64x2.add
      f32x4.demote_f64x2_zero
      i64x2.extract_lane 0
      i64.store align=4
      local.get $out
      i32.const 8
      i32.add
      local.set $out
      local.get $y
      i32.const 8
      i32.add
      local.set $y
      local.get $window
      i32.const 16
      i32.add
      local.set $window
      local.get $n
      i32.const 2
      i32.sub
      local.tee $n
      br_if $pair
    end
  )
)
`;

interface StretchExports {
  polar(re: number, im: number, pairs: number, mag: number, ang: number, table: number): void;
  vocoder(
    mag: number,
    ang: number,
    rowBytes: number,
    pairs: number,
    w0: number,
    w1: number,
    advance: number,
    phase: number,
    re: number,
    im: number,
  ): void;
  pack(re: number, im: number, half: number, dst: number): void;
  ola(out: number, window: number, y: number, n: number, scale: number): void;
}

/** Where the kernel's buffers live: a memory of its own, or PFFFT's (for the fused float32 inverse). */
interface Arena {
  readonly memory: WebAssembly.Memory;
  /** A 16-byte aligned block of `bytes` bytes (may grow the memory: refresh views afterwards). */
  alloc(bytes: number): number;
  free(pointer: number): void;
}

/** Bump allocation in a memory of our own (blocks are not reused; growth is rare and bounded). */
function ownArena(): Arena {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let top = 0;
  return {
    memory,
    alloc(bytes) {
      const at = top;
      top = Math.ceil((top + bytes) / 16) * 16;
      if (memory.buffer.byteLength < top) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      return at;
    },
    free() {
      // bump allocation: nothing to give back
    },
  };
}

function pffftArena(runtime: PffftRuntime, memory: WebAssembly.Memory): Arena {
  const m = runtime.module;
  return {
    memory,
    alloc: (bytes) => m._pffft_aligned_malloc(bytes),
    free: (pointer) => m._pffft_aligned_free(pointer),
  };
}

let compiled: WebAssembly.Module | null | undefined;

function compiledKernel(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = assembleWat(STRETCH_WAT);
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

const planeBytes = (count: number, bytesEach: number): number => Math.ceil((count * bytesEach) / 16) * 16;

/**
 * The kernel with its buffers: bins padded to an even count, polar rows (grown as needed) and,
 * on PFFFT's memory, what the fused float32 inverse STFT needs (PFFFT input, output and work
 * buffers, the window, the overlap-add signal). Typed views are refreshed whenever the memory
 * may have grown; they are valid until the next `prepare` or `prepareSynthesis`.
 */
export class StretchKernel {
  readonly paddedBins: number;
  /** Bins per polar row (the padded count). */
  get rowStride(): number {
    return this.paddedBins;
  }
  private readonly exports: StretchExports;
  private readonly fftSize: number;
  private rows = 0;
  private outputCapacity = 0;
  // byte addresses
  private readonly tableAt: number;
  private readonly advanceAt: number;
  private readonly phaseAt: number;
  private readonly analysisReAt: number;
  private readonly analysisImAt: number;
  private readonly synthesisReAt: number;
  private readonly synthesisImAt: number;
  private magAt = 0;
  private angAt = 0;
  /** Fused float32 inverse only. */
  private readonly setup: number;
  private readonly packedAt: number;
  private readonly frameAt: number;
  private readonly workAt: number;
  private readonly windowAt: number;
  private outputAt = 0;
  private viewsOf: ArrayBuffer | null = null;
  analysisRe = new Float64Array(0);
  analysisIm = new Float64Array(0);
  synthesisRe = new Float64Array(0);
  synthesisIm = new Float64Array(0);
  phase = new Float32Array(0);
  mag = new Float32Array(0);
  ang = new Float32Array(0);
  /** The overlap-add signal of the fused inverse (float32). */
  output = new Float32Array(0);

  private constructor(
    module: WebAssembly.Module,
    private readonly arena: Arena,
    private readonly pffft: PffftRuntime | null,
    readonly bins: number,
    advance: Float64Array,
    window: Float64Array,
  ) {
    const pb = (this.paddedBins = bins + (bins % 2));
    this.fftSize = 2 * (bins - 1);
    const imports = { env: { memory: arena.memory, atan2: Math.atan2, cos: Math.cos, sin: Math.sin } };
    this.exports = new WebAssembly.Instance(module, imports).exports as unknown as StretchExports;
    this.tableAt = arena.alloc(8 * ATAN_TABLE.length);
    this.advanceAt = arena.alloc(planeBytes(pb, 8));
    this.phaseAt = arena.alloc(planeBytes(pb, 4));
    this.analysisReAt = arena.alloc(planeBytes(pb, 8));
    this.analysisImAt = arena.alloc(planeBytes(pb, 8));
    this.synthesisReAt = arena.alloc(planeBytes(pb, 8));
    this.synthesisImAt = arena.alloc(planeBytes(pb, 8));
    const n = this.fftSize;
    if (pffft !== null) {
      this.setup = pffft.module._pffft_new_setup(n, PFFFT_REAL);
      this.packedAt = arena.alloc(4 * n + 16); // pack writes one pair past the input
      this.frameAt = arena.alloc(4 * n);
      this.workAt = arena.alloc(4 * n);
      this.windowAt = arena.alloc(8 * n);
    } else {
      this.setup = 0;
      this.packedAt = this.frameAt = this.workAt = this.windowAt = 0;
    }
    const b = arena.memory.buffer;
    new Float64Array(b, this.tableAt, ATAN_TABLE.length).set(ATAN_TABLE);
    const adv = new Float64Array(b, this.advanceAt, pb);
    adv.set(advance);
    adv.fill(0, bins);
    // the padding bin of the analysis stays a finite, non-zero point
    new Float64Array(b, this.analysisReAt, pb).fill(1, bins);
    new Float64Array(b, this.analysisImAt, pb).fill(1, bins);
    if (pffft !== null) new Float64Array(b, this.windowAt, n).set(window);
    this.prepare(1);
  }

  /**
   * A kernel for `bins` bins with these phase advances, or null without WebAssembly SIMD. Given
   * PFFFT (loaded, with its memory), it lives in PFFFT's memory and can also run the float32
   * inverse STFT itself (`synthesize`).
   */
  static create(
    bins: number,
    advance: Float64Array,
    window: Float64Array,
    pffft: PffftRuntime | null,
  ): StretchKernel | null {
    const module = compiledKernel();
    if (module === null) return null;
    const arena = pffft?.memory ? pffftArena(pffft, pffft.memory) : ownArena();
    return new StretchKernel(module, arena, pffft?.memory ? pffft : null, bins, advance, window);
  }

  /** True when `synthesize` can run (the kernel lives in PFFFT's memory). */
  get canSynthesize(): boolean {
    return this.pffft !== null;
  }

  private refreshViews(): void {
    const b = this.arena.memory.buffer;
    if (
      this.viewsOf === b &&
      this.mag.length === this.rows * this.paddedBins &&
      this.output.length === this.outputCapacity
    )
      return;
    const pb = this.paddedBins;
    this.phase = new Float32Array(b, this.phaseAt, pb);
    this.analysisRe = new Float64Array(b, this.analysisReAt, pb);
    this.analysisIm = new Float64Array(b, this.analysisImAt, pb);
    this.synthesisRe = new Float64Array(b, this.synthesisReAt, pb);
    this.synthesisIm = new Float64Array(b, this.synthesisImAt, pb);
    this.mag = new Float32Array(b, this.magAt, this.rows * pb);
    this.ang = new Float32Array(b, this.angAt, this.rows * pb);
    this.output = new Float32Array(b, this.outputAt, this.outputCapacity);
    this.viewsOf = b;
  }

  /**
   * Make room for `frames` analysis rows plus the two zero rows librosa appends (call before
   * filling the analysis columns).
   */
  prepare(frames: number): void {
    const rows = frames + 2;
    if (rows > this.rows) {
      if (this.rows > 0) {
        this.arena.free(this.magAt);
        this.arena.free(this.angAt);
      }
      this.magAt = this.arena.alloc(planeBytes(rows * this.paddedBins, 4));
      this.angAt = this.arena.alloc(planeBytes(rows * this.paddedBins, 4));
      this.rows = rows;
    }
    this.refreshViews();
  }

  /** After the analysis: zero rows `frames` and `frames + 1`, and start the phase at row 0's angles. */
  finishAnalysis(frames: number): void {
    const pb = this.paddedBins;
    this.mag.fill(0, frames * pb, (frames + 2) * pb);
    this.ang.fill(0, frames * pb, (frames + 2) * pb);
    this.phase.set(this.ang.subarray(0, pb));
  }

  /** Polar form of the analysis column (analysisRe/Im) into polar row `row`. */
  polar(row: number): void {
    const rowBytes = 4 * this.paddedBins;
    this.exports.polar(
      this.analysisReAt,
      this.analysisImAt,
      this.paddedBins / 2,
      this.magAt + row * rowBytes,
      this.angAt + row * rowBytes,
      this.tableAt,
    );
  }

  /** One vocoder column from polar rows `row` and `row + 1` into synthesisRe/Im, advancing `phase`. */
  vocoder(row: number, w0: number, w1: number): void {
    const rowBytes = 4 * this.paddedBins;
    this.exports.vocoder(
      this.magAt + row * rowBytes,
      this.angAt + row * rowBytes,
      rowBytes,
      this.paddedBins / 2,
      w0,
      w1,
      this.advanceAt,
      this.phaseAt,
      this.synthesisReAt,
      this.synthesisImAt,
    );
  }

  /** A zeroed overlap-add signal of `length` samples in `output` (fused inverse only). */
  prepareSynthesis(length: number): void {
    if (length > this.outputCapacity) {
      if (this.outputCapacity > 0) this.arena.free(this.outputAt);
      this.outputAt = this.arena.alloc(4 * length + 16);
      this.outputCapacity = length;
    }
    this.refreshViews();
    this.output.fill(0, 0, length);
  }

  /**
   * Inverse FFT of the synthesis column (float32, PFFFT) overlap-added with the window into
   * `output` from sample `start`: the arithmetic of Float32RealFft.inverse and timeStretch's
   * overlap-add loop, in WebAssembly.
   */
  synthesize(start: number): void {
    const m = (this.pffft as PffftRuntime).module;
    const n = this.fftSize;
    this.exports.pack(this.synthesisReAt, this.synthesisImAt, n / 2, this.packedAt);
    m._pffft_transform_ordered(this.setup, this.packedAt, this.frameAt, this.workAt, PFFFT_BACKWARD);
    this.exports.ola(this.frameAt, this.windowAt, this.outputAt + 4 * start, n, 1 / n);
  }
}
