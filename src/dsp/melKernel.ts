import type { MelFilterbank } from "./mel";
import { PFFFT_FORWARD, PFFFT_REAL, type PffftRuntime } from "./pffft";
import { assembleWat } from "./watAssembler";

/**
 * The SIMD part of the float32 mel spectrogram, written by hand in WebAssembly text (assembled at
 * load time by watAssembler.ts). It imports PFFFT's memory, so it reads the FFT's output where
 * PFFFT wrote it. Per frame: the periodic-Hann-windowed power spectrum (the exact 3-tap kernel
 * W[k] = X[k]/2 − (X[k−1] + X[k+1])/4 of `RealFft.forwardHannPower`, 4 bins per step), then every
 * mel band's dot product with its weights (4 bins per step), all in float32 as librosa's float32
 * `mel_basis @ S`.
 *
 * Memory layouts (byte addresses, all in PFFFT's memory):
 * - spectrum slot of a frame: `s` is 8 bytes before PFFFT's ordered output
 *   `[X0.re, X(h).re, X1.re, X1.im, ..., X(h−1).re, X(h−1).im]` (h = nFft/2 floats pairs); the
 *   kernel rewrites it in place to complex X[−1] .. X[h+1] at `s + 8·(k + 1)` and reads up to
 *   `s + 8h + 48`;
 * - power: h + 4 floats (bins h+1 .. h+3 are written as 0);
 * - bands: per mel band two i32, the byte offset of its first bin in the power buffer and its
 *   number of 4-weight groups; weights: each band's weights padded with zeros to a multiple of 4,
 *   one band after the other (16-byte aligned).
 */
