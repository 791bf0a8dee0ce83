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
import { fitBaselines, type FittedScorer } from "../baselines";
import { readFeatureManifest } from "../manifest";
import {
  dcaseJson,
  dcaseModelMetrics,
  dcaseTable,
  writeDcaseReport,
  type DcaseModelMetrics,
} from "../reports/dcaseReport";
import { recordingScores, type RecordingScores } from "../../evaluate/recordingScores";
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
import {
  loadFeatureSet,
  SPLIT_FILES,
  splitFeatures,
  subsetFeatureSet,
  type FeatureSet,
  type SplitAssignment,
} from "../stages/split";

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

/** What {@link evaluateDcaseLayout} reads from the processed folder of a DCASE machine folder. */
interface DcaseInputs {
  /** Every train/ row (anomalous ones included, to count those left out). */
  train: FeatureSet;
  /** The normal train/ rows: what the normal-only models learn from. */
  normalTrain: FeatureSet;
  test: FeatureSet;
  /** Number of test rows. */
  rows: number;
  manifest: FeatureRow[];
  assignment: SplitAssignment;
  /** Source recording of each test row. */
  sources: string[];
}

/** One normal-only model scored on the test/ clips. */
interface ScoredModel {
  model: string;
  windows: ModelEvaluation;
  recordings: ModelEvaluation;
  /** Its score per test recording (aggregated by evaluate.recordingScore). */
  perRecording: RecordingScores;
}

/** A baseline (on the MFCC rows) scored on the test/ clips: also its score per test row. */
interface ScoredBaseline extends ScoredModel {
  /** Score of each test row, in the order of X_test.npy. */
  windowScores: Float64Array;
}

/**
 * Fit the normal-only detectors on the normal train/ rows and score the test/ rows (after
 * clean, preprocess and split ran with dataFormat "dcase"). Decision threshold: the 90th
 * percentile of the normal training clips' scores (the DCASE baseline's rule; cross-fitted for
 * the pooled-feature detectors). Writes `metrics.json`, `model_comparison.csv` / `.md`,
 * `test_predictions.csv` (per window), `test_recordings.csv` (every model's score per test
 * recording), `dcase_metrics.csv` / `.md`, `config.json`, `provenance.json` and `skipped.csv`
 * into the run folder.
 */
export async function evaluateDcaseLayout(config: PipelineConfig, reporter: Reporter): Promise<DcaseRunReport> {
  const inputs = readDcaseInputs(config);
  const note = supervisedModelsNote(config);
  reporter.warn(note);
  const baselines = scoreBaselines(config, inputs, fitNormalOnlyBaselines(config, inputs, reporter));
  const pooled = await scorePooledDetectors(config);
  const dcase = dcaseMetricsOf(config, inputs, baselines, pooled);
  const models = [...baselines, ...pooled];
  const evaluations = models.map((m) => ({ model: m.model, windows: m.windows, recordings: m.recordings }));
  const { dir, files, title, table } = writeDcaseRunFiles(config, inputs, { baselines, models, dcase, note });
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
    `dcase: ${evaluations.map((e) => e.model).join(", ")} on ${inputs.rows} test rows` +
      (head === undefined
        ? ""
        : `, ${head.model} official score ${head.metrics.officialScore?.toFixed(4) ?? "n/a"} per recording`),
  );
  return { evaluations, dcase, note, text, runDir: dir, files };
}

/**
 * The train and test features, the manifest and the split that clean, preprocess and split wrote.
 *
 * @throws ConfigError  when the config is not the DCASE layout or the split file disagrees with X_test.npy
 */
function readDcaseInputs(config: PipelineConfig): DcaseInputs {
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
  const rows = test.shape[0] as number;
  if (assignment.test.length !== rows)
    throw new ConfigError(
      join(processed, SPLIT_FILES.indices),
      `lists ${assignment.test.length} test rows but X_test.npy has ${rows}`,
      'run "soundcheck split --layout dcase" again',
    );
  const normalTrain = subsetFeatureSet(
    train,
    Int32Array.from(Array.from(train.y.keys()).filter((i) => train.y[i] === 0)),
  );
  const sources = Array.from(assignment.test, (r) => (manifest[r] as FeatureRow).source);
  return { train, normalTrain, test, rows, manifest, assignment, sources };
}

