/**
 * The thesis's augmentations of broken clips and the any-length real FFT behind eq/freqmask.
 * Reference numbers marked "numpy" come from numpy's pocketfft in float64 (numpy 2.4.6 with the
 * float32 clip cast to float64 first, which is what numpy 1.x does internally).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { AUGMENTATION_NAMES, DEFAULT_AUGMENT_CONFIG, type AugmentConfig } from "../src/config/augment";
import { AUGMENTATIONS, augment, augmentAll, ClipWork } from "../src/augment";
import { ConfigError, ShapeError } from "../src/errors";
import { irfft, rfft, rfftFrequencies } from "../src/dsp/realFftAnyLength";
import { addGaussianNoise } from "../src/augment/noise";
import { reverseSamples } from "../src/augment/reverse";
import { tanhCompress } from "../src/augment/compress";
import { hardClip } from "../src/augment/clip";
import { applyGain } from "../src/augment/scale";
import { padSampleCount, padWithSilence } from "../src/augment/pad";
import { bandPassEq } from "../src/augment/eq";
import { maskFrequencyBand } from "../src/augment/freqmask";
import { SeededRandom } from "../src/util/random";
import { loadNpyFloat32 } from "../src/data/npy";
import { maxAbsDiff } from "./helpers/numeric";

const SR = 22050;
const N = 66150; // 3 s at 22050 Hz = 2·3³·5²·7²

// ---------------------------------------------------------------------------------------------
// helpers

/** Deterministic broadband test signal in [-0.5, 0.5), float64. */
function noiseSignal(n: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  return Float64Array.from({ length: n }, () => rng.next() - 0.5);
}

/** Direct O(n²) one-sided DFT with exact phase reduction (k·t mod n). */
function directDft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const bins = Math.floor(n / 2) + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      sr += (x[t] as number) * Math.cos(angle);
      si += (x[t] as number) * Math.sin(angle);
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}

/** Sum of sines `Σ amp·sin(2π·f·t/sr)`, as float32. */
function sines(n: number, sampleRate: number, tones: ReadonlyArray<readonly [number, number]>): Float32Array {
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let v = 0;
    for (const [freq, amp] of tones) v += amp * Math.sin((2 * Math.PI * freq * t) / sampleRate);
    out[t] = v;
  }
  return out;
}

/** Amplitude of the component at `freq` Hz, by projection: (2/n)·|Σ y[t]·e^{-2πi·f·t/sr}|. */
function amplitudeAt(y: ArrayLike<number>, sampleRate: number, freq: number): number {
  let re = 0;
  let im = 0;
  for (let t = 0; t < y.length; t++) {
    const angle = (2 * Math.PI * freq * t) / sampleRate;
    re += (y[t] as number) * Math.cos(angle);
    im -= (y[t] as number) * Math.sin(angle);
  }
  return (2 / y.length) * Math.hypot(re, im);
}

function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] as number;
  mean /= values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(v / values.length);
}

/** librosa's 66150-sample load of test/fixtures/librosa/a_tones_clicks.wav (440 + 1234 Hz + clicks). */
function tonesAndClicks(): Float32Array {
  return loadNpyFloat32(join(__dirname, "fixtures", "librosa", "a_tones_clicks.y.npy")).data;
}

/** The 2205-sample clip of the numpy reference values: ((7919·t mod 201) - 100) / 128. */
function referenceClip(): Float32Array {
  return Float32Array.from({ length: 2205 }, (_, t) => (((t * 7919) % 201) - 100) / 128);
}

// ---------------------------------------------------------------------------------------------