const MEL_KERNEL_WAT = String.raw`
(module
  (import "env" "memory" (memory 0))

  ;; Power of the Hann-windowed spectrum, bins 0 .. h, of the spectrum slot at $s (see above).
  ;; h must be a multiple of 4.
  (func $hann_power (export "hann_power") (param $s i32) (param $power i32) (param $h i32)
    (local $q i32) (local $ny f32) (local $groups i32)
    (local $l0 v128) (local $l2 v128) (local $l4 v128) (local $a v128) (local $b v128)
    (local $half v128) (local $quarter v128)
    ;; unpack DC and Nyquist: X[0] = (d, 0), X[-1] = conj X[1], X[h] = (ny, 0), X[h+1] = conj X[h-1]
    local.get $s
    f32.load offset=12
    local.set $ny
    local.get $s
    local.get $s
    f32.load offset=16
    f32.store offset=0
    local.get $s
    local.get $s
    f32.load offset=20
    f32.neg
    f32.store offset=4
    local.get $s
    f32.const 0
    f32.store offset=12
    ;; $q = slot of X[h-1] = s + 8h
    local.get $s
    local.get $h
    i32.const 3
    i32.shl
    i32.add
    local.set $q
    local.get $q
    local.get $ny
    f32.store offset=8
    local.get $q
    f32.const 0
    f32.store offset=12
    local.get $q
    local.get $q
    f32.load offset=0
    f32.store offset=16
    local.get $q
    local.get $q
    f32.load offset=4
    f32.neg
    f32.store offset=20
    f32.const 0.5
    f32x4.splat
    local.set $half
    f32.const 0.25
    f32x4.splat
    local.set $quarter
    ;; h/4 + 1 groups of 4 bins: group g covers bins 4g .. 4g+3 and reads slots X[4g-1] .. X[4g+4]
    local.get $h
    i32.const 2
    i32.shr_u
    i32.const 1
    i32.add
    local.set $groups
    loop $group
      local.get $s
      v128.load offset=0 align=4
      local.set $l0
      local.get $s
      v128.load offset=16 align=4
      local.set $l2
      local.get $s
      v128.load offset=32 align=4
      local.set $l4
      ;; a = (W[k], W[k+1]) = X/2 - (prev + next)/4, from the slots shifted by one bin
      local.get $s
      v128.load offset=8 align=4
      local.get $half
      f32x4.mul
      local.get $l0
      local.get $l2
      f32x4.add
      local.get $quarter
      f32x4.mul
      f32x4.sub
      local.tee $a
      local.get $a
      f32x4.mul
      local.set $a
      ;; b = (W[k+2], W[k+3])
      local.get $s
      v128.load offset=24 align=4
      local.get $half
      f32x4.mul
      local.get $l2
      local.get $l4
      f32x4.add
      local.get $quarter
      f32x4.mul
      f32x4.sub
      local.tee $b
      local.get $b
      f32x4.mul
      local.set $b
      ;; power = re² + im² of the four bins: even floats plus odd floats of (a, b)
      local.get $power
      local.get $a
      local.get $b
      i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
      local.get $a
      local.get $b
      i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
      f32x4.add
      v128.store align=4
      local.get $s
      i32.const 32
      i32.add
      local.set $s
      local.get $power
      i32.const 16
      i32.add
      local.set $power
      local.get $groups
      i32.const 1
      i32.sub
      local.tee $groups
      br_if $group
    end
    ;; the last group ran past bin h: clear bins h+1 .. h+3 (now at power - 12 .. power - 4)
    local.get $power
    i32.const 12
    i32.sub
    local.tee $power
    f32.const 0
    f32.store offset=0
    local.get $power
    f32.const 0
    f32.store offset=4
    local.get $power
    f32.const 0
    f32.store offset=8
  )

  ;; Mel bands of one power spectrum: out[m] = sum of weights × power over band m, $n bands.
  (func $mel (export "mel") (param $power i32) (param $bands i32) (param $weights i32) (param $n i32) (param $out i32)
    (local $p i32) (local $g i32) (local $acc v128)
    block $done
      loop $band
        local.get $n
        i32.eqz
        br_if $done
        local.get $power
        local.get $bands
        i32.load offset=0
        i32.add
        local.set $p
        local.get $bands
        i32.load offset=4
        local.set $g
        v128.const f32x4 0 0 0 0
        local.set $acc
        block $summed
          loop $sum
            local.get $g
            i32.eqz
            br_if $summed
            local.get $acc
            local.get $weights
            v128.load offset=0
            local.get $p
            v128.load offset=0 align=4
            f32x4.mul
            f32x4.add
            local.set $acc
            local.get $weights
            i32.const 16
            i32.add
            local.set $weights
            local.get $p
            i32.const 16
            i32.add
            local.set $p
            local.get $g
            i32.const 1
            i32.sub
            local.set $g
            br $sum
          end
        end
        ;; (a0 + a2) + (a1 + a3)
        local.get $acc
        local.get $acc
        local.get $acc
        i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
        f32x4.add
        local.set $acc
        local.get $out
        local.get $acc
        f32x4.extract_lane 0
        local.get $acc
        f32x4.extract_lane 1
        f32.add
        f32.store offset=0
        local.get $out
        i32.const 4
        i32.add
        local.set $out
        local.get $bands
        i32.const 8
        i32.add
        local.set $bands
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $band
      end
    end
  )

  ;; Both steps for $frames frames: spectrum slots $stride bytes apart from $s, mel rows of $n
  ;; floats one after the other from $out.
  (func $mel_frames (export "mel_frames")
    (param $s i32) (param $stride i32) (param $frames i32) (param $h i32) (param $power i32)
    (param $bands i32) (param $weights i32) (param $n i32) (param $out i32)
    block $done
      loop $frame
        local.get $frames
        i32.eqz
        br_if $done
        local.get $s
        local.get $power
        local.get $h
        call $hann_power
        local.get $power
        local.get $bands
        local.get $weights
        local.get $n
        local.get $out
        call $mel
        local.get $s
        local.get $stride
        i32.add
        local.set $s
        local.get $out
        local.get $n
        i32.const 2
        i32.shl
        i32.add
        local.set $out
        local.get $frames
        i32.const 1
        i32.sub
        local.set $frames
        br $frame
      end
    end
  )
)
`;