/** The normal-only baselines (the autoencoder) fitted on the normal train/ rows, thresholds included. */
function fitNormalOnlyBaselines(config: PipelineConfig, inputs: DcaseInputs, reporter: Reporter): FittedScorer[] {
  const normalOnly = { ...config, evaluate: { ...config.evaluate, baselines: normalOnlyBaselines(config) } };
  return fitBaselines(normalOnly, inputs.normalTrain, null, reporter);
}

/** Each fitted baseline's scores of the test rows, evaluated per window and per recording. */
function scoreBaselines(config: PipelineConfig, inputs: DcaseInputs, baselines: FittedScorer[]): ScoredBaseline[] {
  const { test, rows, sources } = inputs;
  const classNames = [...config.classNames];
  const { maxFpr } = config.evaluate;
  const aggregation = recordingAggregation(config);
  return baselines.map((d) => {
    const windowScores = d.score(test.x, rows);
    const perRecording = recordingScores(sources, test.y, windowScores, aggregation);
    return {
      model: d.name,
      windows: evaluateScores(d.name, d.scoreName, test.y, windowScores, d.threshold, classNames, maxFpr),
      recordings: evaluateScores(
        d.name,
        `${aggregation.method} of ${d.scoreName}`,
        perRecording.labels,
        perRecording.scores,
        d.threshold,
        classNames,
        maxFpr,
      ),
      perRecording,
      windowScores,
    };
  });
}

/**
 * The pooled-feature detectors that learn from normal clips (kNN, Mahalanobis) fitted on the
 * normal train/ recordings and scored on every test/ recording. There are no validation
 * recordings, so each threshold comes from cross-fitted scores of the normal train/ recordings
 * (../detect/crossFit).
 */
async function scorePooledDetectors(config: PipelineConfig): Promise<ScoredModel[]> {
  const detectors = normalOnlyDetectors(config);
  if (detectors.length === 0) return [];
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
  return detectors.map((d) => {
    const model = `${d.name} (${configuredFeatureName(config)})`;
    const run = runDetector(d, pooled, recordings, sets, detectorEvaluationOptions(config));
    return {
      model,
      windows: { ...run.windows, model },
      recordings: { ...run.recordings, model },
      perRecording: run.test,
    };
  });
}

/**
 * DCASE metrics (AUC per domain, pAUC, official score): the baselines per window and per
 * recording, the pooled-feature detectors per recording (each of their recordings is scored whole).
 */
function dcaseMetricsOf(
  config: PipelineConfig,
  inputs: DcaseInputs,
  baselines: readonly ScoredBaseline[],
  pooled: readonly ScoredModel[],
): DcaseModelMetrics[] {
  const { maxFpr } = config.evaluate;
  const windows = baselines.map((b) => ({ model: b.model, scores: b.windowScores }));
  return [
    ...dcaseModelMetrics(windows, inputs.test.y, inputs.sources, maxFpr, recordingAggregation(config)),
    ...pooled.flatMap((p) =>
      dcaseModelMetrics(
        [{ model: p.model, scores: p.perRecording.scores }],
        p.perRecording.labels,
        p.perRecording.recordings,
        maxFpr,
      ),
    ),
  ];
}

/** What the run folder gets: every model's evaluations and DCASE metrics, and why the supervised ones are missing. */
interface DcaseRunResults {
  baselines: readonly ScoredBaseline[];
  /** The baselines, then the pooled-feature detectors. */
  models: readonly ScoredModel[];
  dcase: DcaseModelMetrics[];
  note: string;
}

/**
 * Write the run folder's files (see {@link evaluateDcaseLayout}).
 *
 * @returns the folder, the files written, the report's title and its headline table (Markdown)
 */
