/**
 * Running on a DCASE machine folder (`--layout dcase`, `config.dataFormat` "dcase"): the clean,
 * preprocess and split stages read `train/` and `test/` (src/data/dcaseLayout.ts), then the
 * normal-only detectors learn what normal sounds like from the train/ clips and score every
 * test/ clip, as DCASE task 2 does. Supervised models (the CNN, logistic regression) need
 * anomalous examples to learn from, which train/ does not have: they are left out with one
 * message, not trained on one class.
 */
import { join, relative } from "node:path";
import { dataPath, type BaselineName, type PipelineConfig } from "../../config/pipeline";
import { toCsv, type CsvValue } from "../../data/csv";
import { assertSafeLayout } from "../../data/dataset";
import { loadNpy } from "../../data/npy";
import { parseDcaseName } from "../../data/dcaseNames";
import { ConfigError, SoundcheckError } from "../../errors";
import {
  evaluateScores,
  finiteOrNull,
  headlineMetrics,
  headlineTable,
  HEADLINE_METRICS,
  type ModelEvaluation,
} from "../../evaluate/modelEvaluation";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { Reporter } from "../../util/reporter";
import { fitBaselines } from "../baselines";
import { readFeatureManifest } from "../manifest";
import {
  dcaseJson,
  dcaseModelMetrics,
  dcaseTable,
  writeDcaseReport,
  type DcaseModelMetrics,
} from "../reports/dcaseReport";
import { recordingScores } from "../../evaluate/recordingScores";
import {
  configuredDetectors,
  configuredFeatureName,
  configuredPooledWindows,
  detectorEvaluationOptions,
  recordingAggregation,
} from "../detect/configured";
import { runDetector } from "../detect/evaluateDetectors";
import type { Recording } from "../detect/recordings";
import type { Detector } from "../../model/detectors/detector";
import { listDcaseRecordings } from "../../data/dcaseLayout";
import type { DcaseSplit } from "../../data/dcaseNames";
import { loadAudio } from "../../audio/load";
import { normalizeRms } from "../features";
import { writeRunProvenance } from "../reports/runProvenance";
import { copyIntoRun, runDirectory, writeRunConfig } from "../reports/runReport";
import { SKIPPED_CSV, skippedCsvPath } from "../reports/skipped";
import { closeWorkerPool } from "../runtime/parallel";
import { augmentAndExtract, FEATURE_MANIFEST, LABELS_FILE, type FeatureRow } from "../stages/augmentAndExtract";
import { cleanAndSample } from "../stages/cleanAndSample";
import { readSplitAssignment } from "../stages/evaluate";
import { loadFeatureSet, SPLIT_FILES, splitFeatures, subsetFeatureSet } from "../stages/split";

/** Baselines that learn from normal clips alone (DCASE's setting). */
export const NORMAL_ONLY_BASELINES: readonly BaselineName[] = ["autoencoder"];

/** The configured pooled-feature detectors that train on normal clips alone (kNN, Mahalanobis). */
export function normalOnlyDetectors(config: PipelineConfig): Detector[] {
  return configuredDetectors(config).filter((d) => d.supervision === "normal-only");
}

/** The one message that says why the supervised models are not run on a DCASE folder. */
export function supervisedModelsNote(config: PipelineConfig): string {
  const supervised = [
    "cnn",
    ...config.evaluate.baselines.filter((b) => !NORMAL_ONLY_BASELINES.includes(b)),
    ...configuredDetectors(config)
      .filter((d) => d.supervision === "supervised")
      .map((d) => `${d.name} (pooled features)`),
  ];
  const normalOnly = [...normalOnlyBaselines(config), ...normalOnlyDetectors(config).map((d) => d.name)];
  const list = (names: string[]) =>
    names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1) as string}`;
  return (
    `${list(supervised)}: supervised, they learn from anomalous examples, but a DCASE train/ folder holds normal ` +
    "clips only, so they are not trained with --layout dcase (use --layout folders with broken_audio/ and " +
    `normal_audio/ for them); the normal-only detectors (${list(normalOnly)}) are`
  );
}

/**
 * Every recording of the DCASE folder decoded at the feature rate (level-normalised when
 * `features.levelNormalization` is "rms"), for the pooled-feature detectors; ids as the
 * manifest's `source` (`train/...`, `test/...`). Unreadable files are skipped with a reason.
 */
export async function loadDcaseRecordings(
  config: PipelineConfig,
  reporter: Reporter,
): Promise<Array<Recording & { split: DcaseSplit }>> {
  const rate = config.features.sampleRateHz;
  const rms = (config.features.levelNormalization ?? "none") === "rms";
  const out: Array<Recording & { split: DcaseSplit }> = [];
  for (const r of listDcaseRecordings(config, reporter)) {
    try {
      const audio = await loadAudio(r.file, rate);
      out.push({
        id: relative(config.dataRoot, r.file),
        file: r.file,
        label: r.label,
        domain: r.name.domain,
        split: r.split,
        samples: rms ? normalizeRms(audio.samples) : audio.samples,
      });
    } catch (err) {
      reporter.skip(r.file, err instanceof SoundcheckError ? err.message : `${r.file}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The normal-only baselines of the config, or the autoencoder when it names none. */
