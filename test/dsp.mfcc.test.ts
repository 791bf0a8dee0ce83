import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";
import { loadNpyFloat32 } from "../src/data/npy";
import { Dct2Ortho, dct2Ortho, dctRows } from "../src/dsp/dct";
import { createRealFftAsync } from "../src/dsp/fft";
import { createMfccExtractor, fixFrames, melSpectrogramDb, mfcc, mfccFeatures, MfccExtractor } from "../src/dsp/mfcc";
import { ConfigError } from "../src/errors";
import { LIBROSA_FIXTURES, LIBROSA_SIGNALS, maxAbs, maxAbsDiff } from "./helpers/numeric";

const FIXTURES = LIBROSA_FIXTURES;
const SIGNALS = LIBROSA_SIGNALS;

function signal(id: string): Float32Array {
  return loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data;
}

// ---- DCT known answers

test("the DCT-II (ortho) of a constant c has only the DC coefficient, c·sqrt(n)", () => {
  const c = dct2Ortho(new Float64Array(128).fill(3), 40);
  assert.ok(Math.abs((c[0] as number) - 3 * Math.sqrt(128)) < 1e-12);
  for (let k = 1; k < 40; k++) assert.ok(Math.abs(c[k] as number) < 1e-12, `c[${k}] = ${c[k]}`);
});

test("the DCT-II (ortho) of a cosine basis vector is a unit impulse at its index", () => {
  const n = 128;
  const k0 = 7;
  const x = Float64Array.from(
    { length: n },
    (_, j) => Math.sqrt(2 / n) * Math.cos((Math.PI * k0 * (2 * j + 1)) / (2 * n)),
  );
  const c = dct2Ortho(x, 40);
  for (let k = 0; k < 40; k++) assert.ok(Math.abs((c[k] as number) - (k === k0 ? 1 : 0)) < 1e-12, `c[${k}]`);
});

test("the DCT of an odd length uses the direct sum and still matches the definition", () => {
  const x = Float64Array.from([1, -2, 0.5, 4, 3]);
  const c = dct2Ortho(x, 5);
  for (let k = 0; k < 5; k++) {
    let sum = 0;
    for (let j = 0; j < 5; j++) sum += (x[j] as number) * Math.cos((Math.PI * k * (2 * j + 1)) / 10);
    assert.ok(Math.abs((c[k] as number) - Math.sqrt((k === 0 ? 1 : 2) / 5) * sum) < 1e-12);
  }
});

for (const precision of ["float64", "float32"] as const) {
  test(`the DCT through a ${precision} FFT equals the direct sum`, async () => {
    const x = Float32Array.from({ length: 128 }, (_, j) => 40 * Math.sin(j * 0.21) - 30 + ((j * 13) % 7));
    const direct = new Float64Array(40);
    const viaFft = new Float64Array(40);
    new Dct2Ortho(128, 40).transform(x, direct);
    new Dct2Ortho(128, 40, await createRealFftAsync(128, precision)).transform(x, viaFft);
    // measured: 1e-16 (float64) and 4e-8 (float32) of the largest coefficient
    assert.ok(maxAbsDiff(direct, viaFft) <= (precision === "float64" ? 1e-12 : 5e-7) * maxAbs(direct));
  });
}

test("dctRows transforms every column of a [n][frames] matrix", () => {
  const m = { rows: 4, cols: 2, data: Float32Array.from([1, 5, 1, 5, 1, 5, 1, 5]) };
  const out = dctRows(m, 2);
  assert.deepEqual([out.rows, out.cols], [2, 2]);
  assert.ok(Math.abs((out.data[0] as number) - 2) < 1e-6 && Math.abs((out.data[1] as number) - 10) < 1e-6);
  assert.ok(Math.abs(out.data[2] as number) < 1e-6 && Math.abs(out.data[3] as number) < 1e-6);
});

// ---- shapes, padding, options

test("mfcc returns [40][1 + floor(length / 512)] for a 3 s clip at 22050 Hz", () => {
  const m = mfcc(signal("a_tones_clicks"), 22050);
  assert.deepEqual([m.rows, m.cols], [40, 1 + Math.floor(66150 / 512)]);
  assert.equal(m.cols, 130);
});

test("features pads a short clip (65 frames) with zero frames up to 100", () => {
  const full = mfcc(signal("d_short_16k"), 22050);
  assert.equal(full.cols, 65);
  const padded = mfccFeatures(signal("d_short_16k"), 22050);
  assert.deepEqual([padded.rows, padded.cols], [40, 100]);
  for (let r = 0; r < 40; r++) {
    for (let t = 0; t < 65; t++) assert.equal(padded.data[r * 100 + t], full.data[r * 65 + t]);
    for (let t = 65; t < 100; t++) assert.equal(padded.data[r * 100 + t], 0);
  }
});