describe("realFftAnyLength", () => {
  // 7, 61, 286 = 2·11·13: odd-radix butterflies (98 = 2·7², 686 = 2·7³: the unrolled radix 7);
  // 97, 194, 1009: Bluestein (prime factor > 64)
  for (const n of [1, 2, 7, 30, 61, 97, 98, 194, 286, 686, 1000, 1009]) {
    test(`rfft of ${n} samples matches a direct DFT to 1e-9 relative`, () => {
      const x = noiseSignal(n, n);
      const got = rfft(x);
      const want = directDft(x);
      assert.equal(got.re.length, Math.floor(n / 2) + 1);
      let err = 0;
      let norm = 0;
      for (let k = 0; k < want.re.length; k++) {
        err +=
          ((got.re[k] as number) - (want.re[k] as number)) ** 2 + ((got.im[k] as number) - (want.im[k] as number)) ** 2;
        norm += (want.re[k] as number) ** 2 + (want.im[k] as number) ** 2;
      }
      assert.ok(Math.sqrt(err / norm) < 1e-9, `relative error ${Math.sqrt(err / norm)}`);
    });
  }

  test("irfft inverts rfft for small odd, even and prime lengths", () => {
    for (const n of [1, 2, 3, 7, 30, 97, 194, 1000]) {
      const x = noiseSignal(n, 100 + n);
      const err = maxAbsDiff(irfft(rfft(x), n), x);
      assert.ok(err < 1e-12, `n=${n}: max error ${err}`);
    }
  });

  test("rfft of a 66150-sample clip satisfies Parseval's theorem to 1e-9 relative", () => {
    const x = noiseSignal(N, 1);
    const X = rfft(x);
    let timeEnergy = 0;
    for (const v of x) timeEnergy += v * v;
    let freqEnergy = 0;
    const last = X.re.length - 1; // N even: bin N/2 is counted once, like bin 0
    for (let k = 0; k <= last; k++) {
      const p = (X.re[k] as number) ** 2 + (X.im[k] as number) ** 2;
      freqEnergy += k === 0 || k === last ? p : 2 * p;
    }
    freqEnergy /= N;
    assert.ok(Math.abs(freqEnergy - timeEnergy) / timeEnergy < 1e-9, `${freqEnergy} vs ${timeEnergy}`);
  });

  test("irfft(rfft(x), 66150) returns x to 1e-9", () => {
    const x = noiseSignal(N, 2);
    const err = maxAbsDiff(irfft(rfft(x), N), x);
    assert.ok(err < 1e-9, `max error ${err}`);
  });

  test("irfft ignores the imaginary parts of the DC and Nyquist bins, like numpy", () => {
    // numpy: np.fft.irfft([1+5j, 2+1j, 3+7j], 4) == [2, -1, 0, 0]
    const y = irfft({ re: Float64Array.of(1, 2, 3), im: Float64Array.of(5, 1, 7) }, 4);
    assert.ok(maxAbsDiff(y, [2, -1, 0, 0]) < 1e-15, `${Array.from(y)}`);
  });

  test("irfft zero-pads or truncates the spectrum to n/2 + 1 bins, like numpy", () => {
    const spectrum = { re: Float64Array.of(1, 2, 3), im: Float64Array.of(5, 1, 7) };
    // numpy: np.fft.irfft([1+5j, 2+1j, 3+7j], n) for n = 3, 5, 8
    const want: Record<number, number[]> = {
      3: [1.6666666666666665, -0.910683602522959, 0.2440169358562924],
      5: [2.2, -2.549828110686965, 2.3514509424594197, -2.504237346959462, 1.5026145151870072],
      8: [
        1.375, -1.4482233047033632, -0.875, 1.3446699141100893, 0.375, -1.8017766952966368, -0.375, 2.4053300858899105,
      ],
    };
    for (const [n, values] of Object.entries(want)) {
      const err = maxAbsDiff(irfft(spectrum, Number(n)), values);
      assert.ok(err < 1e-14, `n=${n}: max error ${err}`);
    }
  });

  test("rfftFrequencies reproduces numpy's float64 bin frequencies bit for bit", () => {
    // numpy: np.fft.rfftfreq(66150, 1/22050)[[900, 3000, 9000]] == [300.0, 1000.0, 3000.0]
    const f3s = rfftFrequencies(N, SR);
    assert.equal(f3s.length, N / 2 + 1);
    assert.deepEqual([f3s[900], f3s[3000], f3s[9000]], [300, 1000, 3000]);
    // numpy: np.fft.rfftfreq(2499, 1/22050)[[34, 340]] == [299.99999999999994, 2999.9999999999995]
    const f2499 = rfftFrequencies(2499, SR);
    assert.deepEqual([f2499[34], f2499[340]], [299.99999999999994, 2999.9999999999995]);
  });

  // its speed on a 66150-sample clip (goal < 200 ms per forward + inverse) is measured by npm run bench:augment

  test("rejects an empty signal", () => {
    assert.throws(() => rfft(new Float64Array(0)), /0 samples/);
  });
});

