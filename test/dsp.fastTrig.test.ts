import { test } from "node:test";
import assert from "node:assert/strict";
import { atan2, sinCos } from "../src/dsp/fastTrig";
import { SeededRandom } from "../src/util/random";

// The phase vocoder rounds these to float32, so what matters is that the float32 roundings agree
// with Math's; the float64 values agree to a few ulps.

test("sinCos agrees with Math.cos and Math.sin: same float32 roundings, within 4e-16, for angles up to ±2e5 rad", () => {
  const rng = new SeededRandom(11);
  const cs = new Float64Array(2);
  let differ = 0;
  let maxErr = 0;
  for (let i = 0; i < 300_000; i++) {
    const scale = [1, 10, 1e3, 2e5][i % 4] as number;
    const p = Math.fround((2 * rng.next() - 1) * scale); // the vocoder's phases are float32
    sinCos(p, cs);
    maxErr = Math.max(maxErr, Math.abs((cs[0] as number) - Math.cos(p)), Math.abs((cs[1] as number) - Math.sin(p)));
    if (
      Math.fround(cs[0] as number) !== Math.fround(Math.cos(p)) ||
      Math.fround(cs[1] as number) !== Math.fround(Math.sin(p))
    )
      differ++;
  }
  assert.ok(maxErr <= 4e-16, `max error ${maxErr}`);
  assert.equal(differ, 0);
});

test("sinCos is exact at 0 and hands huge or non-finite angles to Math", () => {
  const cs = new Float64Array(2);
  sinCos(0, cs);
  assert.deepEqual(Array.from(cs), [1, 0]);
  for (const p of [1e7, -3e9, Infinity, NaN]) {
    sinCos(p, cs);
    assert.deepEqual(Array.from(cs), [Math.cos(p), Math.sin(p)], `${p}`);
  }
});

test("atan2 agrees with Math.atan2 in all four quadrants: same float32 roundings, within 1e-15", () => {
  const rng = new SeededRandom(12);
  let differ = 0;
  let maxErr = 0;
  for (let i = 0; i < 300_000; i++) {
    const y = Math.fround((2 * rng.next() - 1) * 10 ** (8 * rng.next() - 4));
    const x = Math.fround((2 * rng.next() - 1) * 10 ** (8 * rng.next() - 4));
    const a = atan2(y, x);
    maxErr = Math.max(maxErr, Math.abs(a - Math.atan2(y, x)));
    if (Math.fround(a) !== Math.fround(Math.atan2(y, x))) differ++;
  }
  assert.ok(maxErr <= 1e-15, `max error ${maxErr}`);
  assert.equal(differ, 0);
});

test("atan2 keeps Math.atan2's signed zeros, ±π and the axes", () => {
  const cases: Array<[number, number]> = [
    [0, 0],
    [-0, 0],
    [0, -0],
    [-0, -0],
    [0, -1],
    [-0, -1],
    [1, 0],
    [-1, 0],
    [1, 1],
    [-1, -1],
    [Infinity, 1],
    [1, -Infinity],
    [NaN, 1],
  ];
  for (const [y, x] of cases) assert.ok(Object.is(atan2(y, x), Math.atan2(y, x)), `atan2(${y}, ${x})`);
  assert.equal(atan2(1, 1), Math.PI / 4);
});