test("features truncates a long clip (130 frames) to its first 100 frames", () => {
  const full = mfcc(signal("b_noise"), 22050);
  const cut = mfccFeatures(signal("b_noise"), 22050);
  assert.deepEqual([cut.rows, cut.cols], [40, 100]);
  for (let r = 0; r < 40; r++)
    for (let t = 0; t < 100; t++) assert.equal(cut.data[r * 100 + t], full.data[r * 130 + t]);
});

test("fixFrames with null keeps every frame", () => {
  const m = mfcc(signal("d_short_16k"), 22050);
  assert.equal(fixFrames(m, null), m);
});

test("mfcc honours nMfcc and nMels options", () => {
  const m = mfcc(signal("b_noise").subarray(0, 22050), 22050, { nMfcc: 13, nMels: 64 });
  assert.deepEqual([m.rows, m.cols], [13, 1 + Math.floor(22050 / 512)]);
});

test("mfcc refuses options asking for another sample rate than the clip's", () => {
  assert.throws(() => mfcc(new Float32Array(4096), 16000, { sampleRateHz: 22050 }), ConfigError);
});

test("an extractor refuses a clip at another sample rate", () => {
  const extractor = new MfccExtractor(DEFAULT_FEATURE_CONFIG);
  assert.throws(() => extractor.mfcc(new Float32Array(4096), 44100), /resample the clip to 22050 Hz/);
});

test("an extractor refuses more MFCCs than mel bands", () => {
  assert.throws(() => new MfccExtractor({ nMels: 20, nMfcc: 40 }), ConfigError);
});

test("an extractor gives the same MFCCs on repeated calls with clips of different lengths", () => {
  const extractor = new MfccExtractor();
  const a = extractor.mfcc(signal("a_tones_clicks"));
  extractor.mfcc(signal("d_short_16k"));
  const again = extractor.mfcc(signal("a_tones_clicks"));
  assert.deepEqual(Array.from(again.data), Array.from(a.data));
});

test("melSpectrogramDb of silence is −100 dB everywhere", () => {
  const db = melSpectrogramDb(new Float32Array(4096), 22050);
  assert.ok(db.data.every((v) => v === -100));
});

// ---- against librosa's feature.mfcc(y, sr=22050, n_mfcc=40)
// Requirement: within 1e-4 of max |MFCC|. Measured max |error| / max |MFCC|:
//   float64 FFT: a 9.5e-8, b 6.4e-8, c 1.8e-7, d 5.3e-8 (absolute ≤ 9.2e-5; max |MFCC| 60–574)
//   float32 FFT and SIMD mel kernel: a 2.5e-7, b 9.6e-8, c 2.1e-7, d 8.9e-8 (absolute ≤ 1.2e-4)
// The assertion, 1e-6, leaves 4x headroom over the worst case and is 100x inside the requirement.
const TOLERANCE = 1e-6;
for (const precision of ["float64", "float32"] as const) {
  for (const id of SIGNALS) {
    test(`MFCCs of ${id} match librosa within ${TOLERANCE} of max |MFCC| (${precision} FFT)`, async () => {
      const extractor = await createMfccExtractor({}, { fft: precision });
      const reference = loadNpyFloat32(join(FIXTURES, `${id}.mfcc40.npy`));
      const ours = extractor.mfcc(signal(id), 22050);
      assert.deepEqual([ours.rows, ours.cols], reference.shape);
      const err = maxAbsDiff(ours.data, reference.data);
      const scale = maxAbs(reference.data);
      assert.ok(
        err <= TOLERANCE * scale,
        `max error ${err} = ${(err / scale).toExponential(2)} of max |MFCC| ${scale}`,
      );
      extractor.dispose();
    });
  }
}

test("a float32 extractor computes its mel spectra with the WebAssembly SIMD kernel, a float64 one in JavaScript", async () => {
  assert.equal((await createMfccExtractor({}, { fft: "float32" })).melPath, "wasm-simd");
  assert.equal(new MfccExtractor({}, { fft: "float64" }).melPath, "js");
});

for (const precision of ["float64", "float32"] as const) {
  test(`features() equals mfcc() padded or cut to 100 frames, bit for bit (${precision} FFT)`, async () => {
    const extractor = await createMfccExtractor({}, { fft: precision });
    // 130 frames (cut: the dB floor still comes from all 130) and 42 frames (padded)
    for (const y of [signal("a_tones_clicks"), signal("a_tones_clicks").subarray(0, 41 * 512)]) {
      const all = extractor.mfcc(y);
      const features = extractor.features(y);
      assert.deepEqual([features.rows, features.cols], [40, 100]);
      assert.deepEqual(Array.from(features.data), Array.from(fixFrames(all, 100).data));
    }
    extractor.dispose();
  });
}

test("the functional mfcc() and a float32 extractor agree within 1e-6 of max |MFCC|", async () => {
  const y = signal("c_sweep_stereo");
  const extractor = await createMfccExtractor();
  assert.equal(extractor.fftPrecision, "float32");
  const a = mfcc(y, 22050);
  const b = extractor.mfcc(y);
  assert.ok(maxAbsDiff(a.data, b.data) <= 1e-6 * maxAbs(a.data));
});
