// soundcheck sweep: a representation x pooling x model grid cross-validated on the same grouped
// folds, ranked, written to a run folder. Small grids on synthetic recordings (known answers)
// and on a few bundled demo recordings (the CLI end to end).
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mergeConfig, recommendedConfig } from "../src/config/pipeline";
import { defaultSweepGrid, readSweepGrid, resolveSweepGrid, sweepCellCount } from "../src/config/sweep";
import { readCsv } from "../src/data/csv";
import { ConfigError } from "../src/errors";
import {
  classSeparation,
  correctedPairedT,
  nestedSelection,
  sweepDetectors,
  type SweepCell,
  type SweepRecording,
} from "../src/pipeline/experiments/sweep";
import { SWEEP_CSV_COLUMNS } from "../src/pipeline/reports/sweepReport";
import { SeededRandom } from "../src/util/random";
import type { Reporter } from "../src/util/reporter";

const ROOT = resolve(__dirname, "..");
const silent: Reporter = { info: () => {}, warn: () => {}, skip: () => {}, progress: () => {} };
const RATE = 22050;

/**
 * 3 s of noise with a click every 0.25 s. Normal and broken recordings have the same noise and
 * the same mean click level in dB (geometric mean of the click energies), which varies by ± 4 dB
 * between recordings of both classes; a broken recording has 3 clicks 12 dB louder and 9 softer
 * ones (its peaks are higher), so the fault is in the peak levels, not in the mean of the
 * log-mel frames.
 */
function clickRecording(index: number, label: 0 | 1): SweepRecording {
  const rng = new SeededRandom(1000 + index);
  const samples = new Float32Array(3 * RATE);
  for (let i = 0; i < samples.length; i++) samples[i] = 0.02 * rng.gaussian();
  const clicks = 12;
  const loud = label === 1 ? new Set([2, 6, 10]) : new Set<number>();
  // energy per click: normal all 1; broken 3 clicks of 16 and 9 of 16^(-1/3): the same mean log energy
  const gain = 10 ** ((8 * rng.next() - 4) / 20);
  for (let c = 0; c < clicks; c++) {
    const energy = label === 0 ? 1 : loud.has(c) ? 16 : 16 ** (-1 / 3);
    const amplitude = 0.1 * gain * Math.sqrt(energy) * (0.9 + 0.2 * rng.next());
    const start = Math.floor((c + 0.1 + 0.05 * rng.next()) * 0.25 * RATE);
    for (let k = 0; k < 400; k++) samples[start + k] += amplitude * Math.exp(-k / 60) * Math.sin(k * 0.9);
  }
  const domain = index % 2 === 0 ? "source" : "target";
  const id = `section_00_${domain}_test_${label === 1 ? "anomaly" : "normal"}_${String(index).padStart(4, "0")}.wav`;
  return { id, label, domain, samples };
}

const recordings: SweepRecording[] = [
  ...Array.from({ length: 8 }, (_, i) => clickRecording(i, 1)),
  ...Array.from({ length: 8 }, (_, i) => clickRecording(100 + i, 0)),
];

function smallConfig(seed = 42, workers = 1) {
  const base = recommendedConfig(ROOT);
  return mergeConfig(base, {
    clean: { chunkSeconds: 1 },
    cv: { folds: 4, repeats: 2 },
    split: { seed },
    evaluate: { figures: "none" },
    workers,
  });
}

const grid = resolveSweepGrid({
  representations: [
    { kind: "logmel", nMels: 32, window: "recording" },
    { kind: "mfcc", nMels: 32, nMfcc: 13, window: "chunk" },
  ],
  poolings: [["mean"], ["max"]],
  models: ["logistic-regression", "knn"],
});

