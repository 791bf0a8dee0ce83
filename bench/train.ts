/**
 * Training speed of the thesis CNN: seconds per epoch over 2000 synthetic clips [2000][40][100],
 * at batch 32 and full-batch, for
 *   - our trainer on the chosen backend (default wasm with our kernels),
 *   - the stock `cpu` backend (a few steps only, extrapolated to an epoch: clearly labelled),
 *   - PyTorch (bench/train_torch.py with /usr/bin/python3, when torch is importable).
 *
 * Usage: npm run bench:train -- [--clips 2000] [--repeats 5] [--backend wasm] [--no-cpu] [--no-torch]
 * Prints a table, then as the very last line one JSON object with every figure and ratio.
 * Timings on a shared machine are noisy: best and median of `repeats` epochs are both reported.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type BackendPreference, parseBackendPreference, selectBackend } from "../src/model/backend";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { trainCnn } from "../src/model/train";

interface Timing {
  /** Wall-clock seconds per epoch. */
  best: number;
  median: number;
  all: number[];
  /** Process CPU seconds per epoch (user + system), less sensitive to other processes' load. */
  cpuBest?: number;
  cpuMedian?: number;
  /** True when the figure is extrapolated from part of an epoch. */
  extrapolated?: boolean;
  note?: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const clips = Number(arg("clips", "2000"));
const repeats = Number(arg("repeats", "5"));
const backendChoice: BackendPreference = parseBackendPreference(arg("backend", "wasm"));

function summarise(seconds: number[], extra: Partial<Timing> = {}): Timing {
  const sorted = seconds.slice().sort((a, b) => a - b);
  return { best: sorted[0] as number, median: sorted[Math.floor(sorted.length / 2)] as number, all: seconds, ...extra };
}

/**
 * Seconds per epoch of trainCnn: a warm-up run of one epoch, then a run of `epochs` timed ones.
 * @returns  wall-clock seconds of each timed epoch, and the run's mean process CPU seconds per epoch
 */
async function timeOurs(x: Float32Array, y: Int32Array, count: number, batchSize: number | "full", epochs: number): Promise<{ wall: number[]; cpu: number }> {
  const run = async (n: number): Promise<number[]> => {
    const { model, history } = await trainCnn(x.subarray(0, count * 4000), y.subarray(0, count), [count, 40, 100], {
      batchSize, epochs: n, shuffle: batchSize !== "full", validationSplit: 0, seed: 1,
    });
    model.dispose();
    return history.epochSeconds;
  };
  await run(1);
  const c0 = process.cpuUsage();
  const wall = await run(epochs);
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 / epochs };
}

function runTorch(): { threads: number; version: string; results: Record<string, Timing> } | string {
  const script = join(__dirname, "train_torch.py");
  const r = spawnSync("/usr/bin/python3", [script, "--clips", String(clips), "--repeats", String(repeats), "--batches", "32,full"], { encoding: "utf8" });
  if (r.error !== undefined) return `could not run /usr/bin/python3 (${r.error.message})`;
  if (r.status !== 0) return `train_torch.py failed: ${(r.stderr || "").trim().split("\n").pop() ?? ""} (install python3-torch)`;
  const line = r.stdout.trim().split("\n").pop() ?? "";
  const parsed = JSON.parse(line) as { torch: string; threads: number; results: Record<string, Timing> };
  return { version: parsed.torch, threads: parsed.threads, results: parsed.results };
}

const fmt = (t: Timing | undefined): string => (t === undefined ? "-" : `${t.best.toFixed(3)} / ${t.median.toFixed(3)}${t.extrapolated ? " *" : ""}`);

