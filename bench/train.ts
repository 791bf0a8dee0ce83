/**
 * Training speed of the thesis CNN: seconds per epoch over 2000 synthetic clips [2000][40][100],
 * at batch 32 and full-batch, for
 *   - our trainer (trainCnn) on the chosen backend (default wasm with our kernels), on one thread
 *     (workers: 1) and data-parallel on `--workers` worker threads (default 2) where a step has
 *     several micro-batches to share out (full batch; a step of 32 is one micro-batch),
 *   - the tfjs `cpu` backend with its stock kernels (a few steps only, extrapolated to an epoch:
 *     clearly labelled),
 *   - PyTorch (bench/train_torch.py --serve with /usr/bin/python3, when torch is importable).
 *
 * The machine is shared, so our epochs (one thread, workers) and PyTorch's are interleaved (ours,
 * ours with workers, PyTorch, ours, ...) and compared pair by pair: both sides of a pair ran
 * under about the same load. The ratios reported are medians over pairs, next to best-vs-best.
 * The workers' start-up (threads, tfjs, wasm; not part of an epoch) is reported separately.
 *
 * Usage: npm run bench:train -- [--clips 2000] [--repeats 5] [--backend wasm] [--workers 2] [--no-cpu] [--no-torch]
 * Prints a table, then as the very last line one JSON object with every figure and ratio.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import * as tf from "@tensorflow/tfjs";
import { type BackendPreference, parseBackendPreference, selectBackend } from "../src/model/backend";
import { MICRO_BATCH_ROWS } from "../src/model/microBatches";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { trainCnn } from "../src/model/train";

type Setting = "32" | "full";
const SETTINGS: readonly Setting[] = ["32", "full"];

interface EpochTime {
  /** Wall-clock seconds. */
  wall: number;
  /** Process CPU seconds (user + system, all threads). */
  cpu: number;
}

