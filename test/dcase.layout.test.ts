import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCsv } from "../src/data/csv";
import { parseDcaseName, type DcaseDomain } from "../src/data/dcaseNames";
import { dcaseMetrics } from "../src/evaluate/dcaseMetrics";
import { recordingScores } from "../src/evaluate/recordingScores";
import { crossFittedThreshold } from "../src/pipeline/detect/crossFit";
import type { Detector } from "../src/model/detectors/detector";
import { folderHashes, pcm16Wav, tone } from "./helpers/tinyDataset";

// A tiny DCASE machine folder generated here (dev_data/raw/<machine>/{train,test}), run through
// the real executable (bin/soundcheck.js -> dist/, built by `npm test`) with --layout dcase.

const BIN = join(__dirname, "..", "bin", "soundcheck.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

/** One 6.5 s clip at 16 kHz: a hum whose pitch depends on the domain; anomalies add a whine at 3 kHz. */
function clip(domain: DcaseDomain, anomaly: boolean, seed: number): Uint8Array {
  const rate = 16000;
  const hum = tone(6.5, rate, domain === "source" ? 300 + 7 * seed : 520 + 7 * seed, 0.3, 0.05, seed);
  if (anomaly) {
    const whine = tone(6.5, rate, 3000 + 11 * seed, 0.2, 0.05, seed + 1000);
    for (let i = 0; i < hum.length; i++) hum[i] = (hum[i] as number) + (whine[i] as number);
  }
  return pcm16Wav([hum], rate);
}

const work = mkdtempSync(join(tmpdir(), "soundcheck-dcase-"));
after(() => rmSync(work, { recursive: true, force: true }));
const machine = join(work, "dev_data", "raw", "valve");
const names: string[] = [];
function add(split: "train" | "test", domain: DcaseDomain, condition: "normal" | "anomaly", index: number): void {
  const pattern = domain === "source" ? index % 2 : 2 + (index % 2);
  const name = `section_00_${domain}_${split}_${condition}_${String(index).padStart(4, "0")}_pat_0${pattern}.wav`;
  mkdirSync(join(machine, split), { recursive: true });
  writeFileSync(
    join(machine, split, name),
    clip(domain, condition === "anomaly", index + (split === "test" ? 50 : 0) + (domain === "target" ? 20 : 0)),
  );
  names.push(name);
}
for (let i = 0; i < 4; i++) for (const d of ["source", "target"] as const) add("train", d, "normal", i);
for (let i = 0; i < 3; i++)
  for (const d of ["source", "target"] as const) for (const c of ["normal", "anomaly"] as const) add("test", d, c, i);
writeFileSync(join(machine, "test", "recorded_later.wav"), clip("source", false, 99)); // not a DCASE name
const rawBefore = { train: folderHashes(join(machine, "train")), test: folderHashes(join(machine, "test")) };
const reports = join(machine, "..", "..", "..", "reports");

test("soundcheck pipeline --layout dcase trains the normal-only detector on train/ and scores every test/ clip", () => {
  const r = run(
    "pipeline",
    "--layout",
    "dcase",
    "--data",
    machine,
    "--preset",
    "recommended",
    "--reports",
    reports,
    "--run",
    "dcase-run",
    "--workers",
    "1",
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /DCASE metrics/);
  // the supervised models: one message, no crash, no model
  const notes = r.stderr.split("\n").filter((l) => /supervised/.test(l));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(
    notes[0]!,
    new RegExp(
      "cnn, logistic-regression and logistic-regression \\(pooled features\\): supervised.*" +
        "train/ folder holds normal clips only.*normal-only detectors \\(autoencoder, knn and mahalanobis\\) are",
    ),
  );
  // the file without a DCASE name: skipped with one line naming it
  assert.match(r.stderr, /recorded_later\.wav.*does not say normal or anomaly/);
  const dir = join(reports, "dcase-run");
  for (const f of [
    "metrics.json",
    "model_comparison.csv",
    "model_comparison.md",
    "test_predictions.csv",
    "test_recordings.csv",
    "dcase_metrics.csv",
    "dcase_metrics.md",
    "config.json",
    "provenance.json",
    "skipped.csv",
  ])
    assert.ok(existsSync(join(dir, f)), f);
});

test("the DCASE split: train/ rows (normal only) train, every test/ row is scored", () => {
  const manifest = readCsv(join(machine, "processed_data", "manifest.csv"));
  const split = JSON.parse(readFileSync(join(machine, "processed_data", "split_indices.json"), "utf8")) as {
    method: string;
    train: number[];
    test: number[];
    validation: number[];
  };
  assert.equal(split.method, "DCASE folders (train/ vs test/)");
  assert.deepEqual(split.validation, []);
  for (const r of split.train) assert.match(manifest[r]!.source!, /^train\/section_00_(source|target)_train_normal_/);
  for (const r of split.test) assert.match(manifest[r]!.source!, /^test\//);
  assert.equal(split.train.length + split.test.length, manifest.length);
  // 8 train and 12 test recordings of 6.5 s, two 3 s chunks each (recommended chunks normal clips too); no augmentation
  assert.equal(split.train.length, 16);
  assert.equal(split.test.length, 24);
  assert.ok(manifest.every((m) => m.augmentation === ""));
  // the DCASE columns, from each recording's name
  const m = manifest.find((x) => x.source === "test/section_00_target_test_anomaly_0001_pat_03.wav")!;
  assert.deepEqual(
    [m.section, m.domain, m.dcase_split, m.condition, m.index, m.attributes, m.label],
    ["00", "target", "test", "anomaly", "0001", "pat=03", "1"],
  );
});

test("dcase_metrics.csv holds dcaseMetrics of test_predictions.csv's scores, per window and recording", () => {
  const dir = join(reports, "dcase-run");
  const predictions = readCsv(join(dir, "test_predictions.csv"));
  assert.equal(predictions.length, 24);
  const labels = predictions.map((p) => Number(p.true_label));
  const scores = predictions.map((p) => Number(p.autoencoder_score));
  const sources = predictions.map((p) => p.source!);
  const domains = sources.map((s) => parseDcaseName(s).domain);
  assert.deepEqual(
    predictions.map((p) => p.domain),
    domains,
  );
  const rows = readCsv(join(dir, "dcase_metrics.csv"));
  const windows = dcaseMetrics(
    labels,
    scores,
    domains,
    sources.map(() => "00"),
  )!;
  const recs = recordingScores(sources, labels, scores, { method: "mean", k: 1 }); // the recommended preset's rule
  const recordings = dcaseMetrics(
    recs.labels,
    recs.scores,
    recs.recordings.map((s) => parseDcaseName(s).domain),
    recs.recordings.map(() => "00"),
  )!;
  for (const [level, expected] of [
    ["window", windows],
    ["recording", recordings],
  ] as const) {
    const row = rows.find((x) => x.model === "autoencoder" && x.level === level)!;
    const s = expected.sections[0]!;
    // the CSV holds JavaScript's shortest round-trip text of each number
    assert.equal(Number(row.auc_source), s.aucSource);
    assert.equal(Number(row.auc_target), s.aucTarget);
    assert.equal(Number(row.pauc), s.pAuc);
    assert.equal(Number(row.official_score), expected.officialScore);
    assert.deepEqual(
      [row.normal_source, row.normal_target, row.anomaly_source, row.anomaly_target].map(Number),
      level === "window" ? [6, 6, 6, 6] : [3, 3, 3, 3],
    );
  }
  const metrics = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8")) as {
    layout: string;
    train: { rows: number };
    dcase: Array<{ model: string; level: string; officialScore: number }>;
  };
  assert.equal(metrics.layout, "dcase");
  assert.equal(metrics.train.rows, 16);
  assert.equal(metrics.dcase.find((d) => d.level === "recording")!.officialScore, recordings.officialScore);
});

test("kNN and Mahalanobis (normal-only, pooled features) are scored per recording as test_recordings.csv says", () => {
  const dir = join(reports, "dcase-run");
  const recordings = readCsv(join(dir, "test_recordings.csv"));
  assert.equal(recordings.length, 12);
  const rows = readCsv(join(dir, "dcase_metrics.csv"));
  for (const model of ["knn", "mahalanobis"]) {
    const column = Object.keys(recordings[0]!).find((c) => c.startsWith(`${model} (`) && c.endsWith("_score"))!;
    assert.ok(column, `${model} in test_recordings.csv`);
    const m = dcaseMetrics(
      recordings.map((r) => Number(r.true_label)),
      recordings.map((r) => Number(r[column])),
      recordings.map((r) => parseDcaseName(r.source!).domain),
    )!;
    const row = rows.find((x) => x.model === column.slice(0, -"_score".length) && x.level === "recording")!;
    assert.equal(Number(row.official_score), m.officialScore);
    assert.equal(rows.filter((x) => x.model === row.model).length, 1, "one window per recording: recording level only");
  }
  const comparison = readCsv(join(dir, "model_comparison.csv"));
  assert.deepEqual([...new Set(comparison.map((c) => c.model!.split(" ")[0]))], ["autoencoder", "knn", "mahalanobis"]);
});

test("compare shows the DCASE run per recording and its DCASE metrics", () => {
  const r = run("compare", join(reports, "dcase-run"));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| dcase-run \(recommended, DCASE train\/test folders, 24 test rows\) \| autoencoder \| \d/);
  const official = readCsv(join(reports, "dcase-run", "dcase_metrics.csv")).find(
    (x) => x.model === "autoencoder" && x.level === "recording",
  )!;
  assert.ok(r.stdout.includes(`| dcase-run | autoencoder | recording | `), r.stdout);
  assert.ok(r.stdout.includes(`${Number(official.official_score).toFixed(3)} |`), r.stdout);
});

