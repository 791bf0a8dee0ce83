/**
 * MFCC throughput: N three-second 22050 Hz clips through MfccExtractor.features() (librosa's
 * feature.mfcc, 40 coefficients, padded/truncated to 100 frames), once per FFT precision.
 *
 *   npm run bench:features                # 500 clips, 3 timed passes per FFT precision
 *   npm run bench:features -- --clips 2000 --repeats 5 --fft float32
 *
 * The clips are synthetic but machine-like: a hum at a random fundamental with four harmonics,
 * white noise at a random level, and a few clicks (seeded, so every run times the same audio).
 * 50 distinct clips are generated and cycled through, so memory stays small.
 *
 * Prints a table, then as the very last line one JSON object with the figures. Timings are
 * process CPU time (less sensitive than wall time to other jobs on a shared machine); the best
 * and the median of the passes are reported.
 *
 * librosa is timed in the same run on the same clips (scripts/reference/librosa_features_bench.py)
 * when $PYTHON (default /usr/bin/python3) imports it; otherwise the table says "not measured in
 * this run" next to the figure measured earlier.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";
import { saveNpy } from "../src/data/npy";
import { Dct2Ortho } from "../src/dsp/dct";
import { createRealFftAsync, initFloat32Fft, type FftPrecision } from "../src/dsp/fft";
import { melFilterbank } from "../src/dsp/mel";
import { WasmMelPower } from "../src/dsp/melKernel";
import { createMfccExtractor } from "../src/dsp/mfcc";
import { loadedPffft } from "../src/dsp/pffft";
import { maxPower, powerToDbSliceInPlace } from "../src/dsp/powerToDb";
import { stftFrameCount } from "../src/dsp/stft";
import { SeededRandom } from "../src/util/random";
import { probePython, runReference } from "./referencePython";
import FFTJS = require("fft.js");

const CLIP_SECONDS = 3;
const SAMPLE_RATE = DEFAULT_FEATURE_CONFIG.sampleRateHz;
const DISTINCT_CLIPS = 50;
/** librosa 0.10.2 feature.mfcc on one 3 s clip, measured earlier on this machine (shown when librosa is not importable). */
const LIBROSA_MS_PER_CLIP_EARLIER = 4.3;
/** One 2048-point fft.js realTransform on this machine as quoted earlier (not in this run), µs: a yardstick for how loaded it is now. */
const QUIET_FFTJS_US = 19;
const GOAL_REALTIME_FACTOR = 2000;
/** Frames per kernel call, as in MfccExtractor. */
const BLOCK = 16;

interface Args {
  clips: number;
  repeats: number;
  precisions: FftPrecision[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { clips: 500, repeats: 3, precisions: ["float32", "float64"] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--clips" && value !== undefined) {
      args.clips = Math.max(1, Number.parseInt(value, 10));
      i++;
    } else if (flag === "--repeats" && value !== undefined) {
      args.repeats = Math.max(1, Number.parseInt(value, 10));
      i++;
    } else if (flag === "--fft" && (value === "float32" || value === "float64")) {
      args.precisions = [value];
      i++;
    } else if (flag !== undefined && /^\d+$/.test(flag)) {
      args.clips = Math.max(1, Number.parseInt(flag, 10));
    }
  }
  return args;
}

function makeClips(count: number): Float32Array[] {
  const rng = new SeededRandom(2023);
  const n = CLIP_SECONDS * SAMPLE_RATE;
  const clips: Float32Array[] = [];
  for (let c = 0; c < count; c++) {
    const y = new Float32Array(n);
    const f0 = 50 + rng.next() * 400;
    const noise = 0.005 + rng.next() * 0.05;
    const amps = [0.3, 0.15, 0.08, 0.04, 0.02].map((a) => a * (0.5 + rng.next()));
    for (let i = 0; i < n; i++) {
      let v = noise * rng.gaussian();
      for (let h = 0; h < amps.length; h++)
        v += (amps[h] as number) * Math.sin((2 * Math.PI * f0 * (h + 1) * i) / SAMPLE_RATE);
      y[i] = v;
    }
    for (let k = 0; k < 6; k++) y[rng.nextInt(n)] = 0.8;
    clips.push(y);
  }
  return clips;
}

