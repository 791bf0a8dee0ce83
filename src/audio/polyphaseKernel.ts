import { assembleWat } from "../dsp/watAssembler";

/**
 * The inner loop of `polyphaseResample` as a hand-written WebAssembly SIMD kernel (WAT source
 * below, assembled at load time by dsp/watAssembler.ts), in a memory of its own. Each output is
 * the dot product of one phase row of the kernel table with `width` consecutive input samples,
 * two taps per f64x2: lane 0 sums the even taps and lane 1 the odd taps, each in tap order, and
 * the result is lane 0 + lane 1. That is the JavaScript loop's order of operations (two running
 * sums, no fused multiply-add), so both give the same numbers bit for bit.
 */
const POLYPHASE_WAT = String.raw`
(module
  (import "env" "memory" (memory 1))

  ;; out[o] = sum_t table[p*width + t] * data[k0 + t], o < $count, with (k0, p) advancing per
  ;; output by ($qStep, $pStep) and p wrapping at $up (carrying 1 into k0). Addresses in bytes;
  ;; data and table are float64; $width is even.
  (func $polyphase (export "polyphase")
    (param $data i32) (param $table i32) (param $width i32) (param $out i32) (param $count i32)
    (param $k0 i32) (param $p i32) (param $qStep i32) (param $pStep i32) (param $up i32)
    (local $src i32) (local $row i32) (local $pairs i32) (local $acc v128) (local $rowBytes i32)
    local.get $width
    i32.const 3
    i32.shl
    local.set $rowBytes
    block $done
      loop $output
        local.get $count
        i32.eqz
        br_if $done
        local.get $data
        local.get $k0
        i32.const 3
        i32.shl
        i32.add
        local.set $src
        local.get $table
        local.get $p
        local.get $rowBytes
        i32.mul
        i32.add
        local.set $row
        local.get $width
        i32.const 1
        i32.shr_u
        local.set $pairs
        v128.const f64x2 0 0
        local.set $acc
        loop $tap
          local.get $acc
          local.get $row
          v128.load align=8
          local.get $src
          v128.load align=8
          f64x2.mul
          f64x2.add
          local.set $acc
          local.get $row
          i32.const 16
          i32.add
          local.set $row
          local.get $src
          i32.const 16
          i32.add
          local.set $src
          local.get $pairs
          i32.const 1
          i32.sub
          local.tee $pairs
          br_if $tap
        end
        local.get $out
        local.get $acc
        f64x2.extract_lane 0
        local.get $acc
        f64x2.extract_lane 1
        f64.add
        f64.store
        local.get $out
        i32.const 8
        i32.add
        local.set $out
        ;; next output: k0 += qStep, p += pStep, carry when p reaches up
        local.get $k0
        local.get $qStep
        i32.add
        local.set $k0
        local.get $p
        local.get $pStep
        i32.add
        local.tee $p
        local.get $up
        i32.ge_s
        if
          local.get $p
          local.get $up
          i32.sub
          local.set $p
          local.get $k0
          i32.const 1
          i32.add
          local.set $k0
        end
        local.get $count
        i32.const 1
        i32.sub
        local.set $count
        br $output
      end
    end
  )
)
`;

interface PolyphaseExports {
  polyphase(
    data: number,
    table: number,
    width: number,
    out: number,
    count: number,
    k0: number,
    p: number,
    qStep: number,
    pStep: number,
    up: number,
  ): void;
}

const PAGE_BYTES = 65536;

/** The kernel and its memory, or null where the runtime has no WebAssembly SIMD. */
let kernel: { exports: PolyphaseExports; memory: WebAssembly.Memory } | null | undefined;

function loadKernel(): { exports: PolyphaseExports; memory: WebAssembly.Memory } | null {
  if (kernel === undefined) {
    const bytes = assembleWat(POLYPHASE_WAT);
    if (!WebAssembly.validate(bytes)) {
      kernel = null; // no WebAssembly SIMD here: the JavaScript loop does the work
    } else {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      kernel = { exports: instance.exports as unknown as PolyphaseExports, memory };
    }
  }
  return kernel;
}

/** The table last copied into the kernel's memory (it stays there between calls). */
let residentTable: Float64Array | null = null;

/** Outputs computed per kernel call, so the copied window of input stays small. */
const BLOCK_OUTPUTS = 8192;

/**
 * Polyphase dot products for outputs whose taps all lie inside `data`, with the SIMD kernel.
 * Output o (o < count) reads `data[k0 + t]`, t < width, with phase row p of `table`
 * (`[up][width]`), where (k0, p) start at (`k0`, `p`) and advance by (`qStep`, `pStep`) per
 * output, p wrapping at `up` with a carry into k0.
 *
 * @returns  false (nothing written) where WebAssembly SIMD is unavailable
 */
export function polyphaseInterior(
  data: Float64Array,
  table: Float64Array,
  width: number,
  up: number,
  k0: number,
  p: number,
  qStep: number,
  pStep: number,
  count: number,
  out: Float64Array,
  outOffset: number,
): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const tableBytes = table.length * 8;
  let done = 0;
  while (done < count) {
    const n = Math.min(BLOCK_OUTPUTS, count - done);
    // input window of this block: from its first output's first tap to its last output's last tap
    const lastK0 = k0 + Math.floor(((n - 1) * pStep + p) / up) + (n - 1) * qStep;
    const windowLength = lastK0 - k0 + width;
    const needed = tableBytes + 8 * windowLength + 8 * n;
    if (k.memory.buffer.byteLength < needed)
      k.memory.grow(Math.ceil((needed - k.memory.buffer.byteLength) / PAGE_BYTES));
    const heap = new Float64Array(k.memory.buffer);
    const tableAt = 0;
    const dataAt = table.length;
    const outAt = dataAt + windowLength;
    if (residentTable !== table) {
      heap.set(table, tableAt);
      residentTable = table; // tables are cached and never modified (polyphase.ts)
    }
    heap.set(data.subarray(k0, k0 + windowLength), dataAt);
    k.exports.polyphase(8 * dataAt, 8 * tableAt, width, 8 * outAt, n, 0, p, qStep, pStep, up);
    out.set(heap.subarray(outAt, outAt + n), outOffset + done);
    // the state after n outputs
    const pn = p + n * pStep;
    k0 += n * qStep + Math.floor(pn / up);
    p = pn % up;
    done += n;
  }
  return true;
}
