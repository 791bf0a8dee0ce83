import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fftConvolve, fftConvolveStuffed2 } from "../src/audio/fftConvolve";
import { besselI0, designKaiserSinc, kernelAt } from "../src/audio/kaiser";
import { polyphaseResample } from "../src/audio/polyphase";
import { polyphaseInterior } from "../src/audio/polyphaseKernel";
import { resample, resampledLength } from "../src/audio/resample";
import { decodeWavFile } from "../src/audio/wav";
import { toMono } from "../src/audio/mono";
import { loadNpyFloat32 } from "../src/data/npy";
import { mfcc } from "../src/dsp/mfcc";
import { ConfigError } from "../src/errors";
import { maxAbs, maxAbsDiff, sineFit } from "./helpers/numeric";

const FIXTURES = join(__dirname, "fixtures", "librosa");

/** The fixture's native-rate mono signal, resampled to 22050 Hz by us, and librosa's soxr_hq result. */
function resampledFixture(id: string): { ours: Float32Array; soxr: Float32Array } {
  const audio = decodeWavFile(join(FIXTURES, `${id}.wav`));
  return {
    ours: resample(toMono(audio.channels), audio.sampleRateHz, 22050),
    soxr: loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data,
  };
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] as number) ** 2;
  return Math.sqrt(s / (to - from));
}

function sine(hz: number, rateHz: number, seconds: number, amplitude: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(rateHz * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz),
  );
}

// Tolerances below are about 2x the errors measured (bench/resample-compare.ts); librosa's own
// res_type='fft' / 'polyphase' are 0.42 / 0.22 (c) and 0.006 (d) away in samples.

test("matches librosa's soxr_hq on c_sweep_stereo (44.1 kHz -> 22.05 kHz) within 4e-3 per sample", () => {
  const { ours, soxr } = resampledFixture("c_sweep_stereo");
  assert.equal(ours.length, soxr.length);
  assert.ok(maxAbsDiff(ours, soxr) < 4e-3, `max error ${maxAbsDiff(ours, soxr)}`);
});

test("matches soxr_hq to float32 precision on c_sweep_stereo while the sweep is below 9.5 kHz", () => {
  const { ours, soxr } = resampledFixture("c_sweep_stereo");
  // the sweep reaches the 10-11 kHz transition band after about 1.7 s (sample 37500)
  assert.ok(maxAbsDiff(ours, soxr, 0, 36000) < 2e-6, `max error ${maxAbsDiff(ours, soxr, 0, 36000)}`);
});

test("matches librosa's soxr_hq on d_short_16k (16 kHz -> 22.05 kHz) within 3e-4 per sample", () => {
  const { ours, soxr } = resampledFixture("d_short_16k");
  assert.equal(ours.length, soxr.length);
  assert.ok(maxAbsDiff(ours, soxr) < 3e-4, `max error ${maxAbsDiff(ours, soxr)}`);
});

test("gives MFCCs within 1e-4 of max |MFCC| of librosa's for both resampled fixtures", () => {
  for (const id of ["c_sweep_stereo", "d_short_16k"]) {
    const ref = loadNpyFloat32(join(FIXTURES, `${id}.mfcc40.npy`)).data;
    const ours = mfcc(resampledFixture(id).ours, 22050).data;
    assert.equal(ours.length, ref.length);
    let err = 0;
    let peak = 0;
    for (let i = 0; i < ref.length; i++) {
      err = Math.max(err, Math.abs((ours[i] as number) - (ref[i] as number)));
      peak = Math.max(peak, Math.abs(ref[i] as number));
    }
    assert.ok(err / peak < 1e-4, `${id}: ${err / peak}`);
  }
});

test("keeps a 1 kHz sine's amplitude within 1e-5 from 8, 11.025, 16, 44.1, 48 and 96 kHz", () => {
  for (const from of [8000, 11025, 16000, 44100, 48000, 96000]) {
    const y = resample(sine(1000, from, 0.5, 0.5), from, 22050);
    const amplitude = sineFit(y, 22050, 1000, 1000, y.length - 1000).amplitude;
    assert.ok(Math.abs(amplitude - 0.5) < 1e-5, `${from} Hz: amplitude ${amplitude}`);
  }
});

test("is flat to 91 % of the new Nyquist frequency: 10 kHz loses under 0.01 dB going 44.1 -> 22.05 kHz", () => {
  const y = resample(sine(10000, 44100, 0.5, 0.5), 44100, 22050);
  const amplitude = sineFit(y, 22050, 10000, 1000, y.length - 1000).amplitude;
  assert.ok(Math.abs(20 * Math.log10(amplitude / 0.5)) < 0.01, `amplitude ${amplitude}`);
});

test("attenuates content above the new Nyquist frequency by at least 110 dB", () => {
  for (const [from, hz] of [
    [44100, 11200],
    [44100, 15000],
    [48000, 11300],
    [48000, 20000],
    [96000, 30000],
  ] as const) {
    const y = resample(sine(hz, from, 0.5, 0.5), from, 22050);
    const level = rms(y, 1000, y.length - 1000) / (0.5 / Math.SQRT2);
    assert.ok(20 * Math.log10(level) < -110, `${hz} Hz from ${from} Hz: ${20 * Math.log10(level)} dB`);
  }
});

