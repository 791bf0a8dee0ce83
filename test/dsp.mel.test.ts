import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadNpyFloat32 } from "../src/data/npy";
import { applyMelFilterbank, fftFrequencies, hzToMel, melFilterbank, melFilterbankToDense, melFrequencies, melToHz } from "../src/dsp/mel";
import { MfccExtractor } from "../src/dsp/mfcc";
import { powerToDb } from "../src/dsp/powerToDb";
import { powerSpectrogram } from "../src/dsp/stft";
import { LIBROSA_FIXTURES, LIBROSA_SIGNALS, maxAbs, maxAbsDiff } from "./helpers/numeric";

const FIXTURES = LIBROSA_FIXTURES;
const SIGNALS = LIBROSA_SIGNALS;

test("the Slaney mel scale is linear below 1 kHz (200/3 Hz per mel) and logarithmic above", () => {
  assert.equal(hzToMel(0), 0);
  assert.ok(Math.abs(hzToMel(200) - 3) < 1e-12);
  assert.ok(Math.abs(hzToMel(1000) - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(6400) - 42) < 1e-12); // 1000·6.4 is 27 mels above 1 kHz
  for (const hz of [0, 50, 999, 1000, 4000, 11025]) assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9 * Math.max(1, hz), `${hz} Hz`);
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
    assert.ok(err <= 1e-6 * maxAbs(reference.data), `error ${(err / maxAbs(reference.data)).toExponential(2)} of the maximum`);
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