/** Process CPU time, ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface PrecisionResult {
  msPerClipBest: number;
  msPerClipMedian: number;
  clipsPerSecondBest: number;
  realtimeFactorBest: number;
  realtimeFactorMedian: number;
  wallMsPerClipBest: number;
}

async function timeExtractor(
  precision: FftPrecision,
  clips: Float32Array[],
  total: number,
  repeats: number,
): Promise<PrecisionResult> {
  const extractor = await createMfccExtractor(DEFAULT_FEATURE_CONFIG, { fft: precision });
  let sink = 0;
  for (let i = 0; i < 100; i++) sink += extractor.features(clips[i % clips.length] as Float32Array).data[0] as number; // warm-up (JIT)
  const perClip: number[] = [];
  const wallPerClip: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = cpuMs();
    const w0 = performance.now();
    for (let i = 0; i < total; i++)
      sink += extractor.features(clips[i % clips.length] as Float32Array).data[1] as number;
    wallPerClip.push((performance.now() - w0) / total);
    perClip.push((cpuMs() - c0) / total);
  }
  extractor.dispose();
  if (Number.isNaN(sink)) throw new Error("NaN in the features");
  const best = Math.min(...perClip);
  const med = median(perClip);
  return {
    msPerClipBest: best,
    msPerClipMedian: med,
    clipsPerSecondBest: 1000 / best,
    realtimeFactorBest: (CLIP_SECONDS * 1000) / best,
    realtimeFactorMedian: (CLIP_SECONDS * 1000) / med,
    wallMsPerClipBest: Math.min(...wallPerClip),
  };
}

interface StageSplit {
  melPowerMs: number;
  dbMs: number;
  dctMs: number;
}

/**
 * Where the time goes (float32 FFT), each step of MfccExtractor.features() timed on its own over
 * the same clips with the buffers it uses there, best of 4 passes after a warm-up pass:
 * mel power of all 130 frames (PFFFT plus the SIMD kernel for Hann window, power and mel bands),
 * power_to_db of the 100 kept frames (floor from all 130), and their DCT.
 */
async function stageSplit(clips: Float32Array[], total: number): Promise<StageSplit> {
  const config = DEFAULT_FEATURE_CONFIG;
  await initFloat32Fft();
  const runtime = loadedPffft();
  const bank = melFilterbank(config.sampleRateHz, config.nFft, { nMels: config.nMels });
  const kernel = runtime === null ? null : WasmMelPower.create(runtime, config.nFft, bank, BLOCK);
  if (kernel === null) throw new Error("the SIMD mel kernel is not available on this runtime");
  const dctFft = await createRealFftAsync(config.nMels, "float32");
  const dct = new Dct2Ortho(config.nMels, config.nMfcc, dctFft);
  const n = CLIP_SECONDS * SAMPLE_RATE;
  const frames = stftFrameCount(n, config.hopLength);
  const keep = Math.min(frames, config.frames ?? frames);
  const half = config.nFft >> 1;
  const rounds = Math.min(total, 200);
  const melPower = (clip: Float32Array, out: Float32Array): void => {
    for (let t0 = 0; t0 < frames; t0 += BLOCK)
      kernel.melFrames(
        clip,
        t0 * config.hopLength - half,
        config.hopLength,
        Math.min(BLOCK, frames - t0),
        out,
        t0 * config.nMels,
      );
  };
  // inputs of each step, prepared once per distinct clip
  const mels = clips.map((clip) => {
    const m = new Float32Array(frames * config.nMels);
    melPower(clip, m);
    return m;
  });
  const dbs = mels.map((m) => {
    const d = m.slice(0, keep * config.nMels);
    powerToDbSliceInPlace(d, maxPower(m), { topDb: config.topDb });
    return d;
  });
  const work = new Float32Array(frames * config.nMels);
  const out = new Float32Array(config.nMfcc * keep);
  const stages: Array<[keyof StageSplit, (c: number) => void]> = [
    ["melPowerMs", (c) => melPower(clips[c] as Float32Array, work)],
    [
      "dbMs",
      (c) => {
        const m = mels[c] as Float32Array;
        const part = work.subarray(0, keep * config.nMels);
        part.set(m.subarray(0, keep * config.nMels)); // a memcpy, ~1 % of this step
        powerToDbSliceInPlace(part, maxPower(m), { topDb: config.topDb });
      },
    ],
    [
      "dctMs",
      (c) => {
        const d = dbs[c] as Float32Array;
        for (let f = 0; f < keep; f++) dct.transform(d, out, f * config.nMels, 1, f, keep);
      },
    ],
  ];
  const best: StageSplit = { melPowerMs: Infinity, dbMs: Infinity, dctMs: Infinity };
  for (let pass = 0; pass < 5; pass++) {
    for (const [name, run] of stages) {
      const t0 = cpuMs();
      for (let c = 0; c < rounds; c++) run(c % clips.length);
      const ms = (cpuMs() - t0) / rounds;
      if (pass > 0) best[name] = Math.min(best[name], ms); // pass 0 warms up the JIT
    }
  }
  kernel.dispose();
  dctFft.dispose();
  return best;
}