test("adds no images when up-sampling: a 7 kHz tone from 16 kHz leaves nothing at 9 kHz", () => {
  const y = resample(sine(7000, 16000, 0.5, 0.5), 16000, 22050);
  // 8820 samples hold whole cycles of both 7 and 9 kHz, so the 7 kHz tone does not leak into the fit
  const image = sineFit(y, 22050, 9000, 1000, 1000 + 8820).amplitude;
  assert.ok(20 * Math.log10(image / 0.5) < -110, `image at ${20 * Math.log10(image / 0.5)} dB`);
});

test("returns ceil(n * toHz / fromHz) samples", () => {
  for (const [n, from, to] of [
    [24000, 16000, 22050],
    [88200, 44100, 22050],
    [1, 8000, 22050],
    [12345, 48000, 22050],
    [7, 96000, 22050],
    [100, 11025, 22050],
  ] as const) {
    assert.equal(resampledLength(n, from, to), Math.ceil((n * to) / from));
    assert.equal(
      resample(new Float32Array(n).fill(0.1), from, to).length,
      Math.ceil((n * to) / from),
      `${n} samples ${from} -> ${to}`,
    );
  }
  assert.equal(resampledLength(24000, 16000, 22050), 33075);
});

test("returns an empty signal for an empty input", () => {
  assert.equal(resample(new Float32Array(0), 16000, 22050).length, 0);
  assert.equal(resample(new Float32Array(0), 44100, 22050).length, 0);
});

test("returns an equal copy when the rates are the same", () => {
  const x = Float32Array.from([0.1, -0.2, 0.3]);
  const y = resample(x, 22050, 22050);
  assert.deepEqual(y, x);
  assert.notEqual(y, x);
});

test("rejects a sample rate that is not a positive whole number of Hz", () => {
  assert.throws(() => resample(new Float32Array(4), 0, 22050), ConfigError);
  assert.throws(() => resample(new Float32Array(4), 44100.5, 22050), ConfigError);
});

// its speed (10 s at 16 kHz, goal < 1 s) is measured by npm run bench:augment and bench:resample

// ---- the building blocks (src/audio/fftConvolve.ts, polyphase.ts, polyphaseKernel.ts)

test("the stuffed-signal convolution equals an FFT convolution of the zero-stuffed signal, for odd and even tap counts", () => {
  for (const [n, taps] of [
    [5000, 401],
    [3001, 400],
    [3, 7],
    [1, 1],
  ] as const) {
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
    const h = Float64Array.from({ length: taps }, (_, i) => Math.cos(i * 0.11) / (1 + i));
    const stuffed = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) stuffed[2 * i] = x[i] as number;
    const expected = fftConvolve(stuffed, h);
    const ours = fftConvolveStuffed2(x, h);
    assert.equal(ours.length, expected.length);
    assert.ok(
      maxAbsDiff(ours, expected) <= 1e-12 * Math.max(1, maxAbs(expected)),
      `n ${n}, taps ${taps}: ${maxAbsDiff(ours, expected)}`,
    );
  }
});

test("the SIMD polyphase kernel gives the JavaScript loop's two running sums bit for bit", () => {
  const width = 20;
  const up = 7;
  const table = Float64Array.from({ length: up * width }, (_, i) => Math.sin(i * 1.3) / (1 + (i % width)));
  const data = Float64Array.from({ length: 40_000 }, (_, i) => Math.cos(i * 0.013) * (1 + ((i * 31) % 5)));
  const [down, count] = [10, 20_000];
  const qStep = Math.floor(down / up);
  const pStep = down - qStep * up;
  const out = new Float64Array(count + 3);
  if (!polyphaseInterior(data, table, width, up, 5, 2, qStep, pStep, count, out, 3))
    return assert.fail("WebAssembly SIMD is unavailable");
  let k0 = 5;
  let p = 2;
  for (let o = 0; o < count; o++) {
    let acc = 0;
    let acc1 = 0;
    for (let t = 0; t < width; t += 2) {
      acc += (table[p * width + t] as number) * (data[k0 + t] as number);
      acc1 += (table[p * width + t + 1] as number) * (data[k0 + t + 1] as number);
    }
    assert.equal(out[3 + o], acc + acc1, `output ${o}`);
    k0 += qStep;
    p += pStep;
    if (p >= up) {
      p -= up;
      k0 += 1;
    }
  }
});

test("polyphase resampling matches the direct windowed-sinc sum, at the signal's edges and inside", () => {
  const kernel = designKaiserSinc(7000, 24000, 130);
  const x = {
    data: Float64Array.from({ length: 3000 }, (_, i) => Math.sin(i * 0.21) + 0.3 * Math.cos(i * 1.9)),
    first: -4,
  };
  const [fromHz, toHz, firstOut, count] = [32000, 22050, 2, 2100];
  const ours = polyphaseResample(x, fromHz, toHz, kernel, firstOut, count);
  const i0 = besselI0(kernel.beta);
  let worst = 0;
  for (let o = 0; o < count; o++) {
    const t = (firstOut + o) / toHz;
    let expected = 0;
    for (let i = 0; i < x.data.length; i++)
      expected += (x.data[i] as number) * kernelAt(kernel, t - (x.first + i) / fromHz, fromHz, i0);
    worst = Math.max(worst, Math.abs((ours[o] as number) - expected));
  }
  assert.ok(worst < 1e-12, `max deviation ${worst}`);
});