describe("noise", () => {
  const x = Float32Array.from(noiseSignal(N, 4));

  test("adds std times the generator's successive Gaussian draws to each sample", () => {
    const y = addGaussianNoise(x, SR, 0.01, new SeededRandom(7));
    const rng = new SeededRandom(7);
    const want = Float32Array.from(x, (v) => v + 0.01 * rng.gaussian());
    assert.deepEqual(y, want);
  });

  test("gives identical output for the same seed", () => {
    const a = addGaussianNoise(x, SR, 0.01, new SeededRandom(42));
    const b = addGaussianNoise(x, SR, 0.01, new SeededRandom(42));
    assert.deepEqual(a, b);
  });

  test("gives different output for different seeds", () => {
    const a = addGaussianNoise(x, SR, 0.01, new SeededRandom(42));
    const b = addGaussianNoise(x, SR, 0.01, new SeededRandom(43));
    assert.ok(maxAbsDiff(a, b) > 1e-3);
  });

  test("adds noise whose standard deviation is 0.01 within 3% over 66150 samples", () => {
    // the std estimate of n Gaussian draws has relative standard error 1/sqrt(2n) ≈ 0.27 %
    const y = addGaussianNoise(x, SR, 0.01, new SeededRandom(5));
    const diff = Float64Array.from(y, (v, i) => v - (x[i] as number));
    assert.ok(Math.abs(std(diff) - 0.01) < 0.0003, `std ${std(diff)}`);
  });
});

describe("reverse", () => {
  test("reverses [1, 2, 3] to [3, 2, 1]", () => {
    assert.deepEqual(reverseSamples(Float32Array.of(1, 2, 3), SR), Float32Array.of(3, 2, 1));
  });
});

describe("compress", () => {
  test("maps x to tanh(0.8·x)", () => {
    const x = Float32Array.of(-2, -1, -0.25, 0, 0.5, 1, 3);
    const y = tanhCompress(x, SR, 0.8);
    // numpy: np.tanh(0.8 * x) in float64
    const want = [
      -0.9216685544064713, -0.664036770267849, -0.197375320224904, 0, 0.3799489622552249, 0.664036770267849,
      0.9836748576936802,
    ];
    assert.ok(maxAbsDiff(y, want) < 1e-7, `${Array.from(y)}`);
  });
});

describe("clip", () => {
  test("limits samples to ±0.95 and leaves smaller ones unchanged", () => {
    const y = hardClip(Float32Array.of(-2, -0.96, -0.95, -0.5, 0, 0.5, 0.95, 0.96, 2), SR, 0.95);
    const c = Math.fround(0.95);
    assert.deepEqual(y, Float32Array.of(-c, -c, -c, -0.5, 0, 0.5, c, c, c));
  });
});

describe("scale", () => {
  test("multiplies every sample by 0.8", () => {
    const y = applyGain(Float32Array.of(1, -0.5, 0.25, 0), SR, 0.8);
    assert.deepEqual(y, Float32Array.of(0.8, -0.4, 0.2, 0));
  });
});

describe("pad", () => {
  test("pads round(0.7·sr) samples per side: 15435 at 22050 Hz, though 0.7·22050 is 15434.999999999998", () => {
    assert.equal(padSampleCount(0.7, 22050), 15435);
    assert.equal(padSampleCount(0.7, 16000), 11200);
  });

  test("puts 15435 zeros before and after the unchanged clip", () => {
    const x = Float32Array.from(noiseSignal(1000, 6), (v) => v + 1); // no zeros inside
    const y = padWithSilence(x, SR, 0.7);
    assert.equal(y.length, 1000 + 2 * 15435);
    assert.ok(y.subarray(0, 15435).every((v) => v === 0));
    assert.ok(y.subarray(15435 + 1000).every((v) => v === 0));
    assert.deepEqual(y.subarray(15435, 15435 + 1000), x);
  });
});