const ratio = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : a / b);
const fmtRatio = (r: number | null): string => (r === null ? "-" : `${r.toFixed(2)}x`);

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const data = syntheticMfccDataset(clips, { seed: 0 });
  const stepsPerEpoch = Math.ceil(clips / 32);
  const notes: string[] = [];
  const backend = await selectBackend(backendChoice, (n) => notes.push(n));
  const b32 = await timeOurs(data.x, data.y, clips, 32, repeats);
  const fullRun = await timeOurs(data.x, data.y, clips, "full", repeats);
  const ours = {
    b32: summarise(b32.wall, { cpuMedian: b32.cpu }),
    full: summarise(fullRun.wall, { cpuMedian: fullRun.cpu }),
  };

  let cpu: { b32: Timing; full: Timing } | undefined;
  if (!flag("no-cpu") && backend !== "cpu") {
    await selectBackend("cpu");
    // 2 steps of 32 (after a warm-up run), scaled to the real number of steps per epoch
    const partSteps = 2;
    const part32 = await timeOurs(data.x, data.y, partSteps * 32, 32, 1);
    // one full-batch step on 100 clips, scaled linearly to `clips`
    const partClips = 100;
    const partFull = await timeOurs(data.x, data.y, partClips, "full", 1);
    cpu = {
      b32: summarise(part32.wall.map((s) => (s * stepsPerEpoch) / partSteps), { extrapolated: true, note: `${partSteps} steps of 32 scaled to ${stepsPerEpoch}` }),
      full: summarise(partFull.wall.map((s) => (s * clips) / partClips), { extrapolated: true, note: `one full-batch step on ${partClips} clips scaled to ${clips}` }),
    };
    await selectBackend(backendChoice);
  }

  const torch = flag("no-torch") ? "skipped (--no-torch)" : runTorch();
  const torchResults = typeof torch === "string" ? undefined : torch.results;

  const rows: Array<[string, Timing | undefined, Timing | undefined]> = [
    [`ours (${backend})`, ours.b32, ours.full],
    ["tfjs cpu backend (stock kernels)", cpu?.b32, cpu?.full],
    [typeof torch === "string" ? "PyTorch" : `PyTorch ${torch.version} (${torch.threads} thread${torch.threads === 1 ? "" : "s"})`, torchResults?.["32"], torchResults?.["full"]],
  ];
  const r32 = {
    best: ratio(ours.b32.best, torchResults?.["32"]?.best),
    median: ratio(ours.b32.median, torchResults?.["32"]?.median),
    cpuMedian: ratio(ours.b32.cpuMedian, torchResults?.["32"]?.cpuMedian),
  };
  const rFull = {
    best: ratio(ours.full.best, torchResults?.["full"]?.best),
    median: ratio(ours.full.median, torchResults?.["full"]?.median),
    cpuMedian: ratio(ours.full.cpuMedian, torchResults?.["full"]?.cpuMedian),
  };
  const fmtCpu = (t: Timing | undefined): string => (t?.cpuMedian === undefined ? "-" : t.cpuMedian.toFixed(3));

  const lines = [
    `Training the thesis CNN on ${clips} synthetic clips [40][100]; seconds per epoch, best / median of ${repeats} epochs after a warm-up epoch`,
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} at start, Node ${process.version}, tfjs ${tf.version_core}`,
    ...notes.map((n) => `note: ${n}`),
    "",
    `${"".padEnd(36)}${"batch 32".padEnd(22)}full batch`,
    ...rows.map(([name, a, b]) => `${name.padEnd(36)}${fmt(a).padEnd(22)}${fmt(b)}`),
    `${"ours / PyTorch (best, median)".padEnd(36)}${`${fmtRatio(r32.best)}, ${fmtRatio(r32.median)}`.padEnd(22)}${fmtRatio(rFull.best)}, ${fmtRatio(rFull.median)}`,
    "",
    "process CPU seconds per epoch (mean for ours, median for PyTorch; all threads):",
    `${`ours (${backend})`.padEnd(36)}${fmtCpu(ours.b32).padEnd(22)}${fmtCpu(ours.full)}`,
    `${"PyTorch".padEnd(36)}${fmtCpu(torchResults?.["32"]).padEnd(22)}${fmtCpu(torchResults?.["full"])}`,
    `${"ours / PyTorch".padEnd(36)}${fmtRatio(r32.cpuMedian).padEnd(22)}${fmtRatio(rFull.cpuMedian)}`,
    "",
    cpu === undefined ? "" : `* extrapolated: cpu batch 32 = ${cpu.b32.note}; cpu full batch = ${cpu.full.note}`,
    typeof torch === "string" ? `PyTorch: ${torch}` : "",
    "Goals: ours within 1.5x of PyTorch at batch 32 and within 3x full-batch.",
  ].filter((l, i, all) => l !== "" || (i > 0 && all[i - 1] !== ""));
  process.stdout.write(`${lines.join("\n")}\n`);
  const summary = {
    clips, repeats, backend, machineCpus: cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg(),
    ours, stockCpu: cpu ?? null,
    pytorch: typeof torch === "string" ? { unavailable: torch } : torch,
    ratioOursOverPytorch: { batch32: r32, full: rFull },
    goalsMet: { batch32: r32.best !== null ? r32.best <= 1.5 : null, full: rFull.best !== null ? rFull.best <= 3 : null },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
