import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadNpyFloat32 } from "../src/data/npy";
import { createRealFftAsync, initFloat32Fft } from "../src/dsp/fft";
import {
  applyMelFilterbank,
  applyMelToFrames,
  fftFrequencies,
  hzToMel,
  melFilterbank,
  melFilterbankToDense,
  melFrequencies,
  melToHz,
} from "../src/dsp/mel";
import { WasmMelPower } from "../src/dsp/melKernel";
import { createMfccExtractor, MfccExtractor } from "../src/dsp/mfcc";
import { loadedPffft } from "../src/dsp/pffft";
import { maxPower, powerToDb, powerToDbInPlace, powerToDbSliceInPlace } from "../src/dsp/powerToDb";
import { powerSpectrogram } from "../src/dsp/stft";
import { LIBROSA_FIXTURES, LIBROSA_SIGNALS, maxAbs, maxAbsDiff } from "./helpers/numeric";

const FIXTURES = LIBROSA_FIXTURES;
const SIGNALS = LIBROSA_SIGNALS;

test("the Slaney mel scale is linear below 1 kHz (200/3 Hz per mel) and logarithmic above", () => {
  assert.equal(hzToMel(0), 0);
  assert.ok(Math.abs(hzToMel(200) - 3) < 1e-12);
  assert.ok(Math.abs(hzToMel(1000) - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(6400) - 42) < 1e-12); // 1000·6.4 is 27 mels above 1 kHz
  for (const hz of [0, 50, 999, 1000, 4000, 11025])
    assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9 * Math.max(1, hz), `${hz} Hz`);
});

test("mel band edges run from fMin to fMax inclusive", () => {
  const edges = melFrequencies(130, 0, 11025);
  assert.equal(edges[0], 0);
  assert.ok(Math.abs((edges[129] as number) - 11025) < 1e-9);
  for (let i = 1; i < 130; i++) assert.ok((edges[i] as number) > (edges[i - 1] as number));
});

test("FFT bin k is at k · sampleRate / nFft Hz", () => {
  const f = fftFrequencies(22050, 2048);
  assert.equal(f.length, 1025);
  assert.equal(f[0], 0);
  assert.ok(Math.abs((f[93] as number) - (93 * 22050) / 2048) < 1e-9);
  assert.equal(f[1024], 11025);
});

test("the mel filterbank reproduces librosa's filters.mel(sr=22050, n_fft=2048, n_mels=128) bit for bit", () => {
  const reference = loadNpyFloat32(join(FIXTURES, "mel_basis_sr22050_nfft2048_nmels128.npy"));
  assert.deepEqual(reference.shape, [128, 1025]);
  const dense = melFilterbankToDense(melFilterbank(22050, 2048));
  assert.equal(dense.rows, 128);
  assert.equal(dense.cols, 1025);
  let mismatches = 0;
  for (let i = 0; i < dense.data.length; i++) if (dense.data[i] !== reference.data[i]) mismatches++;
  assert.equal(mismatches, 0);
});

test("the sparse filterbank keeps about two weights per bin and none for the Nyquist bin", () => {
  const bank = melFilterbank(22050, 2048);
  assert.ok(bank.weights.length <= 2 * 1025, `${bank.weights.length} weights`);
  const dense = melFilterbankToDense(bank);
  for (let k = 0; k < 1025; k++) {
    let bands = 0;
    for (let m = 0; m < 128; m++) if ((dense.data[m * 1025 + k] as number) !== 0) bands++;
    assert.ok(bands <= 2, `bin ${k} is in ${bands} bands`);
  }
  for (let m = 0; m < 128; m++) assert.equal(dense.data[m * 1025 + 1024], 0);
});