interface Summary {
  best: number;
  median: number;
  cpuMedian: number;
  all: number[];
  /** Set when the figure is extrapolated from part of an epoch. */
  extrapolated?: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const clips = Number(arg("clips", "2000"));
const repeats = Number(arg("repeats", "5"));
const backendChoice: BackendPreference = parseBackendPreference(arg("backend", "wasm"));
const workers = Number(arg("workers", "2"));

const median = (v: number[]): number => {
  const s = v.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const summarise = (t: EpochTime[], extrapolated?: string): Summary => {
  const s: Summary = {
    best: Math.min(...t.map((e) => e.wall)),
    median: median(t.map((e) => e.wall)),
    cpuMedian: median(t.map((e) => e.cpu)),
    all: t.map((e) => e.wall),
  };
  if (extrapolated !== undefined) s.extrapolated = extrapolated;
  return s;
};

/** One side's epochs over another's: median of the paired ratios, best over best, median CPU over median CPU. */
interface Ratio {
  pairMedian: number;
  best: number;
  cpuMedian: number;
  /** Wall-clock ratio of each pair of interleaved epochs. */
  pairs: number[];
}

/** `top` over `bottom` per setting (`pairs`: the paired wall-clock ratios); null where either side did not run. */
function ratiosBySetting(
  top: Partial<Record<Setting, Summary>>,
  bottom: Partial<Record<Setting, Summary>>,
  pairs: Partial<Record<Setting, number[]>>,
): Record<Setting, Ratio | null> {
  const ratio = (t: Summary | undefined, b: Summary | undefined, p: number[] | undefined): Ratio | null =>
    t === undefined || b === undefined || p === undefined
      ? null
      : { pairMedian: median(p), best: t.best / b.best, cpuMedian: t.cpuMedian / b.cpuMedian, pairs: p };
  return Object.fromEntries(SETTINGS.map((s) => [s, ratio(top[s], bottom[s], pairs[s])])) as Record<
    Setting,
    Ratio | null
  >;
}

const data = syntheticMfccDataset(clips, { seed: 0 });

/** Whether a step of this setting has more than one micro-batch for workers to share out. */
const workersApply = (setting: Setting): boolean => (setting === "full" ? clips : Number(setting)) > MICRO_BATCH_ROWS;

/**
 * One timed epoch of trainCnn on the first `count` clips with `threads` gradient workers (1 = the
 * main thread): a 2-epoch run whose second epoch is timed (the first builds the full batch and
 * settles the JIT). `overhead` = the run's wall time outside its epochs (worker start-up and
 * shutdown, model build), seconds.
 */
async function ourEpoch(count: number, setting: Setting, threads = 1): Promise<EpochTime & { overhead: number }> {
  const cpuAtEpochEnd: NodeJS.CpuUsage[] = [];
  const start = performance.now();
  const { model, history } = await trainCnn(
    data.x.subarray(0, count * 4000),
    data.y.subarray(0, count),
    [count, 40, 100],
    {
      batchSize: setting === "full" ? "full" : Number(setting),
      epochs: 2,
      shuffle: setting !== "full",
      validationSplit: 0,
      seed: 1,
      reportEvery: 1,
      workers: threads,
    },
    () => cpuAtEpochEnd.push(process.cpuUsage()),
  );
  const overhead = (performance.now() - start) / 1000 - history.epochSeconds.reduce((a, b) => a + b, 0);
  model.dispose();
  if (history.workers !== threads)
    throw new Error(`asked for ${threads} gradient workers, trainCnn used ${history.workers}`);
  const [a, b] = cpuAtEpochEnd as [NodeJS.CpuUsage, NodeJS.CpuUsage];
  return { wall: history.epochSeconds[1] as number, cpu: (b.user - a.user + b.system - a.system) / 1e6, overhead };
}

/** bench/train_torch.py --serve: one PyTorch epoch per request. */
class TorchServer {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    private readonly pending: Array<(line: string) => void>,
  ) {}
  info: { torch: string; threads: number } = { torch: "?", threads: 0 };

  static async start(): Promise<TorchServer | string> {
    const child = spawn("/usr/bin/python3", [join(__dirname, "train_torch.py"), "--serve", "--clips", String(clips)], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const pending: Array<(line: string) => void> = [];
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => pending.shift()?.(line));
    const server = new TorchServer(child, lines, pending);
    const first = await new Promise<string | null>((resolve) => {
      pending.push(resolve);
      child.on("error", () => resolve(null));
      child.on("exit", () => resolve(null));
    });
    if (first === null)
      return `PyTorch unavailable: ${stderr.trim().split("\n").pop() ?? "could not run /usr/bin/python3"} (apt-get install python3-torch)`;
    server.info = (JSON.parse(first) as { ready: { torch: string; threads: number } }).ready;
    return server;
  }

  epoch(setting: Setting): Promise<EpochTime> {
    return new Promise((resolve) => {
      this.pending.push((line) => resolve(JSON.parse(line) as EpochTime));
      this.child.stdin.write(`${setting}\n`);
    });
  }

  close(): void {
    this.lines.close();
    this.child.stdin.end();
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const notes: string[] = [];
  const backend = await selectBackend(backendChoice, (n) => notes.push(n));
  const torch = flag("no-torch") ? "PyTorch skipped (--no-torch)" : await TorchServer.start();

  const ours: Partial<Record<Setting, Summary>> = {};
  const oursParallel: Partial<Record<Setting, Summary>> = {};
  const pytorch: Partial<Record<Setting, Summary>> = {};
  const pairRatios: Partial<Record<Setting, number[]>> = {};
  const parallelPairRatios: Partial<Record<Setting, number[]>> = {};
  const parallelOverPytorchPairs: Partial<Record<Setting, number[]>> = {};
  const workerOverhead: number[] = [];
  const singleOverhead: number[] = [];
  for (const setting of SETTINGS) {
    // workers share out a step's micro-batches: a step of one micro-batch stays on one thread
    const parallel = workersApply(setting);
    await ourEpoch(clips, setting); // warm-up
    if (parallel) await ourEpoch(clips, setting, workers);
    if (typeof torch !== "string") await torch.epoch(setting); // the server warms up on the first request too
    const mine: EpochTime[] = [];
    const mineParallel: EpochTime[] = [];
    const theirs: EpochTime[] = [];
    for (let i = 0; i < repeats; i++) {
      const one = await ourEpoch(clips, setting);
      mine.push(one);
      singleOverhead.push(one.overhead);
      if (parallel) {
        const many = await ourEpoch(clips, setting, workers);
        mineParallel.push(many);
        workerOverhead.push(many.overhead);
      }
      if (typeof torch !== "string") theirs.push(await torch.epoch(setting));
    }
    ours[setting] = summarise(mine);
    if (parallel) {
      oursParallel[setting] = summarise(mineParallel);
      parallelPairRatios[setting] = mineParallel.map((m, i) => m.wall / (mine[i] as EpochTime).wall);
    }
    if (theirs.length > 0) {
      pytorch[setting] = summarise(theirs);
      pairRatios[setting] = mine.map((m, i) => m.wall / (theirs[i] as EpochTime).wall);
      if (parallel)
        parallelOverPytorchPairs[setting] = mineParallel.map((m, i) => m.wall / (theirs[i] as EpochTime).wall);
    }
  }
  if (typeof torch !== "string") torch.close();

  let cpu: Partial<Record<Setting, Summary>> | undefined;
  if (!flag("no-cpu") && backend !== "cpu") {
    await selectBackend("cpu");
    const stepsPerEpoch = Math.ceil(clips / 32);
    // 2 steps of 32 (after a warm-up run), scaled to an epoch's steps
    const partSteps = 2;
    await ourEpoch(partSteps * 32, "32");
    const part32 = await ourEpoch(partSteps * 32, "32");
    // one full-batch step on 100 clips, scaled linearly to `clips`
    const partClips = 100;
    const partFull = await ourEpoch(partClips, "full");
    const scale = (t: EpochTime, k: number): EpochTime => ({ wall: t.wall * k, cpu: t.cpu * k });
    cpu = {
      "32": summarise(
        [scale(part32, stepsPerEpoch / partSteps)],
        `${partSteps} steps of 32 scaled to ${stepsPerEpoch}`,
      ),
      full: summarise(
        [scale(partFull, clips / partClips)],
        `one full-batch step on ${partClips} clips scaled to ${clips}`,
      ),
    };
    await selectBackend(backendChoice);
  }

  const ratios = ratiosBySetting(ours, pytorch, pairRatios);
  /** Our epoch with workers over our one-thread epoch (< 1 = the workers are faster). */
  const parallelRatios = ratiosBySetting(oursParallel, ours, parallelPairRatios);
  const overPytorch = ratiosBySetting(oursParallel, pytorch, parallelOverPytorchPairs);
  const parallelOverPytorch = Object.fromEntries(
    SETTINGS.map((s) => {
      const r = overPytorch[s];
      return [s, r === null ? null : { pairMedian: r.pairMedian, best: r.best }];
    }),
  ) as Record<Setting, Pick<Ratio, "pairMedian" | "best"> | null>;

  const cell = (t: Summary | undefined): string =>
    t === undefined ? "-" : `${t.best.toFixed(3)} / ${t.median.toFixed(3)}${t.extrapolated !== undefined ? " *" : ""}`;
  const cpuCell = (t: Summary | undefined): string => (t === undefined ? "-" : t.cpuMedian.toFixed(3));
  const x = (r: number | undefined): string => (r === undefined ? "-" : `${r.toFixed(2)}x`);
  const torchName =
    typeof torch === "string"
      ? "PyTorch"
      : `PyTorch ${torch.info.torch} (${torch.info.threads} thread${torch.info.threads === 1 ? "" : "s"})`;
  const row = (name: string, a: string, b: string): string => `${name.padEnd(42)}${a.padEnd(24)}${b}`;
  const lines = [
    `Training the thesis CNN on ${clips} synthetic clips [40][100]: seconds per epoch, best / median of ${repeats} epochs`,
    `(ours and PyTorch interleaved epoch by epoch), after a warm-up epoch`,
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"} (shared), load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} at start, Node ${process.version}, tfjs ${tf.version_core}`,
    ...notes.map((n) => `note: ${n}`),
    "",
    row("", "batch 32", "full batch"),
    row(`ours (${backend}), 1 thread`, cell(ours["32"]), cell(ours.full)),
    row(`ours (${backend}), ${workers} workers`, cell(oursParallel["32"]), cell(oursParallel.full)),
    row(torchName, cell(pytorch["32"]), cell(pytorch.full)),
    row("tfjs cpu backend (stock kernels)", cell(cpu?.["32"]), cell(cpu?.full)),
    row("ours / PyTorch, median of pairs", x(ratios["32"]?.pairMedian), x(ratios.full?.pairMedian)),
    row("ours / PyTorch, best vs best", x(ratios["32"]?.best), x(ratios.full?.best)),
    row(
      `${workers} workers / 1 thread, median of pairs`,
      x(parallelRatios["32"]?.pairMedian),
      x(parallelRatios.full?.pairMedian),
    ),
    row(`${workers} workers / 1 thread, best vs best`, x(parallelRatios["32"]?.best), x(parallelRatios.full?.best)),
    row(
      `${workers} workers / PyTorch, median of pairs`,
      x(parallelOverPytorch["32"]?.pairMedian),
      x(parallelOverPytorch.full?.pairMedian),
    ),
    `per training run outside the epochs (model build; with workers also their start-up and shutdown), median: 1 thread ${median(singleOverhead).toFixed(2)} s, ${workers} workers ${workerOverhead.length === 0 ? "-" : median(workerOverhead).toFixed(2)} s`,
    `workers share out each step's micro-batches of ${MICRO_BATCH_ROWS} rows; a step of ${
      SETTINGS.filter((s) => !workersApply(s))
        .map((s) => `${s} rows`)
        .join(", ") || "-"
    } is one micro-batch and runs on one thread ("-" above)`,
    "",
    "process CPU seconds per epoch, median (all threads):",
    row(`ours (${backend}), 1 thread`, cpuCell(ours["32"]), cpuCell(ours.full)),
    row(`ours (${backend}), ${workers} workers`, cpuCell(oursParallel["32"]), cpuCell(oursParallel.full)),
    row("PyTorch", cpuCell(pytorch["32"]), cpuCell(pytorch.full)),
    row("ours / PyTorch", x(ratios["32"]?.cpuMedian), x(ratios.full?.cpuMedian)),
    "",
    ...(cpu === undefined
      ? []
      : [`* extrapolated: cpu batch 32 = ${cpu["32"]?.extrapolated}; cpu full batch = ${cpu.full?.extrapolated}`]),
    ...(typeof torch === "string" ? [torch] : []),
    "Goals: ours within 1.5x of PyTorch at batch 32 and within 3x full-batch (median of pairs).",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const summary = {
    clips,
    repeats,
    backend,
    machineCpus: cpus().length,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg(),
    ours,
    workers,
    oursWithWorkers: oursParallel,
    runOverheadSeconds: {
      singleThreadMedian: median(singleOverhead),
      workersMedian: workerOverhead.length === 0 ? null : median(workerOverhead),
    },
    pytorch: typeof torch === "string" ? { unavailable: torch } : { ...torch.info, results: pytorch },
    stockCpu: cpu ?? null,
    ratioOursOverPytorch: ratios,
    ratioWorkersOverOneThread: parallelRatios,
    ratioWorkersOverPytorch: parallelOverPytorch,
    goalsMet: {
      batch32: ratios["32"] === null ? null : ratios["32"].pairMedian <= 1.5,
      full: ratios.full === null ? null : ratios.full.pairMedian <= 3,
    },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
