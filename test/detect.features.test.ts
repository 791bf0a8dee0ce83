import { test } from "node:test";
import assert from "node:assert/strict";
import { isPoolStatistic, percentileOf } from "../src/config/detect";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";
import { zerosMatrix, type Matrix } from "../src/dsp/matrix";
import { createMfccExtractor } from "../src/dsp/mfcc";
import { pooledNames, poolRows } from "../src/dsp/pooling";
import {
  createRepresentationExtractor,
  deltaFeatures,
  representationRowNames,
  representationRows,
} from "../src/dsp/representation";
import { ConfigError, ShapeError } from "../src/errors";
import { poolWindows, RepresentationCache, extractWindowFeatures } from "../src/pipeline/detect/windowFeatures";

function matrix(rows: number[][]): Matrix {
  const m = zerosMatrix(rows.length, (rows[0] as number[]).length);
  rows.forEach((r, i) => m.data.set(r, i * m.cols));
  return m;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs((a[i] as number) - (b[i] as number)) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test("poolRows gives each row's mean, population sd, min, max and numpy-interpolated percentiles, statistic-major", () => {
  // row 0: 1 2 3 4 -> mean 2.5, sd sqrt(1.25), min 1, max 4, p50 2.5, p25 1.75 (numpy: pos 0.75 between 1 and 2)
  // row 1: 4 0 4 4 -> mean 3, sd sqrt(3), min 0, max 4, p50 4, p25 3 (sorted 0 4 4 4, pos 0.75)
  const pooled = poolRows(
    matrix([
      [1, 2, 3, 4],
      [4, 0, 4, 4],
    ]),
    ["mean", "std", "min", "max", "p50", "p25"],
  );
  close(pooled, [2.5, 3, Math.sqrt(1.25), Math.sqrt(3), 1, 0, 4, 4, 2.5, 4, 1.75, 3], 1e-12);
  assert.deepEqual(pooledNames(["a", "b"], ["max", "p90"]), ["max a", "max b", "p90 a", "p90 b"]);
});

test("pooling statistics are validated: percentiles 0..100 only", () => {
  assert.equal(percentileOf("p90"), 90);
  assert.equal(percentileOf("p101"), null);
  assert.ok(isPoolStatistic("p2.5") && isPoolStatistic("std"));
  assert.ok(!isPoolStatistic("median") && !isPoolStatistic("p") && !isPoolStatistic(3));
  assert.throws(() => poolRows(matrix([[1, 2]]), ["median" as "mean"]), ConfigError);
});

test("librosa deltas: slope 1 everywhere for a ramp, with interp edges; the second derivative of t² is 2", () => {
  const t = Array.from({ length: 12 }, (_, i) => i);
  const d1 = deltaFeatures(matrix([t, t.map((v) => v * v)]), 1);
  close(d1.data.subarray(0, 12), new Array<number>(12).fill(1), 1e-6);
  // quadratic: interior delta 2t; the first and last 4 frames take the first and last full window's value (8 and 14)
  close(d1.data.subarray(12), [8, 8, 8, 8, 8, 10, 12, 14, 14, 14, 14, 14], 1e-5);
  const d2 = deltaFeatures(matrix([t.map((v) => v * v)]), 2);
  close(d2.data, new Array<number>(12).fill(2), 1e-5);
  // a non-polynomial row against scipy 1.10.1 savgol_filter(x, 9, polyorder=order, deriv=order, mode="interp") (librosa's delta)
  const wave = t.map((v) => Math.sin(v * 0.7) * 3 + v * 0.1);
  close(
    deltaFeatures(matrix([wave]), 1).data,
    [
      -0.516656, -0.516656, -0.516656, -0.516656, -0.516656, -0.512883, -0.220861, 0.222067, 0.222067, 0.222067,
      0.222067, 0.222067,
    ],
    2e-6,
  );
  close(
    deltaFeatures(matrix([wave]), 2).data,
    [
      -0.236137, -0.236137, -0.236137, -0.236137, -0.236137, 0.247271, 0.614384, 0.692542, 0.692542, 0.692542, 0.692542,
      0.692542,
    ],
    2e-6,
  );
  assert.throws(() => deltaFeatures(matrix([[1, 2, 3, 4, 5, 6, 7, 8]]), 1), ShapeError);
});

test("the log-mel representation is the core's dB mel spectrogram; MFCC with deltas stacks [mfcc; d1; d2]", async () => {
  const rate = DEFAULT_FEATURE_CONFIG.sampleRateHz;
  const samples = Float32Array.from(
    { length: rate },
    (_, i) => Math.sin((2 * Math.PI * 440 * i) / rate) * 0.5 + 0.01 * Math.sin(i * 0.37),
  );
  const features = { ...DEFAULT_FEATURE_CONFIG };
  const logmel = await createRepresentationExtractor(features, {
    kind: "logmel",
    nMels: 64,
    nMfcc: 40,
    deltas: 0,
    window: "recording",
  });
  const core = await createMfccExtractor({ ...features, nMels: 64, frames: null });
  const expected = core.melSpectrogramDb(samples);
  const got = logmel(samples);
  assert.equal(got.rows, 64);
  assert.deepEqual(Array.from(got.data), Array.from(expected.data));
  const rep = { kind: "mfcc" as const, nMels: 128, nMfcc: 20, deltas: 2 as const, window: "recording" as const };
  const m = (await createRepresentationExtractor(features, rep))(samples);
  assert.equal(m.rows, representationRows(rep));
  assert.equal(m.rows, 60);
  const mfcc = (await createMfccExtractor({ ...features, nMfcc: 20, frames: null })).mfcc(samples);
  assert.deepEqual(Array.from(m.data.subarray(0, mfcc.data.length)), Array.from(mfcc.data));
  assert.deepEqual(
    Array.from(m.data.subarray(mfcc.data.length, 2 * mfcc.data.length)),
    Array.from(deltaFeatures(mfcc, 1).data),
  );
  assert.deepEqual(representationRowNames(rep).slice(19, 21), ["mfcc 19", "d1 mfcc 0"]);
});

test("window features: whole recordings give one window each, chunks drop the remainder; the cache computes a representation once", async () => {
  const rate = DEFAULT_FEATURE_CONFIG.sampleRateHz;
  const tone = (seconds: number, f: number) =>
    Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / rate));
  const recordings = [
    { id: "a", label: 0 as const, samples: tone(2.5, 300) },
    { id: "b", label: 1 as const, samples: tone(1.2, 900) },
  ];
  const rep = { kind: "logmel" as const, nMels: 32, nMfcc: 20, deltas: 0 as const, window: "chunk" as const };
  const chunks = await extractWindowFeatures(recordings, DEFAULT_FEATURE_CONFIG, rep, 1);
  assert.deepEqual(Array.from(chunks.recordingOfWindow), [0, 0, 1]);
  const pooled = poolWindows(chunks, { statistics: ["max", "mean"] });
  assert.equal(pooled.dims, 64);
  assert.equal(pooled.rows, 3);
  assert.equal(pooled.names[32], "mean mel 0");
  const cache = new RepresentationCache(recordings);
  const whole = { ...rep, window: "recording" as const };
  const first = cache.get(DEFAULT_FEATURE_CONFIG, whole, 1);
  assert.equal(
    cache.get(DEFAULT_FEATURE_CONFIG, whole, 3),
    first,
    "the chunk length does not matter for whole recordings",
  );
  assert.deepEqual(Array.from((await first).recordingOfWindow), [0, 1]);
  assert.throws(() => poolWindows(chunks, { statistics: [] }), ConfigError);
});