test("all cells share the folds: whole recordings, both classes per fold, each recording once per repeat", async () => {
  const result = await sweepDetectors(smallConfig(), recordings, grid, silent);
  assert.equal(result.cells.length, sweepCellCount(grid));
  assert.equal(result.folds.length, 8);
  for (const cell of result.cells) {
    assert.deepEqual(
      cell.folds.map((f) => [f.repeat, f.fold, f.testRecordings]),
      result.folds.map((f) => [f.repeat, f.fold, f.testRecordings]),
      cell.name,
    );
  }
  for (const repeat of [0, 1]) {
    const ids = result.folds.filter((f) => f.repeat === repeat).flatMap((f) => f.testRecordings);
    assert.deepEqual(
      [...ids].sort(),
      recordings.map((r) => r.id).sort(),
      `repetition ${repeat} tests each recording once`,
    );
  }
  for (const f of result.folds)
    assert.ok(
      f.testRecordings.some((id) => id.includes("anomaly")) && f.testRecordings.some((id) => id.includes("_normal_")),
    );
  const first = result.folds.filter((f) => f.repeat === 0).map((f) => f.testRecordings.join());
  const second = result.folds.filter((f) => f.repeat === 1).map((f) => f.testRecordings.join());
  assert.notDeepEqual(first, second, "each repetition deals its own folds");
});

test("cells are ranked by mean ROC AUC; a fault in the peak levels is heard better by max than by mean", async () => {
  const result = await sweepDetectors(smallConfig(), recordings, grid, silent);
  assert.deepEqual(
    result.cells.map((c) => c.rank),
    result.cells.map((_, i) => i + 1),
  );
  for (let i = 1; i < result.cells.length; i++)
    assert.ok(result.cells[i - 1]!.summary.rocAuc.mean >= result.cells[i]!.summary.rocAuc.mean, `rank ${i + 1}`);
  const best = result.cells[0]!;
  assert.equal(best.deltaRocAucVsBest, 0);
  assert.equal(best.tVsBest, 0);
  assert.deepEqual(best.pooling, ["max"]);
  const auc = (features: RegExp, model: string) =>
    result.cells.find((c) => features.test(c.features) && c.model === model)!.summary.rocAuc.mean;
  const max = auc(/^logmel32 max$/, "logistic-regression");
  assert.ok(max > 0.95, `max pooling of whole recordings hears the loud clicks (${max})`);
  const mean = auc(/^logmel32 mean$/, "logistic-regression");
  assert.ok(mean < max - 0.1, `the mean over frames blurs the peaks (${mean} vs ${max})`);
  for (const c of result.cells.slice(1)) assert.ok(c.deltaRocAucVsBest >= 0, c.name);
});

test("the same seed gives the same sweep; another seed deals other folds", async () => {
  const strip = (r: Awaited<ReturnType<typeof sweepDetectors>>) => ({
    ...r,
    timing: null,
    cells: r.cells.map((c) => ({ ...c, seconds: 0 })),
  });
  const a = await sweepDetectors(smallConfig(7), recordings, grid, silent);
  const b = await sweepDetectors(smallConfig(7), recordings, grid, silent);
  assert.deepEqual(strip(a), strip(b));
  const c = await sweepDetectors(smallConfig(8), recordings, grid, silent);
  assert.notDeepEqual(
    a.folds.map((f) => f.testRecordings),
    c.folds.map((f) => f.testRecordings),
  );
});

test("cells cross-validated on 2 worker threads give the same sweep as on the main thread", async () => {
  const strip = (r: Awaited<ReturnType<typeof sweepDetectors>>) => r.cells.map((c) => ({ ...c, seconds: 0 }));
  const one = await sweepDetectors(smallConfig(42, 1), recordings, grid, silent);
  const two = await sweepDetectors(smallConfig(42, 2), recordings, grid, silent);
  assert.deepEqual(strip(two), strip(one));
});

test("nested selection picks each fold's cell by its inner scores alone and reports that cell's outer result", () => {
  const cell = (name: string, inner: number[], outer: number[], innerPAuc = 0.5): SweepCell =>
    ({
      name,
      error: null,
      inner: inner.map((rocAuc) => ({ rocAuc, pAuc: innerPAuc, balancedAccuracy: 0.5 })),
      folds: outer.map((rocAuc, fold) => ({ repeat: 0, fold, testRecordings: [], rocAuc, pAuc: rocAuc / 2 })),
    }) as unknown as SweepCell;
  // B is better on the outer folds overall, but A wins the inner CV of fold 0
  const n = nestedSelection([cell("B", [0.8, 0.95], [0.99, 0.8]), cell("A", [0.9, 0.5], [0.6, 0.7])]);
  assert.deepEqual(
    n.folds.map((f) => [f.picked, f.inner.rocAuc, f.metrics.rocAuc]),
    [
      ["A", 0.9, 0.6],
      ["B", 0.95, 0.8],
    ],
  );
  assert.ok(Math.abs(n.summary.rocAuc.mean - 0.7) < 1e-12);
  assert.deepEqual(n.picks, [
    { name: "A", count: 1 },
    { name: "B", count: 1 },
  ]);
  const tie = nestedSelection([cell("B", [0.9], [1]), cell("A", [0.9], [0])]);
  assert.equal(tie.folds[0]!.picked, "A", "a full tie goes to the first name, not to the better outer result");
  const byPAuc = nestedSelection([cell("A", [0.9], [0], 0.5), cell("B", [0.9], [1], 0.7)]);
  assert.equal(byPAuc.folds[0]!.picked, "B", "equal inner ROC AUC: the better inner pAUC");
});

