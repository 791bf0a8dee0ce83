/**
 * Peak memory of `soundcheck train` against the size of the training features.
 *
 * For each size, writes a synthetic thesis-shaped X_train.npy ([rows][40][100] float32) and
 * y_train.npy into a temporary data root, runs the compiled CLI (`node bin/soundcheck.js train`,
 * thesis preset: full batch) once per thread count in a child process, and reads that process's
 * peak resident set size (process.resourceUsage().maxRSS at exit: every thread, the wasm heaps
 * included). Memory does not grow with epochs, so a few epochs suffice. The default thread counts
 * are 1 and 4 (`--workers 4` runs 4 threads on any machine; 4 is the automatic choice on 4 or more
 * cores), measured in the same run.
 *
 * Goal: peak RSS below 2 x the training features + 300 MB at every size and thread count.
 *
 * Usage: npm run bench:trainmemory [-- --rows 2500,10000,30000 --epochs 2 --workers 1,4]
 * (`--workers auto` leaves the choice to `soundcheck train`.)
 * Prints a table, then as the very last line one JSON object.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { saveNpy } from "../src/data/npy";
import { syntheticMfccDataset } from "../src/model/synthetic";

const MB = 1024 * 1024;
/** The goal: peak RSS < GOAL_FACTOR x X_train.npy + GOAL_FIXED_MB. */
const GOAL_FACTOR = 2;
const GOAL_FIXED_MB = 300;

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "2500,10000,30000" },
    epochs: { type: "string", default: "2" },
    workers: { type: "string", default: "1,4" },
  },
});
const sizes = (values.rows ?? "").split(",").map(Number);
/** Thread counts to pass as --workers; null = the CLI's automatic choice. */
const threadCounts = (values.workers ?? "").split(",").map((w) => (w === "auto" ? null : Number(w)));
const epochs = Number(values.epochs);
const cli = resolve(__dirname, "..", "bin", "soundcheck.js");

interface Measurement {
  rows: number;
  /** Size of X_train.npy's data, MB. */
  featuresMb: number;
  peakRssMb: number;
  goalMb: number;
  /** Peak RSS minus the features' size, MB: the fixed part. */
  aboveFeaturesMb: number;
  goalMet: boolean;
  seconds: number;
  /** --workers as passed (null: automatic). */
  requestedWorkers: number | null;
  /** Threads that computed the gradients, as `soundcheck train` reported them. */
  workers: number | null;
}

/** Write X_train.npy / y_train.npy with `rows` synthetic clips under `root`/processed_data. */
function writeTrainingSet(root: string, rows: number): string {
  const processed = join(root, "processed_data");
  const data = syntheticMfccDataset(rows, { seed: rows, separation: 1 });
  const xPath = join(processed, "X_train.npy");
  saveNpy(xPath, { dtype: "<f4", shape: data.shape, data: data.x });
  saveNpy(join(processed, "y_train.npy"), {
    dtype: "<i8",
    shape: [rows],
    data: BigInt64Array.from(data.y, (v) => BigInt(v)),
  });
  return xPath;
}

/** Run `soundcheck train` on `root` in a child process; its peak RSS in bytes and wall seconds. */
function trainChild(
  root: string,
  requestedWorkers: number | null,
): { peakRss: number; seconds: number; workers: number | null } {
  const rssFile = join(root, "maxrss.txt");
  // written by the child itself when it exits: resourceUsage().maxRSS is in kilobytes
  const hook = `import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS*1024)))`;
  const preload = `data:text/javascript,${encodeURIComponent(hook)}`;
  const args = [
    "--import",
    preload,
    cli,
    "train",
    "--data",
    root,
    "--model",
    join(root, "model"),
    "--epochs",
    String(epochs),
  ];
  if (requestedWorkers !== null) args.push("--workers", String(requestedWorkers));
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 * MB });
  const seconds = (performance.now() - start) / 1000;
  if (child.status !== 0)
    throw new Error(`soundcheck train failed (exit ${child.status}):\n${child.stderr}\n${child.stdout}`);
  const threads = /on (\d+) threads?/.exec(`${child.stdout}\n${child.stderr}`)?.[1];
  return {
    peakRss: Number(readFileSync(rssFile, "utf8")),
    seconds,
    workers: threads === undefined ? null : Number(threads),
  };
}

function main(): void {
  const loadAtStart = loadavg();
  const results: Measurement[] = [];
  for (const rows of sizes) {
    const root = mkdtempSync(join(tmpdir(), "soundcheck-trainmemory-"));
    try {
      const xPath = writeTrainingSet(root, rows);
      const featuresMb = (rows * 40 * 100 * 4) / MB;
      const fileMb = statSync(xPath).size / MB;
      if (Math.abs(fileMb - featuresMb) > 1)
        throw new Error(`X_train.npy is ${fileMb} MB, expected about ${featuresMb} MB`);
      for (const requestedWorkers of threadCounts) {
        const run = trainChild(root, requestedWorkers);
        const peakRssMb = run.peakRss / MB;
        const goalMb = GOAL_FACTOR * featuresMb + GOAL_FIXED_MB;
        results.push({
          rows,
          featuresMb,
          peakRssMb,
          goalMb,
          aboveFeaturesMb: peakRssMb - featuresMb,
          goalMet: peakRssMb < goalMb,
          seconds: run.seconds,
          requestedWorkers,
          workers: run.workers,
        });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(14))).join("");
  const lines = [
    `Peak RSS of "soundcheck train" (thesis preset, full batch, ${epochs} epochs, synthetic [rows][40][100] features)`,
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"} (shared), load average ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} at start, Node ${process.version}`,
    "",
    row(["rows", "X_train MB", "threads", "peak RSS MB", "RSS - X MB", "RSS / X", "goal MB", "goal", "seconds"]),
    ...results.map((r) =>
      row([
        String(r.rows),
        r.featuresMb.toFixed(1),
        `${r.workers ?? "?"}${r.requestedWorkers === null ? " (auto)" : ""}`,
        r.peakRssMb.toFixed(1),
        r.aboveFeaturesMb.toFixed(1),
        (r.peakRssMb / r.featuresMb).toFixed(2),
        r.goalMb.toFixed(1),
        r.goalMet ? "met" : "NOT met",
        r.seconds.toFixed(1),
      ]),
    ),
    "",
    `Goal: peak RSS below ${GOAL_FACTOR} x X_train + ${GOAL_FIXED_MB} MB at every size and thread count: ` +
      `${results.every((r) => r.goalMet) ? "met" : "NOT met"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const summary = {
    epochs,
    machineCpus: cpus().length,
    loadAverageAtStart: loadAtStart,
    results,
    goal: { factor: GOAL_FACTOR, fixedMb: GOAL_FIXED_MB },
    goalMet: results.every((r) => r.goalMet),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main();