function writeDcaseRunFiles(
  config: PipelineConfig,
  inputs: DcaseInputs,
  results: DcaseRunResults,
): { dir: string; files: string[]; title: string; table: string } {
  const { dcase, note } = results;
  const dir = runDirectory(config);
  const files: string[] = [];
  const write = (name: string, content: string) => {
    files.push(join(dir, name));
    writeFileAtomic(join(dir, name), content);
  };
  const trainRecordings = new Set(Array.from(inputs.assignment.train, (r) => (inputs.manifest[r] as FeatureRow).source))
    .size;
  write("metrics.json", metricsJson(config, inputs, results, trainRecordings));
  const levels = results.models.flatMap((m) => [
    { model: m.model, level: "recording", e: m.recordings },
    { model: m.model, level: "window", e: m.windows },
  ]);
  write("model_comparison.csv", modelComparisonCsv(levels));
  const table = headlineTable(
    levels.map((l) => ({ name: `${l.model}, per ${l.level}`, metrics: headlineMetrics(l.e) })),
  );
  const title =
    `${config.runName ?? "DCASE evaluation"}: ${config.dataRoot} (${new Set(inputs.sources).size} test recordings, ` +
    `${inputs.rows} test rows; trained on ${trainRecordings} train/ recordings)`;
  write(
    "model_comparison.md",
    `# ${title}\n\n${table}\n\n## DCASE metrics\n\n${dcaseTable(dcase)}\n\nNot run: ${note}.\n`,
  );
  write("test_predictions.csv", testPredictionsCsv(inputs, results.baselines));
  write("test_recordings.csv", recordingScoresCsv(results.models.map((m) => ({ model: m.model, ...m.perRecording }))));
  files.push(...writeDcaseReport(dir, dcase, `DCASE metrics: ${title}`, config.evaluate.maxFpr));
  files.push(writeRunConfig(dir, config), writeRunProvenance(dir, config, "n/a (no CNN)"));
  const skipped = copyIntoRun(dir, skippedCsvPath(config), SKIPPED_CSV);
  if (skipped !== null) files.push(skipped);
  return { dir, files, title, table };
}

/** model_comparison.csv: each model's threshold and headline metrics, per recording and per window. */
function modelComparisonCsv(levels: ReadonlyArray<{ model: string; level: string; e: ModelEvaluation }>): string {
  return toCsv(
    levels.map((l): Record<string, CsvValue> => ({
      model: l.model,
      level: l.level,
      score: l.e.scoreName,
      threshold: l.e.threshold.value,
      threshold_source: l.e.threshold.source,
      ...Object.fromEntries(HEADLINE_METRICS.map((k) => [k, finiteOrNull(headlineMetrics(l.e)[k])])),
    })),
    ["model", "level", "score", "threshold", "threshold_source", ...HEADLINE_METRICS],
  );
}

/** metrics.json: the data, every model's headline metrics per recording and per window, the DCASE metrics. */
function metricsJson(
  config: PipelineConfig,
  inputs: DcaseInputs,
  results: DcaseRunResults,
  trainRecordings: number,
): string {
  const summary = (e: ModelEvaluation) => ({
    ...headlineMetrics(e),
    partialAuc: e.ranking?.partialAuc ?? null,
    confusionMatrix: e.report.confusion,
    support: e.report.perClass.map((c) => c.support),
  });
  const normalRows = inputs.normalTrain.shape[0] as number;
  const json = {
    layout: "dcase",
    dataRoot: config.dataRoot,
    train: {
      rows: normalRows,
      recordings: trainRecordings,
      leftOutAnomalousRows: (inputs.train.shape[0] as number) - normalRows,
    },
    testRows: inputs.rows,
    testRecordings: new Set(inputs.sources).size,
    split: { method: "DCASE folders (train/ vs test/)" },
    models: Object.fromEntries(
      results.models.map((m) => [
        m.model,
        {
          score: m.windows.scoreName,
          threshold: m.windows.threshold,
          // the headline numbers (as `soundcheck compare` reads them) are per recording
          level: "recording",
          ...headlineMetrics(m.recordings),
          windows: summary(m.windows),
          recordings: summary(m.recordings),
        },
      ]),
    ),
    dcase: dcaseJson(results.dcase),
    notRun: results.note,
    preset: config.preset,
    evaluatedAt: new Date().toISOString(),
  };
  return JSON.stringify(json, null, 2) + "\n";
}

/** test_predictions.csv: one row per test row, its file, domain, class and each baseline's score and decision. */
function testPredictionsCsv(inputs: DcaseInputs, baselines: readonly ScoredBaseline[]): string {
  const rows = Array.from({ length: inputs.rows }, (_, i): Record<string, CsvValue> => {
    const m = inputs.manifest[inputs.assignment.test[i] as number] as FeatureRow;
    const row: Record<string, CsvValue> = {
      test_row: i,
      feature_row: m.row,
      file: m.file,
      source: m.source,
      domain: parseDcaseName(m.source).domain,
      true_label: inputs.test.y[i] as number,
    };
    for (const b of baselines) {
      row[`${b.model}_score`] = b.windowScores[i] as number;
      row[`${b.model}_predicted`] = b.windows.predictions[i] as number;
    }
    return row;
  });
  const columns = ["test_row", "feature_row", "file", "source", "domain", "true_label"];
  return toCsv(rows, [...columns, ...baselines.flatMap((b) => [`${b.model}_score`, `${b.model}_predicted`])]);
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