test("a nested sweep scores, on every outer fold, the cell its inner cross-validation picked", async () => {
  const small = resolveSweepGrid({ ...grid, models: ["logistic-regression"], nested: true });
  const result = await sweepDetectors(smallConfig(), recordings, small, silent);
  const n = result.nested!;
  assert.equal(n.folds.length, result.folds.length);
  n.folds.forEach((f, i) => {
    const picked = result.cells.find((c) => c.name === f.picked)!;
    assert.equal(f.metrics.rocAuc, picked.folds[i]!.rocAuc, "the pick's own result on this outer fold");
    for (const c of result.cells)
      assert.ok(c.inner![i]!.rocAuc <= f.inner.rocAuc, `${c.name} did not beat the pick inside`);
  });
  assert.equal(
    n.picks.reduce((a, p) => a + p.count, 0),
    result.folds.length,
  );
  const plain = await sweepDetectors(smallConfig(), recordings, { ...small, nested: false }, silent);
  assert.equal(plain.nested, null);
  assert.deepEqual(
    plain.cells.map((c) => [c.name, c.summary]),
    result.cells.map((c) => [c.name, c.summary]),
    "nested selection leaves the table as it is",
  );
});

test("corrected resampled t: mean difference over its inflated standard error (Nadeau and Bengio)", () => {
  // d = [0.1, 0.3]: mean 0.2, sample variance 0.02; J = 2 folds of 2-fold CV: (1/2 + 1/1) * 0.02 = 0.03
  assert.ok(Math.abs(correctedPairedT([0.1, 0.3], 2) - 0.2 / Math.sqrt(0.03)) < 1e-12);
  assert.equal(correctedPairedT([0, 0, 0], 5), 0);
  assert.ok(Number.isNaN(correctedPairedT([0.1], 5)));
});

test("the default grid has 12 representations x 4 poolings x 3 models; a grid file replaces the lists it names", () => {
  const d = defaultSweepGrid();
  assert.equal(sweepCellCount(d), 144);
  assert.deepEqual(new Set(d.representations.map((r) => r.window)), new Set(["recording", "chunk"]));
  const dir = mkdtempSync(join(tmpdir(), "sweep-grid-"));
  const file = join(dir, "grid.json");
  writeFileSync(file, JSON.stringify({ poolings: [["max"]] }));
  const g = readSweepGrid(file);
  assert.deepEqual(g.poolings, [["max"]]);
  assert.deepEqual(g.representations, d.representations);
  writeFileSync(file, JSON.stringify({ poolings: [["maximum"]] }));
  assert.throws(
    () => readSweepGrid(file),
    (e: unknown) => e instanceof ConfigError && e.message.includes(file) && e.message.includes("poolings[0]"),
  );
  assert.equal(g.nested, false);
  writeFileSync(file, JSON.stringify({ nested: "yes" }));
  assert.throws(
    () => readSweepGrid(file),
    (e: unknown) => e instanceof ConfigError && e.message.includes("nested"),
  );
  writeFileSync(file, JSON.stringify({ model: ["knn"] }));
  assert.throws(
    () => readSweepGrid(file),
    (e: unknown) => e instanceof ConfigError && e.message.includes("model"),
  );
  writeFileSync(file, "{ not json");
  assert.throws(() => readSweepGrid(file), ConfigError);
});

/** `soundcheck <args>` from the sources, in a child process (its output stays out of the test report). */
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "-e", CLI_SCRIPT, ...args], { cwd: ROOT, encoding: "utf8" });
const CLI_SCRIPT = 'require("./src/pipeline/cli").main(process.argv.slice(1)).then((c) => { process.exitCode = c; })';