/**
 * µs per 2048-point fft.js realTransform right now (the operation behind QUIET_FFT_US): compared
 * with the quiet-machine figure it shows how busy the machine is during this run.
 */
function fftYardstick(): number {
  const fft = new FFTJS(2048);
  const input = Float64Array.from({ length: 2048 }, (_, i) => Math.sin(i * 0.1));
  const out = new Float64Array(4096);
  for (let i = 0; i < 1000; i++) fft.realTransform(out, input);
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = cpuMs();
    for (let i = 0; i < 5000; i++) fft.realTransform(out, input);
    best = Math.min(best, ((cpuMs() - t0) * 1000) / 5000);
  }
  return best;
}

interface LibrosaResult {
  librosa: string;
  msPerClipBest: number;
  msPerClipMedian: number;
}

/** librosa on the same clips, or why it was not measured. */
function timeLibrosa(clips: Float32Array[], total: number, repeats: number): LibrosaResult | { notMeasured: string } {
  const probe = probePython(["numpy", "librosa"]);
  if (!probe.ok) return { notMeasured: `${probe.python}: ${probe.missing.join("; ")}` };
  const dir = mkdtempSync(join(tmpdir(), "soundcheck-bench-librosa-"));
  try {
    const path = join(dir, "clips.npy");
    const n = (clips[0] as Float32Array).length;
    const data = new Float32Array(clips.length * n);
    clips.forEach((c, i) => data.set(c, i * n));
    saveNpy(path, { dtype: "<f4", shape: [clips.length, n], data });
    return runReference<LibrosaResult>(
      "librosa_features_bench.py",
      [path, "--clips", String(total), "--repeats", String(repeats)],
      3_600_000,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const clips = makeClips(Math.min(DISTINCT_CLIPS, args.clips));
  const results: Partial<Record<FftPrecision, PrecisionResult>> = {};
  for (const precision of args.precisions)
    results[precision] = await timeExtractor(precision, clips, args.clips, args.repeats);
  const stages = await stageSplit(clips, args.clips);
  const librosa = timeLibrosa(clips, args.clips, args.repeats);
  const yardstick = fftYardstick();
  const loadFactor = yardstick / QUIET_FFTJS_US;

  const widths = [44, 10, 14, 16, 14];
  console.log(
    `MFCC features: ${args.clips} clips of ${CLIP_SECONDS} s at ${SAMPLE_RATE} Hz (nFft 2048, hop 512, 128 mels, 40 MFCC, 100 frames), ${args.repeats} passes, CPU time, one core`,
  );
  console.log(row(["variant", "clips/s", "ms per clip", "x real time", "(median)"], widths));
  for (const precision of args.precisions) {
    const r = results[precision] as PrecisionResult;
    console.log(
      row(
        [
          `soundcheck-ts, ${precision} FFT`,
          r.clipsPerSecondBest.toFixed(0),
          r.msPerClipBest.toFixed(3),
          `${r.realtimeFactorBest.toFixed(0)}x`,
          `${r.realtimeFactorMedian.toFixed(0)}x`,
        ],
        widths,
      ),
    );
  }
  const librosaRow = (label: string, best: number, med: string): string =>
    row(
      [label, (1000 / best).toFixed(0), best.toFixed(3), `${((CLIP_SECONDS * 1000) / best).toFixed(0)}x`, med],
      widths,
    );
  if ("notMeasured" in librosa) {
    console.log(row(["librosa 0.10.2: not measured in this run", "", "", "", ""], widths));
    console.log(`  (${librosa.notMeasured})`);
    console.log(librosaRow("librosa 0.10.2, measured earlier", LIBROSA_MS_PER_CLIP_EARLIER, ""));
  } else {
    const med = `${((CLIP_SECONDS * 1000) / librosa.msPerClipMedian).toFixed(0)}x`;
    console.log(librosaRow(`librosa ${librosa.librosa}, this run`, librosa.msPerClipBest, med));
  }
  console.log(
    `goal: >= ${GOAL_REALTIME_FACTOR}x real time (<= ${((CLIP_SECONDS * 1000) / GOAL_REALTIME_FACTOR).toFixed(2)} ms per clip)`,
  );
  const stageTotal = stages.melPowerMs + stages.dbMs + stages.dctMs;
  const f32 = results.float32;
  console.log("per-step split (float32 FFT; each step timed alone, best of 4 passes):");
  for (const [name, ms] of [
    ["mel power, 130 frames (PFFFT + SIMD kernel)", stages.melPowerMs],
    ["power_to_db, 100 kept frames", stages.dbMs],
    ["DCT-II, 100 kept frames", stages.dctMs],
    ["sum of the steps", stageTotal],
    ...(f32 === undefined ? [] : ([["whole features() call (best pass above)", f32.msPerClipBest]] as const)),
  ] as const) {
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(3).padStart(7)} ms`);
  }
  console.log(
    `machine load yardstick: a 2048-point fft.js realTransform takes ${yardstick.toFixed(1)} µs now, ` +
      `against ${QUIET_FFTJS_US} µs quoted earlier for this machine (${loadFactor.toFixed(1)}x)`,
  );
  const fastest = Math.min(...args.precisions.map((p) => (results[p] as PrecisionResult).msPerClipBest));
  const round = (x: number): number => Number(x.toPrecision(4));
  const json = {
    benchmark: "features",
    clips: args.clips,
    clipSeconds: CLIP_SECONDS,
    sampleRateHz: SAMPLE_RATE,
    repeats: args.repeats,
    timing: "process CPU time",
    results: Object.fromEntries(
      args.precisions.map((p) => {
        const r = results[p] as PrecisionResult;
        return [
          p,
          {
            msPerClipBest: round(r.msPerClipBest),
            msPerClipMedian: round(r.msPerClipMedian),
            clipsPerSecondBest: round(r.clipsPerSecondBest),
            realtimeFactorBest: round(r.realtimeFactorBest),
            realtimeFactorMedian: round(r.realtimeFactorMedian),
            wallMsPerClipBest: round(r.wallMsPerClipBest),
          },
        ];
      }),
    ),
    stagesMsPerClip: { melPower: round(stages.melPowerMs), powerToDb: round(stages.dbMs), dct: round(stages.dctMs) },
    fftjsMicrosecondsNow: round(yardstick),
    fftjsMicrosecondsQuotedEarlier: QUIET_FFTJS_US,
    librosa:
      "notMeasured" in librosa
        ? { measuredInThisRun: false, notMeasuredBecause: librosa.notMeasured }
        : {
            measuredInThisRun: true,
            version: librosa.librosa,
            msPerClipBest: round(librosa.msPerClipBest),
            msPerClipMedian: round(librosa.msPerClipMedian),
            speedupBest: round(librosa.msPerClipBest / fastest),
          },
    librosaMsPerClipMeasuredEarlier: LIBROSA_MS_PER_CLIP_EARLIER,
    goalRealtimeFactor: GOAL_REALTIME_FACTOR,
    meetsGoal: (CLIP_SECONDS * 1000) / fastest >= GOAL_REALTIME_FACTOR,
  };
  console.log(JSON.stringify(json));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