test("train --layout dcase says in one line why the CNN is not trained, and writes no model", () => {
  const model = join(machine, "..", "model");
  const r = run("train", "--layout", "dcase", "--data", machine, "--model", model, "--quiet");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /nothing trained: cnn: supervised/);
  assert.equal(existsSync(model), false);
});

test("cv and unseen with --layout dcase exit 2 saying what to run; a bad --layout value names the choices", () => {
  for (const command of ["cv", "unseen"]) {
    const r = run(command, "--layout", "dcase", "--data", machine);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /does not apply with --layout dcase.*soundcheck pipeline --layout dcase/);
  }
  const bad = run("clean", "--layout", "dcase2023", "--data", machine);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--layout must be folders or dcase, got "dcase2023"/);
});

test("a DCASE folder without train/ fails with one line naming it", () => {
  const empty = mkdtempSync(join(work, "empty-"));
  mkdirSync(join(empty, "test"));
  const r = run("clean", "--layout", "dcase", "--data", empty, "--quiet");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error: .*\/train: folder of DCASE train clips not found/);
});

test("the raw train/ and test/ folders are left byte for byte as they were", () => {
  assert.deepEqual(
    { train: folderHashes(join(machine, "train")), test: folderHashes(join(machine, "test")) },
    rawBefore,
  );
  assert.equal(readdirSync(join(machine, "test")).length, names.filter((n) => n.includes("_test_")).length + 1);
});