test("Slaney normalisation gives every band unit area in Hz", () => {
  // area of a triangle of height h = 2/(f2 − f0) over a base of (f2 − f0) Hz is 1; sampled on a
  // 10.77 Hz grid the sum of weights times the bin width is close to 1 wherever the band spans several bins
  const bank = melFilterbank(22050, 2048);
  const dense = melFilterbankToDense(bank);
  const binHz = 22050 / 2048;
  for (const m of [20, 60, 100, 127]) {
    let area = 0;
    for (let k = 0; k < 1025; k++) area += (dense.data[m * 1025 + k] as number) * binHz;
    assert.ok(Math.abs(area - 1) < 0.02, `band ${m} area ${area}`);
  }
});

test("applying the filterbank to a power spectrogram gives [nMels][frames]", () => {
  const power = powerSpectrogram(new Float32Array(5000).fill(0.1));
  const mel = applyMelFilterbank(melFilterbank(22050, 2048), power);
  assert.equal(mel.rows, 128);
  assert.equal(mel.cols, power.cols);
});

test("power_to_db maps 1 to 0 dB, 100 to 20 dB and anything at or below amin to −100 dB", () => {
  const db = powerToDb({ rows: 1, cols: 4, data: Float32Array.from([1, 100, 1e-10, 0]) }, { topDb: null });
  assert.deepEqual(Array.from(db.data), [0, 20, -100, -100]);
});

test("power_to_db floors at the global maximum − 80 dB, not at each frame's maximum", () => {
  // two frames (columns): a loud one (max 60 dB) and a quiet one (max −30 dB)
  const power = { rows: 2, cols: 2, data: Float32Array.from([1e6, 1e-3, 1e-5, 1e-6]) };
  const db = powerToDb(power);
  // floor = 60 − 80 = −20 dB, applied everywhere: the quiet frame becomes flat at −20 dB
  assert.deepEqual(Array.from(db.data), [60, -20, -20, -20]);
});

test("power_to_db turns every value into NaN when one power is NaN, as numpy's maximum does", () => {
  const db = powerToDb({ rows: 1, cols: 3, data: Float32Array.from([1, Number.NaN, 100]) });
  assert.ok(db.data.every((v) => Number.isNaN(v)));
});

test("power_to_db of the first frames with the whole matrix's maximum equals those frames of the whole conversion", () => {
  // the first 12 frames peak at 1e-2 (−20 dB), later ones at 1e2 (+20 dB): the floor must be −60 dB, not −100 dB
  const whole = Float32Array.from(
    { length: 128 * 30 },
    (_, i) => 10 ** ((i < 128 * 12 ? -12 : -8) + 10 * (((i * 7919) % 1000) / 999)),
  );
  const expected = whole.slice();
  powerToDbInPlace(expected);
  const part = whole.slice(0, 128 * 12);
  powerToDbSliceInPlace(part, maxPower(whole));
  assert.deepEqual(Array.from(part), Array.from(expected.subarray(0, 128 * 12)));
  assert.equal(Math.min(...part), -60);
});

test("power_to_db with topDb null keeps the full range", () => {
  const db = powerToDb({ rows: 1, cols: 2, data: Float32Array.from([1e6, 1e-6]) }, { topDb: null });
  assert.deepEqual(Array.from(db.data), [60, -60]);
});

// Measured max |error| / max |mel| (float64 FFT): a 1.9e-7, b 1.1e-7, c 1.4e-7, d 2.9e-7.
// Measured max |error| of mel_db, dB: 7.6e-6 for a, c, d and 2.9e-6 for b (≤ 1.6e-7 of max |dB|).
const extractor = new MfccExtractor({}, { fft: "float64" });
for (const id of SIGNALS) {
  test(`the mel spectrogram of ${id} matches librosa's melspectrogram within 1e-6 of its maximum`, () => {
    const y = loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data;
    const reference = loadNpyFloat32(join(FIXTURES, `${id}.mel.npy`));
    const mel = extractor.melSpectrogram(y, 22050);
    assert.deepEqual([mel.rows, mel.cols], reference.shape);
    const err = maxAbsDiff(mel.data, reference.data);
    assert.ok(
      err <= 1e-6 * maxAbs(reference.data),
      `error ${(err / maxAbs(reference.data)).toExponential(2)} of the maximum`,
    );
  });

  test(`the dB mel spectrogram of ${id} matches librosa's power_to_db within 5e-5 dB`, () => {
    const y = loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data;
    const reference = loadNpyFloat32(join(FIXTURES, `${id}.mel_db.npy`));
    const db = extractor.melSpectrogramDb(y, 22050);
    assert.deepEqual([db.rows, db.cols], reference.shape);
    const err = maxAbsDiff(db.data, reference.data);
    assert.ok(err <= 5e-5, `error ${err} dB`);
  });
}