export function normalOnlyBaselines(config: PipelineConfig): BaselineName[] {
  const chosen = config.evaluate.baselines.filter((b) => NORMAL_ONLY_BASELINES.includes(b));
  return chosen.length > 0 ? chosen : ["autoencoder"];
}

/** What {@link evaluateDcaseLayout} computed and wrote. */
export interface DcaseRunReport {
  /**
   * Per detector: its evaluation per test window and per test recording (its windows' scores
   * aggregated by evaluate.recordingScore).
   */
  evaluations: Array<{ model: string; windows: ModelEvaluation; recordings: ModelEvaluation }>;
  /** DCASE metrics (AUC per domain, pAUC, official score) per detector and level. */
  dcase: DcaseModelMetrics[];
  /** Why the supervised models were not run. */
  note: string;
  text: string;
  runDir: string;
  files: string[];
}

/**
 * Fit the normal-only detectors on the normal train/ rows and score the test/ rows (after
 * clean, preprocess and split ran with dataFormat "dcase"). Decision threshold: the 90th
 * percentile of the normal training clips' scores (the DCASE baseline's rule). Writes
 * `metrics.json`, `model_comparison.csv` / `.md`, `test_predictions.csv` (per window),
 * `test_recordings.csv` (every model's score per test recording), `dcase_metrics.csv` /
 * `.md`, `config.json`, `provenance.json` and `skipped.csv` into the run folder.
 */
