import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recommendedConfig, thesisConfig } from "../src/config/pipeline";
import { parseDcaseName } from "../src/data/dcaseNames";
import { dcaseMetrics } from "../src/evaluate/dcaseMetrics";
import { runPipeline } from "../src/pipeline/run";
import { evaluateUnseen } from "../src/pipeline/experiments/unseen";
import { parseCsv, readCsv, toCsv } from "../src/data/csv";
import { DCASE_COLUMNS } from "../src/data/dcaseNames";
import { augmentAndExtract } from "../src/pipeline/stages/augmentAndExtract";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import {
  dcaseModelMetrics,
  summarizeDcaseFolds,
  writeCvDcaseReport,
  type DcaseFold,
} from "../src/pipeline/reports/dcaseReport";
import { silentReporter } from "../src/util/reporter";
import { pcm16Wav, tone } from "./helpers/tinyDataset";

const work = mkdtempSync(join(tmpdir(), "soundcheck-dcase-reports-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** `perDomain` DCASE-named recordings per class and domain (3.2 s, 16 kHz), in the folders layout. */
function makeDcaseNamedRoot(perDomain = 2): string {
  const root = mkdtempSync(join(work, "names-"));
  for (const [folder, condition, freq] of [
    ["broken_audio", "anomaly", 1400],
    ["normal_audio", "normal", 350],
  ] as const) {
    mkdirSync(join(root, folder));
    for (const domain of ["source", "target"] as const) {
      for (let i = 0; i < perDomain; i++) {
        const pattern = domain === "source" ? i % 2 : 2 + (i % 2);
        const name = `section_00_${domain}_test_${condition}_000${i}_pat_0${pattern}.wav`;
        writeFileSync(
          join(root, folder, name),
          pcm16Wav([tone(3.2, 16000, freq + 20 * i + (domain === "target" ? 90 : 0), 0.3, 0.1, i + 1)], 16000),
        );
      }
    }
  }
  return root;
}

async function manifests(dcaseNames: boolean): Promise<{ clean: string; features: string }> {
  const root = makeDcaseNamedRoot();
  const config = thesisConfig(root);
  config.dataRoot = root;
  config.workers = 1;
  config.dcaseNames = dcaseNames;
  await cleanAndSample(config, silentReporter);
  await augmentAndExtract(config, silentReporter);
  const read = (name: string) => readFileSync(join(root, "processed_data", name), "utf8");
  return { clean: read("clean_manifest.csv"), features: read("manifest.csv") };
}

/** The CSV without the DCASE columns, written back the way the stages write CSV. */
function withoutDcaseColumns(csv: string): string {
  const rows = parseCsv(csv);
  const columns = Object.keys(rows[0]!).filter((c) => !(DCASE_COLUMNS as readonly string[]).includes(c));
  return toCsv(rows, columns);
}

test("thesis manifests keep their columns; dcaseNames only appends the DCASE ones", async () => {
  const plain = await manifests(false);
  const dcase = await manifests(true);
  assert.equal(plain.clean.split("\n")[0], "file,label,class,source,chunk,start_seconds,duration_seconds");
  assert.equal(plain.features.split("\n")[0], "row,file,label,class,source,augmentation,chunk");
  assert.equal(
    dcase.clean.split("\n")[0],
    `file,label,class,source,chunk,start_seconds,duration_seconds,${DCASE_COLUMNS.join(",")}`,
  );
  assert.equal(
    dcase.features.split("\n")[0],
    `row,file,label,class,source,augmentation,chunk,${DCASE_COLUMNS.join(",")}`,
  );
  // byte for byte the same once the appended columns are dropped (numbers print the same through parse/write)
  assert.equal(withoutDcaseColumns(dcase.clean), withoutDcaseColumns(plain.clean));
  assert.equal(withoutDcaseColumns(plain.clean), plain.clean);
  assert.equal(withoutDcaseColumns(dcase.features), plain.features);
  // augmented rows carry their raw recording's DCASE fields
  const aug = parseCsv(dcase.features).find(
    (r) => r.augmentation === "reverse" && r.source!.includes("target_test_anomaly_0001"),
  )!;
  assert.deepEqual(
    [aug.section, aug.domain, aug.dcase_split, aug.condition, aug.index, aug.attributes],
    ["00", "target", "test", "anomaly", "0001", "pat=03"],
  );
});

test("dcaseModelMetrics: nothing without domains; recording level only when recordings are one window", () => {
  assert.deepEqual(dcaseModelMetrics([{ model: "m", scores: [0.1, 0.9] }], [0, 1], ["a.wav", "b.wav"], 0.1), []);
  const recs = [
    "section_00_source_test_normal_0000_pat_00.wav",
    "section_00_source_test_anomaly_0000_pat_00.wav",
    "section_00_target_test_normal_0000_pat_02.wav",
    "section_00_target_test_anomaly_0000_pat_02.wav",
  ];
  const one = dcaseModelMetrics([{ model: "m", scores: [0.1, 0.9, 0.2, 0.8] }], [0, 1, 0, 1], recs, 0.1);
  assert.deepEqual(
    one.map((r) => r.level),
    ["recording"],
  );
  assert.equal(one[0]!.metrics.officialScore, 1);
  // two windows per recording: the recording's score is the mean (default) or the max of its windows
  const windows = recs.flatMap((r) => [r, r]);
  const labels = [0, 0, 1, 1, 0, 0, 1, 1];
  // source: normal max 0.6 > anomaly max 0.55, but means 0.35 < 0.525
  const scores = [0.1, 0.6, 0.5, 0.55, 0.2, 0.3, 0.4, 0.9];
  const mean = dcaseModelMetrics([{ model: "m", scores }], labels, windows, 0.1);
  assert.deepEqual(
    mean.map((r) => [r.level, r.count]),
    [
      ["window", 8],
      ["recording", 4],
    ],
  );
  assert.equal(mean[1]!.metrics.sections[0]!.aucSource, 1);
  const max = dcaseModelMetrics([{ model: "m", scores }], labels, windows, 0.1, { method: "max", k: 1 });
  // source normal (0.6) vs all anomalies (0.55, 0.9): one of two pairs ordered
  assert.equal(max[1]!.metrics.sections[0]!.aucSource, 0.5);
});

test("cross-validation: mean ± sd over folds per model and level, folds counted where the score is defined", () => {
  const fold = (repeat: number, f: number, score: number | null): DcaseFold => ({
    repeat,
    fold: f,
    model: "m",
    level: "recording",
    count: 4,
    metrics: {
      sections: [],
      officialScore: score,
      aucSourceHmean: score,
      aucTargetHmean: 1,
      pAucHmean: 0.5,
      maxFpr: 0.1,
    },
  });
  const [s] = summarizeDcaseFolds([fold(0, 0, 0.6), fold(0, 1, 0.8), fold(1, 0, null)]);
  assert.equal(s!.folds, 2);
  assert.ok(Math.abs(s!.mean.officialScore - 0.7) < 1e-12);
  assert.ok(Math.abs(s!.sd.officialScore - Math.sqrt(0.02)) < 1e-12);
  assert.equal(s!.sd.aucTarget, 0);
  const dir = mkdtempSync(join(work, "cv-"));
  const written = writeCvDcaseReport(dir, [fold(0, 0, 0.6), fold(0, 1, 0.8)], "t", 0.1);
  assert.deepEqual(readdirSync(dir).sort(), ["cv_dcase_folds.csv", "cv_dcase_summary.csv", "cv_dcase_summary.md"]);
  assert.equal(readCsv(join(dir, "cv_dcase_summary.csv"))[0]!.officialScore_mean, "0.7");
  assert.match(
    written.table!,
    /\| m \| recording \| 2 \| 0\.700 ± 0\.141 \| 1\.000 ± 0\.000 \| 0\.500 ± 0\.000 \| 0\.700 ± 0\.141 \|/,
  );
  assert.deepEqual(writeCvDcaseReport(dir, [], "t", 0.1), { files: [], summary: [], table: null });
});

test("evaluate, unseen (recommended): every model's DCASE metrics are those of its recording scores", async () => {
  const root = makeDcaseNamedRoot(5);
  const config = recommendedConfig(root);
  config.dataRoot = root;
  config.modelDir = join(root, "model");
  config.reportsDir = join(root, "reports");
  config.runName = "run";
  config.workers = 1;
  config.train.epochs = 2;
  await runPipeline(config, silentReporter);
  const dir = join(root, "reports", "run");
  const recordings = readCsv(join(dir, "recording_scores.csv"));
  const rows = readCsv(join(dir, "dcase_metrics.csv")).filter((r) => r.level === "recording");
  const models = Object.keys(recordings[0]!)
    .filter((c) => c.endsWith("_score"))
    .map((c) => c.slice(0, -"_score".length));
  assert.ok(models.includes("cnn") && models.length >= 4, models.join(", "));
  const labels = recordings.map((r) => Number(r.true_label));
  const domains = recordings.map((r) => parseDcaseName(r.recording!).domain);
  const cell = (v: string | undefined) => (v === "" || v === undefined ? null : Number(v));
  for (const model of models) {
    const expected = dcaseMetrics(
      labels,
      recordings.map((r) => Number(r[`${model}_score`])),
      domains,
    )!.sections[0]!;
    const row = rows.find((r) => r.model === model);
    assert.ok(row, `${model} in dcase_metrics.csv`);
    assert.deepEqual(
      [cell(row.auc_source), cell(row.auc_target), cell(row.pauc)],
      [expected.aucSource, expected.aucTarget, expected.pAuc],
      model,
    );
  }
  const metrics = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8")) as {
    dcase?: Array<{ model: string; level: string }>;
  };
  assert.deepEqual(new Set(metrics.dcase!.filter((d) => d.level === "recording").map((d) => d.model)), new Set(models));

  // unseen: the same check on unseen_recording_scores.csv and unseen_dcase_metrics.csv
  for (const [folder, condition, freq] of [
    ["unseen_broken_audio", "anomaly", 1400],
    ["unseen_normal_audio", "normal", 350],
  ] as const) {
    mkdirSync(join(root, folder));
    for (const domain of ["source", "target"] as const) {
      for (let i = 0; i < 2; i++)
        writeFileSync(
          join(
            root,
            folder,
            `section_00_${domain}_test_${condition}_001${i}_pat_0${domain === "source" ? i : 2 + i}.wav`,
          ),
          pcm16Wav([tone(3.2, 16000, freq + 7 * i + (domain === "target" ? 90 : 0), 0.3, 0.1, 40 + i)], 16000),
        );
    }
  }
  await evaluateUnseen(config, silentReporter);
  const unseen = readCsv(join(dir, "unseen_recording_scores.csv"));
  assert.equal(unseen.length, 8);
  const unseenRows = readCsv(join(dir, "unseen_dcase_metrics.csv")).filter((r) => r.level === "recording");
  for (const model of models) {
    const m = dcaseMetrics(
      unseen.map((r) => Number(r.true_label)),
      unseen.map((r) => Number(r[`${model}_score`])),
      unseen.map((r) => parseDcaseName(r.recording!).domain),
    )!;
    assert.equal(cell(unseenRows.find((r) => r.model === model)?.official_score), m.officialScore, `unseen ${model}`);
  }
});
