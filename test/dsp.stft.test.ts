import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadNpyFloat32 } from "../src/data/npy";
import { createRealFft, createRealFftAsync, type RealFft } from "../src/dsp/fft";
import { istft, stft, stftFrameCount, stftMagnitude, windowedFrame } from "../src/dsp/stft";
import { hannWindow } from "../src/dsp/window";
import { LIBROSA_FIXTURES, LIBROSA_SIGNALS, maxAbs, maxAbsDiff } from "./helpers/numeric";

const FIXTURES = LIBROSA_FIXTURES;
const SIGNALS = LIBROSA_SIGNALS;

function sine(n: number, freqHz: number, sampleRate: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
}

test("the periodic Hann window is 0.5 − 0.5·cos(2πn/N), zero at n = 0 and 1 at n = N/2", () => {
  const w = hannWindow(2048);
  assert.equal(w.length, 2048);
  assert.equal(w[0], 0);
  assert.equal(w[1024], 1);
  for (const n of [1, 100, 511, 1500, 2047])
    assert.ok(Math.abs((w[n] as number) - (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 2048))) < 1e-15, `w[${n}]`);
  // periodic, not symmetric: w[n] = w[N − n] and the last value is not 0
  assert.equal(w[1], w[2047]);
  assert.ok((w[2047] as number) > 0);
});

test("the STFT has 1 + floor(length / hop) frames", () => {
  assert.equal(stftFrameCount(66150, 512), 130);
  assert.equal(stftFrameCount(33075, 512), 65);
  assert.equal(stftFrameCount(512, 512), 2);
  assert.equal(stftFrameCount(511, 512), 1);
  assert.equal(stftFrameCount(0, 512), 1);
  for (const n of [0, 511, 512, 5000])
    assert.equal(stft(new Float32Array(n)).cols, stftFrameCount(n, 512), `length ${n}`);
});

test("the STFT has 1 + nFft/2 frequency bins", () => {
  assert.equal(stft(new Float32Array(4096)).rows, 1025);
  assert.equal(stft(new Float32Array(4096), { nFft: 512 }).rows, 257);
});

test("a 1 kHz sine peaks in the bin nearest 1 kHz", () => {
  const sampleRate = 22050;
  const mag = stftMagnitude(sine(sampleRate, 1000, sampleRate), { nFft: 2048, hopLength: 512 });
  const expectedBin = Math.round((1000 * 2048) / sampleRate); // 92.88 → 93
  assert.equal(expectedBin, 93);
  const t = 20; // a frame away from the edges
  let best = 0;
  for (let k = 1; k < mag.rows; k++)
    if ((mag.data[k * mag.cols + t] as number) > (mag.data[best * mag.cols + t] as number)) best = k;
  assert.equal(best, expectedBin);
});

test("a full-scale sine's Hann-windowed peak is about amplitude · nFft / 4", () => {
  // bin-centred tone (bin 64 of 2048) so there is no scalloping loss
  const sampleRate = 22050;
  const freq = (64 * sampleRate) / 2048;
  const mag = stftMagnitude(sine(sampleRate, freq, sampleRate, 0.5));
  assert.ok(Math.abs((mag.data[64 * mag.cols + 20] as number) - (0.5 * 2048) / 4) < 1e-3);
});

for (const precision of ["float64", "float32"] as const) {
  test(`the ${precision} FFT of a delayed impulse has magnitude 1 and phase −2πk·d/N`, async () => {
    const fft = await createRealFftAsync(64, precision);
    const x = new Float64Array(64);
    x[3] = 1;
    const re = new Float64Array(33);
    const im = new Float64Array(33);
    fft.forward(x, re, im);
    const tol = precision === "float64" ? 1e-12 : 1e-6;
    for (let k = 0; k <= 32; k++) {
      const angle = (-2 * Math.PI * k * 3) / 64;
      assert.ok(
        Math.abs((re[k] as number) - Math.cos(angle)) < tol &&
          Math.abs((im[k] as number) - (k === 0 || k === 32 ? 0 : Math.sin(angle))) < tol,
        `bin ${k}`,
      );
    }
  });

  test(`the ${precision} inverse FFT undoes the forward FFT`, async () => {
    const fft = await createRealFftAsync(256, precision);
    const x = Float64Array.from({ length: 256 }, (_, i) => Math.sin(i * 0.3) + ((i * 37) % 11) / 11 - 0.5);
    const re = new Float64Array(129);
    const im = new Float64Array(129);
    const back = new Float64Array(256);
    fft.forward(x, re, im);
    fft.inverse(re, im, back);
    assert.ok(maxAbsDiff(back, x) < (precision === "float64" ? 1e-13 : 2e-6));
  });

  test(`the ${precision} frequency-domain Hann power equals the power of the time-windowed frame`, async () => {
    const fft: RealFft = await createRealFftAsync(2048, precision);
    const frame = Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i * 0.05) * 0.3 + Math.cos(i * 1.7) * 0.01);
    const windowed = new Float64Array(2048);
    windowedFrame(frame, 2, 512, hannWindow(2048), windowed); // frame 2 of a 2048-sample clip starts at sample 0
    const direct = new Float64Array(1025);
    const viaKernel = new Float64Array(1025);
    fft.forwardPower(windowed, direct);
    fft.forwardHannPower(frame, viaKernel);
    // measured: 2e-16 (float64) and 3e-8 (float32) of the peak power
    assert.ok(maxAbsDiff(direct, viaKernel) <= (precision === "float64" ? 1e-13 : 2e-7) * maxAbs(direct));
  });
}