test("the dB mel spectrogram of signal a hits the top_db floor in the same number of cells as librosa (8853)", () => {
  const y = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.y.npy")).data;
  const db = extractor.melSpectrogramDb(y);
  const floor = Math.min(...db.data);
  assert.equal(db.data.filter((v) => v === floor).length, 8853);
});

// ---- the WebAssembly SIMD kernel of the float32 path (src/dsp/melKernel.ts)

for (const [nFft, hop, nMels] of [
  [2048, 512, 128],
  [512, 100, 40],
] as const) {
  test(`the SIMD mel kernel (nFft ${nFft}, hop ${hop}, ${nMels} bands) equals the float64 JavaScript path within 1e-6 of the largest band`, async () => {
    await initFloat32Fft();
    const runtime = loadedPffft();
    assert.ok(runtime !== null);
    const bank = melFilterbank(22050, nFft, { nMels });
    const kernel = WasmMelPower.create(runtime, nFft, bank, 16);
    assert.ok(kernel !== null, "the kernel runs wherever the SIMD build of PFFFT loads");
    const signal = Float32Array.from(
      { length: 9000 },
      (_, i) => 0.3 * Math.sin(i * 0.031) + 0.05 * Math.sin(i * 2.1) + (i % 997 === 0 ? 0.9 : 0),
    );
    const frames = 1 + Math.floor(signal.length / hop);
    const ours = new Float32Array(frames * nMels);
    for (let t0 = 0; t0 < frames; t0 += 16)
      kernel.melFrames(signal, t0 * hop - nFft / 2, hop, Math.min(16, frames - t0), ours, t0 * nMels);
    const fft64 = await createRealFftAsync(nFft, "float64");
    const power = new Float32Array(frames * (nFft / 2 + 1));
    fft64.framesHannPower(signal, -nFft / 2, hop, frames, power);
    const expected = new Float32Array(frames * nMels);
    applyMelToFrames(bank, power, frames, expected);
    // measured: 2.6e-7 (2048) and 2.0e-7 (512) of the largest band
    assert.ok(
      maxAbsDiff(ours, expected) <= 1e-6 * maxAbs(expected),
      `${maxAbsDiff(ours, expected) / maxAbs(expected)}`,
    );
    kernel.dispose();
  });
}

// Measured with the float32 FFT and the SIMD kernel, max |error| / max |mel|: a 3.8e-7, b 2.9e-7,
// c 2.2e-7, d 2.9e-7; dB: up to 3.2e-4 dB (a), in cells 70-80 dB below the maximum.
for (const id of SIGNALS) {
  test(`the float32 mel spectrogram of ${id} matches librosa's within 1e-6 of its maximum, and in dB within 1e-3 dB`, async () => {
    const fast = await createMfccExtractor({}, { fft: "float32" });
    const y = loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data;
    const mel = fast.melSpectrogram(y);
    const reference = loadNpyFloat32(join(FIXTURES, `${id}.mel.npy`));
    assert.ok(maxAbsDiff(mel.data, reference.data) <= 1e-6 * maxAbs(reference.data));
    const db = fast.melSpectrogramDb(y);
    assert.ok(maxAbsDiff(db.data, loadNpyFloat32(join(FIXTURES, `${id}.mel_db.npy`)).data) <= 1e-3);
    fast.dispose();
  });
}