/** The kernel's exports. */
interface MelKernelExports {
  hann_power(spectrumSlot: number, power: number, half: number): void;
  mel(power: number, bands: number, weights: number, nMels: number, out: number): void;
  mel_frames(
    firstSlot: number,
    slotStride: number,
    frames: number,
    half: number,
    power: number,
    bands: number,
    weights: number,
    nMels: number,
    out: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, MelKernelExports>();

/** The kernel instantiated on `memory` (the runtime must support WebAssembly SIMD). */
function kernelFor(memory: WebAssembly.Memory): MelKernelExports {
  compiled ??= new WebAssembly.Module(assembleWat(MEL_KERNEL_WAT)); // a compile error here is a bug in the text above
  let kernel = instances.get(memory);
  if (kernel === undefined) {
    kernel = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as MelKernelExports;
    instances.set(memory, kernel);
  }
  return kernel;
}

/** Bytes between the spectrum slots of consecutive frames (a multiple of 16, so PFFFT's outputs stay aligned). */
function slotStride(half: number): number {
  return 8 * half + 64;
}

/**
 * Mel power spectra of frames of a signal, with PFFFT and the SIMD kernel above: per block of at
 * most `blockFrames` frames, one copy of the signal into WebAssembly memory, one FFT per frame
 * read in place, and one kernel call for the Hann window, the power and the mel bands.
 * Not re-entrant. Call `dispose()` to free its WebAssembly memory.
 */
export class WasmMelPower {
  private readonly half: number;
  private readonly nMels: number;
  private setup: number;
  private readonly slotsPtr: number;
  private readonly workPtr: number;
  private readonly inPtr: number;
  private readonly powerPtr: number;
  private readonly bandsPtr: number;
  private readonly weightsPtr: number;
  private readonly melPtr: number;
  private framesPtr = 0;
  private framesCapacity = 0;

  private constructor(
    private readonly runtime: PffftRuntime,
    private readonly kernel: MelKernelExports,
    readonly fftSize: number,
    bank: MelFilterbank,
    readonly blockFrames: number,
  ) {
    const m = runtime.module;
    this.half = fftSize >> 1;
    this.nMels = bank.nMels;
    this.setup = m._pffft_new_setup(fftSize, PFFFT_REAL);
    if (this.setup === 0) throw new Error(`PFFFT cannot set up size ${fftSize}`);
    this.slotsPtr = m._pffft_aligned_malloc(blockFrames * slotStride(this.half) + 16);
    this.workPtr = m._pffft_aligned_malloc(4 * fftSize);
    this.inPtr = m._pffft_aligned_malloc(4 * fftSize);
    this.powerPtr = m._pffft_aligned_malloc(4 * (this.half + 4));
    this.bandsPtr = m._pffft_aligned_malloc(8 * bank.nMels);
    let groups = 0;
    for (let b = 0; b < bank.nMels; b++) groups += Math.ceil((bank.count[b] as number) / 4);
    this.weightsPtr = m._pffft_aligned_malloc(16 * Math.max(1, groups));
    this.melPtr = m._pffft_aligned_malloc(4 * bank.nMels * blockFrames);
    // the filterbank in the kernel's layout (read the heap only after the allocations: they may grow it)
    const heapI32 = new Int32Array(m.HEAPF32.buffer);
    const heapF32 = m.HEAPF32;
    let w = this.weightsPtr >> 2;
    for (let b = 0; b < bank.nMels; b++) {
      const count = bank.count[b] as number;
      const g = Math.ceil(count / 4);
      heapI32[(this.bandsPtr >> 2) + 2 * b] = 4 * (bank.start[b] as number);
      heapI32[(this.bandsPtr >> 2) + 2 * b + 1] = g;
      const offset = bank.offset[b] as number;
      heapF32.set(bank.weights.subarray(offset, offset + count), w);
      heapF32.fill(0, w + count, w + 4 * g);
      w += 4 * g;
    }
  }

  /**
   * A WasmMelPower for `fftSize`-point frames and `bank`, or null where it cannot run (PFFFT's
   * scalar build loaded because the runtime lacks WebAssembly SIMD, PFFFT's memory not captured,
   * or a size the kernel does not handle).
   *
   * @param fftSize  frame length, samples (a power of two ≥ 32)
   * @param bank  mel filterbank of 1 + fftSize/2 bins
   * @param blockFrames  most frames per `melFrames` call
   */
  static create(runtime: PffftRuntime, fftSize: number, bank: MelFilterbank, blockFrames: number): WasmMelPower | null {
    if (!runtime.simd || runtime.memory === null) return null;
    if (fftSize < 32 || (fftSize & (fftSize - 1)) !== 0 || bank.nBins !== (fftSize >> 1) + 1) return null;
    return new WasmMelPower(runtime, kernelFor(runtime.memory), fftSize, bank, blockFrames);
  }

  /**
   * Mel power of `count` ≤ blockFrames frames: frame t is `signal[origin + t·hop .. + fftSize)`,
   * zeros outside the signal, periodic Hann window; its `nMels` bands go to
   * `out[outOffset + t·nMels + m]` (float32, frame-major).
   */
  melFrames(
    signal: Float32Array,
    origin: number,
    hop: number,
    count: number,
    out: Float32Array,
    outOffset: number,
  ): void {
    if (this.setup === 0) throw new Error("this WasmMelPower was disposed");
    if (count <= 0) return;
    if (count > this.blockFrames) throw new RangeError(`melFrames: ${count} frames, at most ${this.blockFrames}`);
    const m = this.runtime.module;
    const size = this.fftSize;
    const span = (count - 1) * hop + size;
    if (this.framesCapacity < span) {
      if (this.framesPtr !== 0) m._pffft_aligned_free(this.framesPtr);
      this.framesPtr = m._pffft_aligned_malloc(4 * span);
      this.framesCapacity = span;
    }
    const heap = m.HEAPF32; // after the allocation, which may grow the memory
    const framesBase = this.framesPtr >> 2;
    const lo = Math.min(span, Math.max(0, -origin));
    const hi = Math.max(lo, Math.min(span, signal.length - origin));
    heap.fill(0, framesBase, framesBase + lo);
    if (hi > lo) heap.set(signal.subarray(origin + lo, origin + hi), framesBase + lo);
    heap.fill(0, framesBase + hi, framesBase + span);
    // PFFFT's SIMD code needs 16-byte aligned input: frames are read in place when every frame
    // start is aligned, else each one is first moved to the aligned input buffer
    const inPlace = (hop & 3) === 0;
    const stride = slotStride(this.half);
    const firstOutput = this.slotsPtr + 16;
    for (let t = 0; t < count; t++) {
      let input = this.inPtr;
      if (inPlace) input = this.framesPtr + 4 * t * hop;
      else heap.copyWithin(this.inPtr >> 2, framesBase + t * hop, framesBase + t * hop + size);
      m._pffft_transform_ordered(this.setup, input, firstOutput + t * stride, this.workPtr, PFFFT_FORWARD);
    }
    this.kernel.mel_frames(
      firstOutput - 8,
      stride,
      count,
      this.half,
      this.powerPtr,
      this.bandsPtr,
      this.weightsPtr,
      this.nMels,
      this.melPtr,
    );
    const melBase = this.melPtr >> 2;
    out.set(heap.subarray(melBase, melBase + count * this.nMels), outOffset);
  }

  /** Free the WebAssembly memory. Unusable afterwards. */
  dispose(): void {
    if (this.setup === 0) return;
    const m = this.runtime.module;
    m._pffft_destroy_setup(this.setup);
    for (const p of [
      this.slotsPtr,
      this.workPtr,
      this.inPtr,
      this.powerPtr,
      this.bandsPtr,
      this.weightsPtr,
      this.melPtr,
    ])
      m._pffft_aligned_free(p);
    if (this.framesPtr !== 0) m._pffft_aligned_free(this.framesPtr);
    this.framesPtr = 0;
    this.setup = 0;
  }
}
