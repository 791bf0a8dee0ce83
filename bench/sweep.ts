/**
 * Time of the default `soundcheck sweep` (144 cells: 12 representations x 4 poolings x 3 models,
 * grouped 5 x 2 CV, preset recommended) on the full valve set, read directly from
 * ../shared/datasets/dcase2023-valve. Goal: the whole sweep, report files included, in under
 * 600 s on 2 cores.
 *
 *   npm run bench:sweep [-- --data <folder> --keep <reports folder>]
 *
 * Wall-clock and process CPU seconds (the cells run on `workers` threads, one per core by
 * default; on a shared machine the wall clock also counts the time other processes held the
 * cores, and the load average is printed next to it). Prints a table, then as the last line one
 * JSON object.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { mergeConfig, recommendedConfig } from "../src/config/pipeline";
import { defaultSweepGrid, sweepCellCount } from "../src/config/sweep";
import { runSweep } from "../src/pipeline/experiments/sweep";
import { workerCount } from "../src/pipeline/runtime/parallel";
import type { Reporter } from "../src/util/reporter";

const GOAL_SECONDS = 600;
const ROOT = resolve(__dirname, "..");

/** Process CPU seconds. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: "string" }, keep: { type: "string" } } });
  const data = resolve(values.data ?? join(ROOT, "..", "shared", "datasets", "dcase2023-valve"));
  if (!existsSync(join(data, "broken_audio")) || !existsSync(join(data, "normal_audio"))) {
    console.error(`${data}: no broken_audio/ and normal_audio/ here; pass --data <folder laid out like data/>`);
    process.exitCode = 1;
    return;
  }
  const reports = values.keep === undefined ? mkdtempSync(join(tmpdir(), "bench-sweep-")) : resolve(values.keep);
  const config = mergeConfig(recommendedConfig(ROOT), { dataRoot: data, reportsDir: reports, runName: "sweep" });
  const grid = defaultSweepGrid();
  const phases: Array<{ label: string; at: number }> = [];
  const reporter: Reporter = {
    info: (m) => {
      if (m.startsWith("sweep: ")) phases.push({ label: m.slice(7), at: performance.now() });
    },
    warn: (m) => console.error(`warning: ${m}`),
    skip: (f, r) => console.error(`skipped ${f}: ${r}`),
    progress: () => {},
  };
  const load0 = loadavg()[0] as number;
  const wall0 = performance.now();
  const cpu0 = cpuSeconds();
  const report = await runSweep(config, grid, reporter);
  const wall = (performance.now() - wall0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  const load1 = loadavg()[0] as number;
  const { result } = report;
  const byModel = new Map<string, number>();
  for (const c of result.cells) byModel.set(c.model, (byModel.get(c.model) ?? 0) + c.seconds);
  const repSeconds = result.timing.representations.reduce((a, r) => a + r.seconds, 0);
  const row = (label: string, seconds: number) => console.log(`${label.padEnd(52)}${seconds.toFixed(1).padStart(9)}`);
  console.log(
    `Default sweep: ${sweepCellCount(grid)} cells, ${result.recordings} recordings, ` +
      `${result.cv.repeats} x ${result.cv.folds} grouped CV (wall-clock seconds)`,
  );
  for (const r of result.timing.representations) row(`representation ${r.features}`, r.seconds);
  for (const [model, s] of byModel) row(`CV of ${model}, summed over its cells (all threads)`, s);
  row("decoding, representations, cells (sweepDetectors)", result.timing.totalSeconds);
  row("whole command (decoding + sweep + report files)", wall);
  row("process CPU time of the whole command", cpu);
  console.log(`${"goal".padEnd(52)}${`< ${GOAL_SECONDS}`.padStart(9)}`);
  console.log(
    `threads: ${workerCount(config.workers)}; ` +
      `load average (1 min) before / after: ${load0.toFixed(1)} / ${load1.toFixed(1)}`,
  );
  console.log(`best: ${result.cells[0]?.name} (ROC AUC ${result.cells[0]?.summary.rocAuc.mean.toFixed(3)})`);
  if (values.keep === undefined) rmSync(reports, { recursive: true, force: true });
  else console.log(`report: ${report.runDir}`);
  const round = (v: number) => Number(v.toPrecision(4));
  console.log(
    JSON.stringify({
      bench: "sweep",
      cells: result.cells.length,
      recordings: result.recordings,
      folds: result.folds.length,
      seconds: {
        wall: round(wall),
        cpu: round(cpu),
        sweep: round(result.timing.totalSeconds),
        representations: round(repSeconds),
        modelsSummedOverCells: Object.fromEntries([...byModel].map(([k, v]) => [k, round(v)])),
      },
      threads: workerCount(config.workers),
      loadAverage: [round(load0), round(load1)],
      goalSeconds: GOAL_SECONDS,
      meetsGoal: wall < GOAL_SECONDS,
      best: result.cells[0]?.name ?? null,
    }),
  );
}

void main();
