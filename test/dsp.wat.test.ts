import { test } from "node:test";
import assert from "node:assert/strict";
import { assembleWat } from "../src/dsp/watAssembler";

interface Exports {
  [name: string]: (...args: number[]) => number;
}

function instantiate(text: string): { exports: Exports; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleWat(text)), { env: { memory } });
  return { exports: instance.exports as unknown as Exports, memory };
}

test("an assembled loop with labels, locals and a call computes 1 + 2 + ... + n", () => {
  const { exports } = instantiate(`(module
    (import "env" "memory" (memory 1))
    (func $add (param $a i32) (param $b i32) (result i32) local.get $a local.get $b i32.add)
    (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
      block $done
        loop $next
          local.get $n
          i32.eqz
          br_if $done          ;; leaves the block
          local.get $acc
          local.get $n
          call $add
          local.set $acc
          local.get $n
          i32.const -1         ;; a negative constant (signed LEB128)
          i32.add
          local.set $n
          br $next
        end
      end
      local.get $acc))`);
  assert.equal(exports["sum"]?.(100), 5050);
  assert.equal(exports["sum"]?.(0), 0);
});

test("assembled SIMD loads, shuffles, lane extraction and memory offsets work on the imported memory", () => {
  const { exports, memory } = instantiate(`(module
    (import "env" "memory" (memory 1))
    ;; (x0 + x2) + (x1 + x3) of the four floats at p + 16, times 0.5
    (func $half_sum (export "half_sum") (param $p i32) (result f32) (local $v v128)
      local.get $p
      v128.load offset=16 align=4
      local.tee $v
      local.get $v
      local.get $v
      i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
      f32x4.add
      local.tee $v
      f32x4.extract_lane 0
      local.get $v
      f32x4.extract_lane 1
      f32.add
      f32.const 0.5
      f32.mul)
    (func $store (export "store") (param $p i32) (param $x f32)
      local.get $p
      local.get $x
      f32x4.splat
      v128.const f32x4 1 2 3 4
      f32x4.mul
      v128.store offset=0 align=4))`);
  const f32 = new Float32Array(memory.buffer);
  f32.set([1.5, 2, 3, 4], 4 + 1); // floats 5..8 = bytes 20..35
  assert.equal(exports["half_sum"]?.(4), 5.25);
  exports["store"]?.(64, 2.5);
  assert.deepEqual(Array.from(f32.subarray(16, 20)), [2.5, 5, 7.5, 10]);
});

test("the assembler names the function and the token it cannot read", () => {
  assert.throws(() => assembleWat(`(module (func $f i32.frobnicate))`), /\$f: unknown instruction "i32.frobnicate"/);
  assert.throws(() => assembleWat(`(module (func $f br $nowhere))`), /\$f: unknown label \$nowhere/);
  assert.throws(() => assembleWat(`(module (func $f local.get $x))`), /\$f: unknown local \$x/);
  assert.throws(() => assembleWat(`(module (func $f block))`), /\$f: 1 block\(s\) without "end"/);
  assert.throws(
    () => assembleWat(`(module (func $f (i32.add (i32.const 1) (i32.const 2))))`),
    /folded instructions are not supported/,
  );
  assert.throws(() => assembleWat(`(module (func $f)`), /missing \)|unexpected end/);
});
