import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeNpy, encodeNpy, loadNpy, saveNpy } from "../src/data/npy";
import { ShapeError } from "../src/errors";

const FIXTURES = join(__dirname, "fixtures", "librosa");

test("reads a librosa fixture with the shape and statistics index.json records", () => {
  type Stats = { file: string; shape: number[]; sum: number; min: number; max: number };
  const index = JSON.parse(readFileSync(join(FIXTURES, "index.json"), "utf8")) as { signals: Array<{ mfcc40: Stats }> };
  const stats = index.signals[0]!.mfcc40;
  assert.equal(stats.file, "a_tones_clicks.mfcc40.npy");
  const arr = loadNpy(join(FIXTURES, stats.file));
  assert.equal(arr.dtype, "<f4");
  assert.deepEqual(arr.shape, stats.shape);
  const values = Array.from(arr.data as Float32Array);
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - stats.sum) < 1e-6 * Math.abs(stats.sum), `sum ${sum} vs ${stats.sum}`);
  assert.equal(Math.min(...values), Math.fround(stats.min));
  assert.equal(Math.max(...values), Math.fround(stats.max));
});

test("round-trips float32 [n][40][100] and int64 labels through a file", () => {
  const dir = mkdtempSync(join(tmpdir(), "npy-"));
  const data = new Float32Array(2 * 40 * 100).map((_, i) => Math.sin(i) * 100);
  saveNpy(join(dir, "f.npy"), { dtype: "<f4", shape: [2, 40, 100], data });
  const back = loadNpy(join(dir, "f.npy"));
  assert.deepEqual(back.shape, [2, 40, 100]);
  assert.deepEqual(Array.from(back.data as Float32Array), Array.from(data));
  const labels = BigInt64Array.from([0n, 1n, 1n]);
  saveNpy(join(dir, "l.npy"), { dtype: "<i8", shape: [3], data: labels });
  const lb = loadNpy(join(dir, "l.npy"));
  assert.equal(lb.dtype, "<i8");
  assert.deepEqual(lb.shape, [3]);
  assert.deepEqual(Array.from(lb.data as BigInt64Array), [0n, 1n, 1n]);
});

test("writes a version 1.0 header padded to a 64-byte boundary", () => {
  const bytes = encodeNpy({ dtype: "<f4", shape: [3], data: new Float32Array(3) });
  assert.equal(bytes[6], 1);
  const headerLength = (bytes[8] as number) | ((bytes[9] as number) << 8);
  assert.equal((10 + headerLength) % 64, 0);
  const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString("latin1");
  assert.match(header, /'shape': \(3,\)/);
  assert.ok(header.endsWith("\n"));
});

test("rejects a truncated file with a ShapeError naming it", () => {
  const bytes = encodeNpy({ dtype: "<f4", shape: [100], data: new Float32Array(100) });
  assert.throws(
    () => decodeNpy(bytes.subarray(0, bytes.length - 8), "cut.npy"),
    (e: unknown) => e instanceof ShapeError && /cut\.npy/.test(e.message),
  );
});

test("rejects a shape that does not match the data length", () => {
  assert.throws(() => encodeNpy({ dtype: "<f4", shape: [2, 2], data: new Float32Array(3) }), ShapeError);
});