test("crossFittedThreshold: 90th percentile of normal training recordings scored by models fitted without them", () => {
  // a toy detector: the model is the training mean, the score the distance to it (1 feature, 1 window per recording)
  const detector = {
    name: "knn",
    supervision: "normal-only",
    scoreName: "distance",
    fit: (data: { x: Float64Array; rows: number }) => ({ mean: data.x.reduce((a, b) => a + b, 0) / data.rows }),
    score: (model: { mean: number }, data: { x: Float64Array }) => data.x.map((v) => Math.abs(v - model.mean)),
  } as unknown as Detector;
  const values = [0, 0, 0, 0, 10];
  const pooled = {
    x: Float64Array.from(values),
    rows: 5,
    dims: 1,
    recordingOfWindow: Int32Array.from([0, 1, 2, 3, 4]),
    names: ["v"],
  };
  const recordings = values.map((_, i) => ({
    id: `r${i}`,
    file: `r${i}`,
    label: 0 as const,
    domain: null,
    samples: new Float32Array(0),
  }));
  const t = crossFittedThreshold(detector, pooled, recordings, Int32Array.from([0, 1, 2, 3, 4]), {
    method: "mean",
    k: 1,
  });
  // held-out scores: 2.5 for each 0 (mean of 0, 0, 0, 10), 10 for the 10 (mean of the zeros);
  // 90th percentile 2.5 + 0.6 * 7.5
  // (in-sample, every recording scored by the mean 2 of all five, it would be 2 + 0.6 * 6 = 5.6)
  assert.ok(Math.abs(t.value - 7) < 1e-12, `${t.value}`);
  assert.match(t.source, /cross-fitted over 5 folds/);
});