describe("eq", () => {
  test("keeps only the 1000 Hz tone of 100 + 1000 + 5000 Hz and keeps the length", () => {
    const x = sines(N, SR, [
      [100, 0.3],
      [1000, 0.3],
      [5000, 0.3],
    ]);
    const y = bandPassEq(x, SR, 300, 3000);
    assert.equal(y.length, N);
    assert.ok(Math.abs(amplitudeAt(y, SR, 1000) - 0.3) < 1e-5, `1000 Hz: ${amplitudeAt(y, SR, 1000)}`);
    assert.ok(amplitudeAt(y, SR, 100) < 1e-5, `100 Hz: ${amplitudeAt(y, SR, 100)}`);
    assert.ok(amplitudeAt(y, SR, 5000) < 1e-5, `5000 Hz: ${amplitudeAt(y, SR, 5000)}`);
  });

  test("keeps tones exactly at 300 and 3000 Hz and removes the neighbouring bins outside (inclusive edges)", () => {
    // bin spacing is 1/3 Hz at 66150 samples: 299.67 Hz and 3000.33 Hz are the next bins out
    const x = sines(N, SR, [
      [300, 0.2],
      [3000, 0.2],
      [299 + 2 / 3, 0.2],
      [3000 + 1 / 3, 0.2],
    ]);
    const y = bandPassEq(x, SR, 300, 3000);
    assert.ok(Math.abs(amplitudeAt(y, SR, 300) - 0.2) < 1e-5);
    assert.ok(Math.abs(amplitudeAt(y, SR, 3000) - 0.2) < 1e-5);
    assert.ok(amplitudeAt(y, SR, 299 + 2 / 3) < 1e-5);
    assert.ok(amplitudeAt(y, SR, 3000 + 1 / 3) < 1e-5);
  });

  test("removes the 300 Hz bin of a 2499-sample clip, where numpy's bin frequency is 299.99999999999994", () => {
    const n = 2499;
    const x = sines(n, SR, [[300, 0.5]]); // exactly bin 34
    const y = bandPassEq(x, SR, 300, 3000);
    assert.ok(amplitudeAt(y, SR, 300) < 1e-5, `300 Hz: ${amplitudeAt(y, SR, 300)}`);
  });

  test("matches numpy's rfft/irfft band-pass on a 2205-sample clip to 1e-6", () => {
    const y = bandPassEq(referenceClip(), SR, 300, 3000);
    let energy = 0;
    for (const v of y) energy += v * v;
    assert.ok(Math.abs(energy - 8.285147120652748) < 1e-5, `energy ${energy}`);
    const want = [
      -0.2565276158603687, -0.18754994444742104, -0.0482058083655757, -0.1873253970792955, -0.25988215302738543,
    ];
    assert.ok(
      maxAbsDiff(
        [0, 1, 100, 1102, 2204].map((i) => y[i] as number),
        want,
      ) < 1e-6,
    );
  });

  test("matches numpy on the 3 s a_tones_clicks fixture at 1e-6", () => {
    // numpy: eq of a_tones_clicks.y.npy; energy and samples 0, 1, 2500 (a click), 33075, 66149
    const y = bandPassEq(tonesAndClicks(), SR, 300, 3000);
    let energy = 0;
    for (const v of y) energy += v * v;
    assert.ok(Math.abs(energy - 6614.697894512192) < 1e-3, `energy ${energy}`);
    const want = [
      6.231371229810139e-5, 0.11895223788736768, -0.2958389969460296, 0.0003216420130751154, -0.11883582314271916,
    ];
    assert.ok(
      maxAbsDiff(
        [0, 1, 2500, 33075, 66149].map((i) => y[i] as number),
        want,
      ) < 1e-6,
    );
  });
});