test("soundcheck sweep writes sweep.csv, .json, .md, figures, config.json, provenance.json to its run", () => {
  const dir = mkdtempSync(join(tmpdir(), "sweep-cli-"));
  const data = join(dir, "data");
  for (const folder of ["broken_audio", "normal_audio"]) {
    mkdirSync(join(data, folder), { recursive: true });
    for (const f of readdirSync(join(ROOT, "data", folder))
      .sort()
      .slice(0, 6))
      copyFileSync(join(ROOT, "data", folder, f), join(data, folder, f));
  }
  const gridFile = join(dir, "grid.json");
  writeFileSync(
    gridFile,
    JSON.stringify({
      representations: [{ kind: "logmel", nMels: 64 }],
      poolings: [["mean", "std"], ["max"]],
      models: ["logistic-regression", "mahalanobis"],
    }),
  );
  const r = cli(
    "sweep",
    "--preset",
    "recommended",
    "--data",
    data,
    "--reports",
    join(dir, "reports"),
    "--run",
    "s",
    "--grid",
    gridFile,
    "--folds",
    "3",
    "--repeats",
    "1",
    "--quiet",
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\| rank \| features \| model \| ROC AUC/);
  const run = join(dir, "reports", "s");
  for (const f of [
    "sweep.csv",
    "sweep.json",
    "sweep.md",
    "config.json",
    "provenance.json",
    "figures/sweep_roc_auc.plotly.json",
    "figures/sweep_ranking.plotly.json",
    "figures/index.html",
  ])
    assert.ok(readdirSync(join(run, f.includes("/") ? "figures" : "")).includes(f.split("/").pop()!), f);
  assert.ok(!readdirSync(run).some((f) => f.includes(".tmp")), "no temporary file left behind");
  const csv = readCsv(join(run, "sweep.csv"));
  assert.equal(csv.length, 4);
  assert.deepEqual(Object.keys(csv[0]!), SWEEP_CSV_COLUMNS);
  assert.deepEqual(
    csv.map((r) => r.rank),
    ["1", "2", "3", "4"],
  );
  const json = JSON.parse(readFileSync(join(run, "sweep.json"), "utf8")) as {
    folds: Array<{ testRecordings: string[] }>;
    cells: Array<{ name: string; folds: unknown[] }>;
  };
  assert.equal(json.folds.length, 3);
  assert.deepEqual(json.folds.flatMap((f) => f.testRecordings).length, 12);
  assert.deepEqual(
    json.cells.map((c) => c.name),
    csv.map((r) => r.name),
  );
  const md = readFileSync(join(run, "sweep.md"), "utf8");
  for (const r of csv) assert.ok(md.includes(`| ${r.rank} | `), `sweep.md lists rank ${r.rank}`);
  assert.match(md, /12 recordings \(6 normal, 6 broken\)/);
  const heatmap = JSON.parse(readFileSync(join(run, "figures", "sweep_roc_auc.plotly.json"), "utf8")) as {
    data: Array<{ z: Array<Array<number | null>> }>;
  };
  const best = csv.find((r) => r.rank === "1")!;
  const trace = heatmap.data[["logistic-regression", "mahalanobis"].indexOf(best.model!)]!;
  assert.equal(
    trace.z[0]![["mean+std", "max"].indexOf(best.pooling!)],
    Math.round(Number(best.roc_auc_mean) * 1000) / 1000,
  );
  const dcase = cli("sweep", "--layout", "dcase", "--data", data, "--reports", join(dir, "reports"));
  assert.equal(dcase.status, 2, "the DCASE layout fixes the split: the sweep says what to run instead");
  assert.match(dcase.stderr, /"sweep" does not apply with --layout dcase/);
});

test("class separation per feature is Cohen's d with the pooled sample standard deviation", () => {
  // feature 0: normal 1, 2 (mean 1.5, var 0.5), broken 3, 5 (mean 4, var 2): d = 2.5 / sqrt(1.25); feature 1 constant
  const d = classSeparation([1, 7, 2, 7, 3, 7, 5, 7], 4, 2, [0, 0, 1, 1]);
  assert.ok(Math.abs(d[0]! - 2.5 / Math.sqrt(1.25)) < 1e-12);
  assert.equal(d[1], 0);
});