export async function evaluateDcaseLayout(config: PipelineConfig, reporter: Reporter): Promise<DcaseRunReport> {
  if (config.dataFormat !== "dcase")
    throw new ConfigError(
      "dataFormat",
      `is "${config.dataFormat}"`,
      'use --layout dcase (or "soundcheck evaluate" for the folders layout)',
    );
  assertSafeLayout(config); // no output may land in a raw folder
  const processed = dataPath(config, "processed");
  const train = loadFeatureSet(join(processed, SPLIT_FILES.xTrain), join(processed, SPLIT_FILES.yTrain));
  const test = loadFeatureSet(join(processed, SPLIT_FILES.xTest), join(processed, SPLIT_FILES.yTest));
  const manifest = readFeatureManifest(
    join(processed, FEATURE_MANIFEST),
    loadNpy(join(processed, LABELS_FILE)).shape[0] as number,
  );
  const assignment = readSplitAssignment(processed);
  const n = test.shape[0] as number;
  if (assignment.test.length !== n)
    throw new ConfigError(
      join(processed, SPLIT_FILES.indices),
      `lists ${assignment.test.length} test rows but X_test.npy has ${n}`,
      'run "soundcheck split --layout dcase" again',
    );
  const sources = Array.from(assignment.test, (r) => (manifest[r] as FeatureRow).source);
  const normalTrain = subsetFeatureSet(
    train,
    Int32Array.from(Array.from(train.y.keys()).filter((i) => train.y[i] === 0)),
  );
  const note = supervisedModelsNote(config);
  reporter.warn(note);
  const classNames = [...config.classNames];
  const maxFpr = config.evaluate.maxFpr;
  const detectors = fitBaselines(
    { ...config, evaluate: { ...config.evaluate, baselines: normalOnlyBaselines(config) } },
    normalTrain,
    null,
    reporter,
  );
  const evaluations: DcaseRunReport["evaluations"] = [];
  const scored: Array<{ model: string; scores: Float64Array; predictions: Int32Array }> = [];
  const perRecordingScores: Array<{
    model: string;
    recordings: string[];
    scores: ArrayLike<number>;
    labels: ArrayLike<number>;
  }> = [];
  for (const d of detectors) {
    const scores = d.score(test.x, n);
    const windows = evaluateScores(d.name, d.scoreName, test.y, scores, d.threshold, classNames, maxFpr);
    const perRecording = recordingScores(sources, test.y, scores, recordingAggregation(config));
    const recordings = evaluateScores(
      d.name,
      `${recordingAggregation(config).method} of ${d.scoreName}`,
      perRecording.labels,
      perRecording.scores,
      d.threshold,
      classNames,
      maxFpr,
    );
    evaluations.push({ model: d.name, windows, recordings });
    perRecordingScores.push({
      model: d.name,
      recordings: perRecording.recordings,
      scores: perRecording.scores,
      labels: perRecording.labels,
    });
    scored.push({ model: d.name, scores, predictions: windows.predictions });
  }
  const dcase = dcaseModelMetrics(scored, test.y, sources, maxFpr, recordingAggregation(config));

  // the pooled-feature detectors that learn from normal clips: fitted on the normal train/ recordings
  const pooledDetectors = normalOnlyDetectors(config);
  if (pooledDetectors.length > 0) {
    const quiet: Reporter = {
      info: () => undefined,
      warn: () => undefined,
      skip: () => undefined,
      progress: () => undefined,
    };
    const recordings = await loadDcaseRecordings(config, quiet);
    const pooled = await configuredPooledWindows(config, recordings);
    const indices = (keep: (r: (typeof recordings)[number]) => boolean) =>
      Int32Array.from(Array.from(recordings.keys()).filter((i) => keep(recordings[i] as (typeof recordings)[number])));
    const sets = {
      train: indices((r) => r.split === "train" && r.label === 0),
      validation: new Int32Array(0),
      test: indices((r) => r.split === "test"),
    };
    const name = (d: Detector) => `${d.name} (${configuredFeatureName(config)})`;
    for (const d of pooledDetectors) {
      // no validation recordings: the threshold comes from cross-fitted scores of the normal train/ recordings
      const run = runDetector(d, pooled, recordings, sets, detectorEvaluationOptions(config));
      evaluations.push({
        model: name(d),
        windows: { ...run.windows, model: name(d) },
        recordings: { ...run.recordings, model: name(d) },
      });
      perRecordingScores.push({
        model: name(d),
        recordings: run.test.recordings,
        scores: run.test.scores,
        labels: run.test.labels,
      });
      dcase.push(
        ...dcaseModelMetrics(
          [{ model: name(d), scores: run.test.scores }],
          run.test.labels,
          run.test.recordings,
          maxFpr,
        ),
      );
    }
  }

  const dir = runDirectory(config);
  const files = [
    join(dir, "metrics.json"),
    join(dir, "model_comparison.csv"),
    join(dir, "model_comparison.md"),
    join(dir, "test_predictions.csv"),
  ];
  const summary = (e: ModelEvaluation) => ({
    ...headlineMetrics(e),
    partialAuc: e.ranking?.partialAuc ?? null,
    confusionMatrix: e.report.confusion,
    support: e.report.perClass.map((c) => c.support),
  });
  const trainRecordings = new Set(Array.from(assignment.train, (r) => (manifest[r] as FeatureRow).source)).size;
  writeFileAtomic(
    files[0] as string,
    JSON.stringify(
      {
        layout: "dcase",
        dataRoot: config.dataRoot,
        train: {
          rows: normalTrain.shape[0],
          recordings: trainRecordings,
          leftOutAnomalousRows: (train.shape[0] as number) - (normalTrain.shape[0] as number),
        },
        testRows: n,
        testRecordings: new Set(sources).size,
        split: { method: "DCASE folders (train/ vs test/)" },
        models: Object.fromEntries(
          evaluations.map((e) => [
            e.model,
            {
              score: e.windows.scoreName,
              threshold: e.windows.threshold,
              // the headline numbers (as `soundcheck compare` reads them) are per recording
              level: "recording",
              ...headlineMetrics(e.recordings),
              windows: summary(e.windows),
              recordings: summary(e.recordings),
            },
          ]),
        ),
        dcase: dcaseJson(dcase),
        notRun: note,
        preset: config.preset,
        evaluatedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  const levels = evaluations.flatMap((e) => [
    { model: e.model, level: "recording", e: e.recordings },
    { model: e.model, level: "window", e: e.windows },
  ]);
  writeFileAtomic(
    files[1] as string,
    toCsv(
      levels.map((l): Record<string, CsvValue> => ({
        model: l.model,
        level: l.level,
        score: l.e.scoreName,
        threshold: l.e.threshold.value,
        threshold_source: l.e.threshold.source,
        ...Object.fromEntries(HEADLINE_METRICS.map((k) => [k, finiteOrNull(headlineMetrics(l.e)[k])])),
      })),
      ["model", "level", "score", "threshold", "threshold_source", ...HEADLINE_METRICS],
    ),
  );
  const table = headlineTable(
    levels.map((l) => ({ name: `${l.model}, per ${l.level}`, metrics: headlineMetrics(l.e) })),
  );
  const title =
    `${config.runName ?? "DCASE evaluation"}: ${config.dataRoot} (${new Set(sources).size} test recordings, ` +
    `${n} test rows; trained on ${trainRecordings} train/ recordings)`;
  writeFileAtomic(
    files[2] as string,
    `# ${title}\n\n${table}\n\n## DCASE metrics\n\n${dcaseTable(dcase)}\n\nNot run: ${note}.\n`,
  );
  writeFileAtomic(
    files[3] as string,
    toCsv(
      Array.from({ length: n }, (_, i): Record<string, CsvValue> => {
        const m = manifest[assignment.test[i] as number] as FeatureRow;
        const row: Record<string, CsvValue> = {
          test_row: i,
          feature_row: m.row,
          file: m.file,
          source: m.source,
          domain: parseDcaseName(m.source).domain,
          true_label: test.y[i] as number,
        };
        for (const s of scored) {
          row[`${s.model}_score`] = s.scores[i] as number;
          row[`${s.model}_predicted`] = s.predictions[i] as number;
        }
        return row;
      }),
      [
        "test_row",
        "feature_row",
        "file",
        "source",
        "domain",
        "true_label",
        ...scored.flatMap((s) => [`${s.model}_score`, `${s.model}_predicted`]),
      ],
    ),
  );
  files.push(join(dir, "test_recordings.csv"));
  writeFileAtomic(files.at(-1) as string, recordingScoresCsv(perRecordingScores));
  files.push(...writeDcaseReport(dir, dcase, `DCASE metrics: ${title}`, maxFpr));
  files.push(writeRunConfig(dir, config), writeRunProvenance(dir, config, "n/a (no CNN)"));
  const skipped = copyIntoRun(dir, skippedCsvPath(config), SKIPPED_CSV);
  if (skipped !== null) files.push(skipped);
  const text = [
    `DCASE layout: ${title}`,
    "",
    table,
    "",
    "DCASE metrics (dcase_metrics.md defines them)",
    dcaseTable(dcase),
    "",
    `Not run: ${note}.`,
    "",
    `Reports written to ${dir}`,
  ].join("\n");
  const head = dcase.find((d) => d.level === "recording");
  reporter.info(
    `dcase: ${evaluations.map((e) => e.model).join(", ")} on ${n} test rows` +
      (head === undefined
        ? ""
        : `, ${head.model} official score ${head.metrics.officialScore?.toFixed(4) ?? "n/a"} per recording`),
  );
  return { evaluations, dcase, note, text, runDir: dir, files };
}

/** One row per test recording (first model's order), its domain, class and every model's recording score. */
function recordingScoresCsv(
  models: ReadonlyArray<{ model: string; recordings: string[]; scores: ArrayLike<number>; labels: ArrayLike<number> }>,
): string {
  const rows = new Map<string, Record<string, CsvValue>>();
  for (const m of models) {
    m.recordings.forEach((id, i) => {
      const row = rows.get(id) ?? { source: id, domain: parseDcaseName(id).domain, true_label: m.labels[i] as number };
      row[`${m.model}_score`] = m.scores[i] as number;
      rows.set(id, row);
    });
  }
  return toCsv([...rows.values()], ["source", "domain", "true_label", ...models.map((m) => `${m.model}_score`)]);
}

/** clean, preprocess and split on a DCASE machine folder, then {@link evaluateDcaseLayout}. */
export async function runDcasePipeline(config: PipelineConfig, reporter: Reporter): Promise<DcaseRunReport> {
  await cleanAndSample(config, reporter);
  await augmentAndExtract(config, reporter);
  await closeWorkerPool(); // the remaining steps need no feature workers
  splitFeatures(config, reporter);
  return evaluateDcaseLayout(config, reporter);
}
