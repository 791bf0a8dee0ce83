import { test } from "node:test";
import assert from "node:assert/strict";
import { frameDescriptors } from "../src/dsp/descriptors";
import { mfcc } from "../src/dsp/mfcc";
import { SeededRandom } from "../src/util/random";

const SR = 22050;

function tone(seconds: number, freqHz: number, amplitude: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * SR) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freqHz * i) / SR),
  );
}

function noise(seconds: number, sigma: number): Float32Array {
  const rng = new SeededRandom(7);
  return Float32Array.from({ length: Math.round(seconds * SR) }, () => sigma * rng.gaussian());
}

const MID = 20; // a frame away from the zero-padded edges

test("descriptors have one value per MFCC frame, at t·hop/sampleRate seconds", () => {
  const y = tone(1, 1000, 0.5);
  const d = frameDescriptors(y, SR);
  const frames = mfcc(y, SR).cols;
  for (const series of [d.rms, d.zcr, d.spectralCentroidHz, d.spectralRolloffHz, d.spectralFlatness, d.timesS])
    assert.equal(series.length, frames);
  assert.ok(Math.abs((d.timesS[MID] as number) - (MID * 512) / SR) < 1e-12);
});

test("a sine of amplitude 0.5 has an RMS of 0.5/√2", () => {
  const d = frameDescriptors(tone(1, 1000, 0.5), SR);
  assert.ok(Math.abs((d.rms[MID] as number) - 0.5 / Math.SQRT2) < 1e-3);
});

test("a 1 kHz sine crosses zero 2·1000/sampleRate times per sample", () => {
  const d = frameDescriptors(tone(1, 1000, 0.5), SR);
  assert.ok(Math.abs((d.zcr[MID] as number) - 2000 / SR) < 1e-3);
});

test("a 1 kHz sine has its spectral centroid at 1 kHz and its rolloff just above", () => {
  const d = frameDescriptors(tone(1, 1000, 0.5), SR);
  assert.ok(Math.abs((d.spectralCentroidHz[MID] as number) - 1000) < 5, `centroid ${d.spectralCentroidHz[MID]} Hz`);
  const rolloff = d.spectralRolloffHz[MID] as number;
  assert.ok(rolloff > 1000 && rolloff < 1100, `rolloff ${rolloff} Hz`);
});

test("white noise is spectrally flat and a sine is not", () => {
  const flatNoise = frameDescriptors(noise(1, 0.1), SR).spectralFlatness[MID] as number;
  const flatSine = frameDescriptors(tone(1, 1000, 0.5), SR).spectralFlatness[MID] as number;
  // amplitude-spectrum flatness of Gaussian noise is about 2e^(−γ/2)/√π ≈ 0.85
  assert.ok(flatNoise > 0.75 && flatNoise <= 1, `noise ${flatNoise}`);
  assert.ok(flatSine < 1e-3, `sine ${flatSine}`);
});

test("white noise has its centroid near a quarter of the sample rate", () => {
  const centroid = frameDescriptors(noise(1, 0.1), SR).spectralCentroidHz[MID] as number;
  assert.ok(Math.abs(centroid - SR / 4) < 800, `centroid ${centroid} Hz`);
});

test("an all-zero frame has RMS and ZCR 0 and an undefined (NaN) centroid and flatness", () => {
  const d = frameDescriptors(new Float32Array(4096), SR);
  assert.equal(d.rms[2], 0);
  assert.equal(d.zcr[2], 0);
  assert.ok(Number.isNaN(d.spectralCentroidHz[2]));
  assert.ok(Number.isNaN(d.spectralFlatness[2]));
});

test("descriptors refuse a frame length that is not a power of two", () => {
  assert.throws(() => frameDescriptors(new Float32Array(4096), SR, { frameLength: 1000 }), /power-of-two/);
});
