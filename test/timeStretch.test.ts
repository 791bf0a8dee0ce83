import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { phaseVocoder, timeStretch } from "../src/augment/timeStretch";
import { loadNpyFloat32 } from "../src/data/npy";
import { stft, stftMagnitude } from "../src/dsp/stft";
import { initFloat32Fft } from "../src/dsp/fft";
import { ConfigError } from "../src/errors";
import { SeededRandom } from "../src/util/random";
import { maxAbs, maxAbsDiff } from "./helpers/numeric";

const FIXTURES = join(__dirname, "fixtures", "librosa");
const SR = 22050;

function tone(seconds: number, freqHz: number, amplitude: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * SR) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freqHz * i) / SR),
  );
}

function peakBin(samples: Float32Array, frame: number): number {
  const mag = stftMagnitude(samples);
  let best = 0;
  for (let k = 1; k < mag.rows; k++)
    if ((mag.data[k * mag.cols + frame] as number) > (mag.data[best * mag.cols + frame] as number)) best = k;
  return best;
}

// Measured against librosa 0.10.2 effects.time_stretch(y, rate=1.25) on a_tones_clicks:
// max |error| 2.5e-6 (4.0e-6 of max |y|, at the very last sample), RMS error 5.1e-7 of RMS(y);
// 24640 of 52920 samples are bit-identical. The phase accumulator is float32 in librosa, so
// one-ulp differences in atan2/cos/sin can move a phase by ~1e-3 rad in the top bins; the
// assertion leaves 4x headroom over the measured maximum.
test("time stretch by 1.25 matches librosa's effects.time_stretch within 1e-5 of max |y|", () => {
  const y = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.y.npy")).data;
  const reference = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.time_stretch_1.25.npy")).data;
  const ours = timeStretch(y, SR, 1.25);
  assert.equal(ours.length, reference.length);
  let maxErr = 0;
  let maxRef = 0;
  let sq = 0;
  let sqRef = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = (ours[i] as number) - (reference[i] as number);
    maxErr = Math.max(maxErr, Math.abs(d));
    maxRef = Math.max(maxRef, Math.abs(reference[i] as number));
    sq += d * d;
    sqRef += (reference[i] as number) ** 2;
  }
  assert.ok(maxErr <= 1e-5 * maxRef, `max error ${maxErr} = ${(maxErr / maxRef).toExponential(2)} of max |y|`);
  assert.ok(Math.sqrt(sq / sqRef) <= 2e-6, `RMS error ${Math.sqrt(sq / sqRef).toExponential(2)} of RMS(y)`);
});

test("time stretch with a float32 inverse FFT matches librosa as closely (measured 4.06e-6 of max |y|)", async () => {
  await initFloat32Fft();
  const y = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.y.npy")).data;
  const reference = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.time_stretch_1.25.npy")).data;
  const ours = timeStretch(y, SR, 1.25, { inverseFft: "float32" });
  assert.equal(ours.length, reference.length);
  const err = maxAbsDiff(ours, reference);
  assert.ok(err <= 1e-5 * maxAbs(reference), `max error ${(err / maxAbs(reference)).toExponential(2)} of max |y|`);
  assert.ok(maxAbsDiff(ours, timeStretch(y, SR, 1.25)) > 0, "the float32 inverse is a different computation");
});

test("the SIMD kernel and the JavaScript arithmetic stretch the librosa clip to the same samples, bit for bit", async () => {
  await initFloat32Fft();
  const y = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.y.npy")).data;
  for (const rate of [1.25, 0.8]) {
    for (const inverseFft of ["float64", "float32"] as const) {
      assert.deepEqual(
        timeStretch(y, SR, rate, { inverseFft, simd: true }),
        timeStretch(y, SR, rate, { inverseFft, simd: false }),
        `rate ${rate}, ${inverseFft}`,
      );
    }
  }
});

test("the SIMD kernel matches the JavaScript arithmetic through digital silence and phases beyond 1.6e6 rad", () => {
  // 40 s: the top bins' phases pass 2^19·π after ~1000 frames (Math.cos/sin fallback); the
  // silent second gives all-zero spectra (Math.atan2 fallback for atan2(0, 0))
  const rng = new SeededRandom(3);
  const y = Float32Array.from({ length: 40 * SR }, (_, i) =>
    i > SR && i < 2 * SR ? 0 : 0.3 * Math.sin(i * 0.05) + 0.05 * rng.gaussian(),
  );
  assert.deepEqual(timeStretch(y, SR, 1.25, { simd: true }), timeStretch(y, SR, 1.25, { simd: false }));
});

test("time stretch returns round(length / rate) samples, rounding ties to even like Python", () => {
  assert.equal(timeStretch(tone(3, 440, 0.4), SR, 1.25).length, 52920);
  assert.equal(timeStretch(tone(3, 440, 0.4), SR, 0.8).length, 82688);
  assert.equal(timeStretch(new Float32Array(5), SR, 2).length, 2); // round(2.5) = 2
  assert.equal(timeStretch(new Float32Array(7), SR, 2).length, 4); // round(3.5) = 4
});

test("time stretch gives the same result whatever clips it stretched before (reused buffers)", () => {
  const short = tone(1, 440, 0.4);
  const first = timeStretch(short, SR, 1.25);
  timeStretch(tone(3, 1000, 0.7), SR, 0.8); // a longer clip grows the buffers
  timeStretch(tone(0.5, 200, 0.2), SR, 1.25);
  assert.deepEqual(timeStretch(short, SR, 1.25), first);
});

test("a stretched 440 Hz tone keeps its pitch", () => {
  const y = tone(3, 440, 0.4);
  const expected = Math.round((440 * 2048) / SR); // bin 41
  assert.equal(peakBin(y, 20), expected);
  assert.equal(peakBin(timeStretch(y, SR, 1.25), 20), expected);
  assert.equal(peakBin(timeStretch(y, SR, 0.8), 20), expected);
});

test("a rate of 1 gives the signal back within 1 % of its amplitude", () => {
  // not exact: librosa's float32 phase accumulator drifts by ~1e-3 rad over 130 frames (measured 2.8e-3 here)
  const y = tone(3, 440, 0.4);
  const back = timeStretch(y, SR, 1);
  assert.equal(back.length, y.length);
  let maxErr = 0;
  for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs((back[i] as number) - (y[i] as number)));
  assert.ok(maxErr <= 0.004, `max error ${maxErr}`);
});

test("the phase vocoder makes ceil(frames / rate) columns", () => {
  const spectrum = stft(tone(1, 440, 0.4)); // 44 frames
  assert.equal(spectrum.cols, 44);
  assert.equal(phaseVocoder(spectrum, 1.25).cols, Math.ceil(44 / 1.25));
  assert.equal(phaseVocoder(spectrum, 0.5).cols, 88);
});

test("time stretch rejects a rate that is not a positive number", () => {
  assert.throws(() => timeStretch(tone(0.1, 440, 0.4), SR, 0), ConfigError);
  assert.throws(() => timeStretch(tone(0.1, 440, 0.4), SR, -1), ConfigError);
  assert.throws(() => timeStretch(tone(0.1, 440, 0.4), SR, Number.NaN), ConfigError);
});
