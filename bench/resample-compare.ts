/**
 * Compare resamplers against librosa's default (soxr HQ) on the two resampled fixtures:
 * c_sweep_stereo (44.1 kHz stereo -> 22.05 kHz) and d_short_16k (16 kHz -> 22.05 kHz).
 *
 * For each candidate: the largest sample error against `<id>.y.npy`, the largest MFCC error
 * against `<id>.mfcc40.npy` as a fraction of max |MFCC| (MFCCs from src/dsp/mfcc.ts, which
 * reproduces librosa's to ~1e-7 on the same input), and the time to resample a 10 s 16 kHz clip
 * (median of several runs; the machine is shared, so treat timings as rough).
 *
 * librosa's own `res_type='fft'` and `'polyphase'` outputs are in the fixtures; they are listed
 * for scale. The last line printed is one JSON object with every figure.
 *
 * Run: npm run bench:resample
 */
import { join } from "node:path";
import { create, ConverterType } from "@alexanderolsen/libsamplerate-js";
import { decodeWavFile } from "../src/audio/wav";
import { toMono } from "../src/audio/mono";
import { resample, resampledLength, SOXR_HQ_ATTENUATION_DB, SOXR_HQ_PASSBAND_END } from "../src/audio/resample";
import { polyphaseResample } from "../src/audio/polyphase";
import { designKaiserSinc } from "../src/audio/kaiser";
import { loadNpyFloat32 } from "../src/data/npy";
import { mfcc } from "../src/dsp/mfcc";

const FIXTURES = join(__dirname, "..", "test", "fixtures", "librosa");
const SIGNALS = ["c_sweep_stereo", "d_short_16k"] as const;
const TARGET_HZ = 22050;

type Resampler = (x: Float32Array, fromHz: number, toHz: number) => Float32Array;

interface Candidate {
  name: string;
  run: Resampler | null; // null: only the fixture output exists (librosa's own variants)
  fixtureSuffix?: string;
}

/** librosa's `fix_length`: pad with zeros or trim to n. */
function fixLength(x: Float32Array, n: number): Float32Array {
  if (x.length === n) return x;
  const out = new Float32Array(n);
  out.set(x.subarray(0, Math.min(n, x.length)));
  return out;
}

/** One-stage Kaiser-sinc polyphase with soxr HQ's pass band, no FFT stage: simpler, slower. */
const singleStageKaiser: Resampler = (x, fromHz, toHz) => {
  const nyquist = Math.min(fromHz, toHz) / 2;
  const kernel = designKaiserSinc(SOXR_HQ_PASSBAND_END * nyquist, nyquist, SOXR_HQ_ATTENUATION_DB);
  const n = resampledLength(x.length, fromHz, toHz);
  return Float32Array.from(polyphaseResample({ data: Float64Array.from(x), first: 0 }, fromHz, toHz, kernel, 0, n));
};

async function libsamplerate(converterType: number): Promise<Resampler> {
  // warm the wasm module once; each call creates its own converter for its rates
  const probe = await create(1, 16000, TARGET_HZ, { converterType: converterType as 0 });
  probe.destroy();
  const converters = new Map<string, Awaited<ReturnType<typeof create>>>();
  for (const from of [16000, 44100])
    converters.set(`${from}`, await create(1, from, TARGET_HZ, { converterType: converterType as 0 }));
  return (x, fromHz, toHz) => {
    const src = converters.get(`${fromHz}`);
    if (src === undefined || toHz !== TARGET_HZ) throw new Error(`no converter for ${fromHz} -> ${toHz}`);
    // what librosa does for res_type='sinc_*': samplerate.resample (src_simple), then fix_length
    return fixLength(src.simple(x), resampledLength(x.length, fromHz, toHz));
  };
}

function maxAbsError(a: Float32Array, ref: Float32Array): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (ref[i] as number)));
  return m;
}

function mfccDeviation(y: Float32Array, refMfcc: Float32Array): number {
  const m = mfcc(y, TARGET_HZ).data;
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < refMfcc.length; i++) {
    maxErr = Math.max(maxErr, Math.abs((m[i] as number) - (refMfcc[i] as number)));
    maxRef = Math.max(maxRef, Math.abs(refMfcc[i] as number));
  }
  return maxErr / maxRef;
}

function medianMs(run: () => void, repeats: number): number {
  run(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function main(): Promise<void> {
  const candidates: Candidate[] = [
    { name: "kaiser-2stage (default resample)", run: resample },
    { name: "kaiser-1stage polyphase", run: singleStageKaiser },
    { name: "libsamplerate sinc_best", run: await libsamplerate(ConverterType.SRC_SINC_BEST_QUALITY) },
    { name: "libsamplerate sinc_medium", run: await libsamplerate(ConverterType.SRC_SINC_MEDIUM_QUALITY) },
    { name: "librosa fft (fixture)", run: null, fixtureSuffix: "y_fft" },
    { name: "librosa polyphase (fixture)", run: null, fixtureSuffix: "y_polyphase" },
  ];

  const inputs = SIGNALS.map((id) => {
    const audio = decodeWavFile(join(FIXTURES, `${id}.wav`));
    return {
      id,
      mono: toMono(audio.channels),
      rate: audio.sampleRateHz,
      y: loadNpyFloat32(join(FIXTURES, `${id}.y.npy`)).data,
      mfcc: loadNpyFloat32(join(FIXTURES, `${id}.mfcc40.npy`)).data,
    };
  });
  const clip10s = new Float32Array(160000).map(
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 0.1 * Math.sin(i * 1.7),
  );

  const results: Record<string, Record<string, number | null>> = {};
  for (const c of candidates) {
    const row: Record<string, number | null> = {};
    for (const input of inputs) {
      const y =
        c.run === null
          ? loadNpyFloat32(join(FIXTURES, `${input.id}.${c.fixtureSuffix}.npy`)).data
          : c.run(input.mono, input.rate, TARGET_HZ);
      const tag = input.id[0] as string;
      row[`${tag}_sample_max_abs`] = maxAbsError(y, input.y);
      row[`${tag}_mfcc_dev_frac`] = mfccDeviation(y, input.mfcc);
    }
    const run = c.run;
    row.ms_10s_16k = run === null ? null : medianMs(() => run(clip10s, 16000, TARGET_HZ), 7);
    results[c.name] = row;
  }

  const header = ["candidate", "c sample err", "c MFCC dev", "d sample err", "d MFCC dev", "10 s 16k ms"];
  const rows = Object.entries(results).map(([name, r]) => [
    name,
    (r.c_sample_max_abs as number).toExponential(2),
    `${((r.c_mfcc_dev_frac as number) * 100).toPrecision(3)} %`,
    (r.d_sample_max_abs as number).toExponential(2),
    `${((r.d_mfcc_dev_frac as number) * 100).toPrecision(3)} %`,
    r.ms_10s_16k === null ? "-" : (r.ms_10s_16k as number).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] as number)).join("  ");
  process.stdout.write(`resampling vs librosa soxr_hq (sample error: max abs; MFCC dev: max abs / max |MFCC|)\n`);
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(`${JSON.stringify({ reference: "librosa 0.10.2 soxr_hq fixtures", results })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