describe("freqmask", () => {
  test("removes only the 2000 Hz tone of 500 + 2000 + 5000 Hz and keeps the length", () => {
    const x = sines(N, SR, [
      [500, 0.3],
      [2000, 0.3],
      [5000, 0.3],
    ]);
    const y = maskFrequencyBand(x, SR, 1000, 3000);
    assert.equal(y.length, N);
    assert.ok(amplitudeAt(y, SR, 2000) < 1e-5, `2000 Hz: ${amplitudeAt(y, SR, 2000)}`);
    assert.ok(Math.abs(amplitudeAt(y, SR, 500) - 0.3) < 1e-5);
    assert.ok(Math.abs(amplitudeAt(y, SR, 5000) - 0.3) < 1e-5);
  });

  test("removes tones exactly at 1000 and 3000 Hz and keeps the neighbouring bins outside (inclusive edges)", () => {
    const x = sines(N, SR, [
      [1000, 0.2],
      [3000, 0.2],
      [999 + 2 / 3, 0.2],
      [3000 + 1 / 3, 0.2],
    ]);
    const y = maskFrequencyBand(x, SR, 1000, 3000);
    assert.ok(amplitudeAt(y, SR, 1000) < 1e-5);
    assert.ok(amplitudeAt(y, SR, 3000) < 1e-5);
    assert.ok(Math.abs(amplitudeAt(y, SR, 999 + 2 / 3) - 0.2) < 1e-5);
    assert.ok(Math.abs(amplitudeAt(y, SR, 3000 + 1 / 3) - 0.2) < 1e-5);
  });

  test("matches numpy's rfft/irfft band-stop on a 2205-sample clip to 1e-6", () => {
    const y = maskFrequencyBand(referenceClip(), SR, 1000, 3000);
    let energy = 0;
    for (const v of y) energy += v * v;
    assert.ok(Math.abs(energy - 449.9716984149303) < 1e-4, `energy ${energy}`);
    const want = [
      -0.5948677285619413, -0.020480034214380192, 0.5203443384359348, 0.30100957585323923, -0.2711617642490265,
    ];
    assert.ok(
      maxAbsDiff(
        [0, 1, 100, 1102, 2204].map((i) => y[i] as number),
        want,
      ) < 1e-6,
    );
  });

  test("matches numpy on the 3 s a_tones_clicks fixture at 1e-6", () => {
    // numpy: freqmask of a_tones_clicks.y.npy; energy and samples 0, 1, 2500 (a click), 33075, 66149
    const y = maskFrequencyBand(tonesAndClicks(), SR, 1000, 3000);
    let energy = 0;
    for (const v of y) energy += v * v;
    assert.ok(Math.abs(energy - 5292.6262523816595) < 1e-3, `energy ${energy}`);
    const want = [
      2.467287720305345e-5, 0.05005662756726245, -0.015913961787477872, -0.00011687538347497982, -0.05000233869335709,
    ];
    assert.ok(
      maxAbsDiff(
        [0, 1, 2500, 33075, 66149].map((i) => y[i] as number),
        want,
      ) < 1e-6,
    );
  });
});

describe("thesis defaults", () => {
  test("are the values the augmentations above are tested with", () => {
    const c = DEFAULT_AUGMENT_CONFIG;
    assert.deepEqual(
      [
        c.noiseStd,
        c.compressDrive,
        c.stretchRate,
        c.eqLowHz,
        c.eqHighHz,
        c.clipLevel,
        c.scaleGain,
        c.padSeconds,
        c.maskLowHz,
        c.maskHighHz,
      ],
      [0.01, 0.8, 1.25, 300, 3000, 0.95, 0.8, 0.7, 1000, 3000],
    );
  });
});