for (const precision of ["float64", "float32"] as const) {
  for (const hop of [512, 301]) {
    test(`the ${precision} framesHannPower of centred frames (hop ${hop}) equals forwardHannPower of each zero-padded frame`, async () => {
      const fft: RealFft = await createRealFftAsync(2048, precision);
      const signal = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.07) * 0.4 + Math.cos(i * 1.3) * 0.05);
      const count = stftFrameCount(signal.length, hop);
      const power = new Float32Array(count * 1025);
      fft.framesHannPower(signal, -1024, hop, count, power); // the first and last frames run off both ends
      const frame = new Float64Array(2048);
      const expected = new Float64Array(1025);
      for (let t = 0; t < count; t++) {
        for (let i = 0; i < 2048; i++) frame[i] = signal[t * hop - 1024 + i] ?? 0;
        fft.forwardHannPower(frame, expected);
        const row = power.subarray(t * 1025, (t + 1) * 1025);
        // the rows are stored as float32: 6e-8 relative, plus the FFT's own rounding
        assert.ok(
          maxAbsDiff(row, expected) <= 2e-7 * maxAbs(expected),
          `frame ${t}: ${maxAbsDiff(row, expected) / maxAbs(expected)}`,
        );
      }
      fft.dispose();
    });
  }
}

test("a float32 FFT of an unsupported size is refused with advice", async () => {
  await createRealFftAsync(64, "float32");
  assert.throws(() => createRealFft(16, "float32"), /power of two ≥ 32/);
  assert.throws(() => createRealFft(1000, "float64"), /power of two/);
});

// Measured max |error| as a fraction of the largest magnitude in the first 20 frames, float64 FFT
// (float32 FFT in brackets): a 7.5e-8 (1.5e-7), b 1.1e-7 (1.7e-7), c 8.2e-8 (1.6e-7), d 1.0e-7 (1.0e-7).
for (const id of SIGNALS) {
  for (const precision of ["float64", "float32"] as const) {
    test(`STFT magnitudes of ${id} match librosa's first 20 and last 4 frames within 5e-7 of the peak (${precision} FFT)`, async () => {
      const y = loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data;
      const head = loadNpyFloat32(join(FIXTURES, `${id}.stft_mag.head20.npy`));
      const tail = loadNpyFloat32(join(FIXTURES, `${id}.stft_mag.tail4.npy`));
      const mag = stftMagnitude(y, { fft: await createRealFftAsync(2048, precision) });
      assert.equal(mag.rows, 1025);
      assert.equal(mag.cols, stftFrameCount(y.length, 512));
      const ours = (t: number, k: number): number => mag.data[k * mag.cols + t] as number;
      const peak = maxAbs(head.data);
      let worst = 0;
      for (let k = 0; k < 1025; k++) {
        for (let t = 0; t < 20; t++) worst = Math.max(worst, Math.abs(ours(t, k) - (head.data[k * 20 + t] as number)));
        for (let t = 0; t < 4; t++)
          worst = Math.max(worst, Math.abs(ours(mag.cols - 4 + t, k) - (tail.data[k * 4 + t] as number)));
      }
      assert.ok(worst <= 5e-7 * peak, `max error ${worst} = ${(worst / peak).toExponential(2)} of the peak ${peak}`);
    });
  }
}

test("the inverse STFT of an STFT gives the signal back (measured 9e-8)", () => {
  const y = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.y.npy")).data;
  const back = istft(stft(y), { length: y.length });
  assert.equal(back.length, y.length);
  assert.ok(maxAbsDiff(back, y) < 5e-7);
});

test("the inverse STFT pads with zeros to a longer requested length", () => {
  const y = sine(4096, 440, 22050);
  const back = istft(stft(y), { length: 6000 });
  assert.equal(back.length, 6000);
  assert.ok(maxAbsDiff(back.subarray(0, 4096), y) < 1e-6);
  assert.equal(maxAbs(back.subarray(4096 + 1024)), 0);
});