describe("registry", () => {
  /** 1 s of tones and clicks: long enough for the phase vocoder, short enough to be quick. */
  const clip = tonesAndClicks().slice(0, SR);

  test("has exactly the nine thesis augmentations", () => {
    assert.deepEqual(Object.keys(AUGMENTATIONS).sort(), [...AUGMENTATION_NAMES].sort());
  });

  test("no augmentation modifies its input array", () => {
    for (const name of AUGMENTATION_NAMES) {
      const x = clip.slice();
      const y = augment(name, x, SR, DEFAULT_AUGMENT_CONFIG, new SeededRandom(1));
      assert.notEqual(y, x, `${name} returned its input`);
      assert.deepEqual(x, clip, `${name} modified its input`);
    }
  });

  test("output lengths are n, except stretch round(n / 1.25) and pad n + 2·round(0.7·sr)", () => {
    const n = clip.length;
    const want: Record<string, number> = { stretch: Math.round(n / 1.25), pad: n + 2 * 15435 };
    for (const name of AUGMENTATION_NAMES) {
      const y = augment(name, clip, SR, DEFAULT_AUGMENT_CONFIG, new SeededRandom(1));
      assert.equal(y.length, want[name] ?? n, name);
    }
  });

  test("reads each augmentation's parameters from the config", () => {
    const config: AugmentConfig = { ...DEFAULT_AUGMENT_CONFIG, scaleGain: 0.5, clipLevel: 0.1, padSeconds: 0.001 };
    const x = Float32Array.of(1, -0.5, 0.25);
    const rng = new SeededRandom(1);
    assert.deepEqual(augment("scale", x, SR, config, rng), Float32Array.of(0.5, -0.25, 0.125));
    assert.deepEqual(augment("clip", x, SR, config, rng), Float32Array.from([0.1, -0.1, 0.1], Math.fround));
    assert.equal(augment("pad", x, SR, config, rng).length, 3 + 2 * 22);
  });

  test("augmentAll returns the enabled augmentations in config order", () => {
    const config: AugmentConfig = { ...DEFAULT_AUGMENT_CONFIG, enabled: ["pad", "noise", "reverse"] };
    const out = augmentAll(clip, SR, config, 42);
    assert.deepEqual(
      out.map((a) => a.name),
      ["pad", "noise", "reverse"],
    );
    assert.deepEqual(out[2]?.samples, reverseSamples(clip, SR));
  });

  test("augmentAll gives identical noise for the same seed, whatever else is enabled", () => {
    const alone = augmentAll(clip, SR, { ...DEFAULT_AUGMENT_CONFIG, enabled: ["noise"] }, 42);
    const among = augmentAll(clip, SR, DEFAULT_AUGMENT_CONFIG, 42);
    assert.deepEqual(among.find((a) => a.name === "noise")?.samples, alone[0]?.samples);
    assert.deepEqual(alone[0]?.samples, addGaussianNoise(clip, SR, 0.01, new SeededRandom(42)));
  });

  test("augmentAll gives different noise for different seeds", () => {
    const config: AugmentConfig = { ...DEFAULT_AUGMENT_CONFIG, enabled: ["noise"] };
    const a = augmentAll(clip, SR, config, 1)[0]?.samples ?? new Float32Array(0);
    const b = augmentAll(clip, SR, config, 2)[0]?.samples ?? new Float32Array(0);
    assert.ok(maxAbsDiff(a, b) > 1e-3);
  });

  test("eq and freqmask given the clip's spectrum return exactly what they compute without it, and leave it unchanged", () => {
    const spectrum = rfft(clip);
    const before = { re: spectrum.re.slice(), im: spectrum.im.slice() };
    assert.deepEqual(bandPassEq(clip, SR, 300, 3000, spectrum), bandPassEq(clip, SR, 300, 3000));
    assert.deepEqual(maskFrequencyBand(clip, SR, 1000, 3000, spectrum), maskFrequencyBand(clip, SR, 1000, 3000));
    assert.deepEqual(spectrum, before);
  });

  test("eq refuses a spectrum of another clip length with a ShapeError", () => {
    assert.throws(() => bandPassEq(clip, SR, 300, 3000, rfft(clip.subarray(1))), ShapeError);
  });

  test("augmentAll (one shared whole-clip spectrum) gives each augmentation's own output, bit for bit", () => {
    const all = augmentAll(clip, SR, DEFAULT_AUGMENT_CONFIG, 42);
    const rng = new SeededRandom(42);
    for (const { name, samples } of all)
      assert.deepEqual(samples, augment(name, clip, SR, DEFAULT_AUGMENT_CONFIG, rng), name);
  });

  test("ClipWork computes the whole-clip spectrum once and hands the same one to every caller", () => {
    const work = new ClipWork(clip);
    const first = work.wholeSpectrum();
    assert.equal(work.wholeSpectrum(), first);
    assert.deepEqual(first, rfft(clip));
  });

  test("augmentAll rejects an unknown augmentation name with a ConfigError", () => {
    const config = { ...DEFAULT_AUGMENT_CONFIG, enabled: ["reverse", "chorus"] } as unknown as AugmentConfig;
    assert.throws(
      () => augmentAll(clip, SR, config, 1),
      (e: unknown) => e instanceof ConfigError && /chorus/.test(e.message),
    );
  });
});
