/**
 * Unseen-data evaluation, as in the thesis's later version: recordings kept out of the whole
 * training process (`data/unseen_broken_audio`, `data/unseen_normal_audio`) go through the same
 * cleaning (resampling, mono, chunking) and features as training, and the saved model scores
 * them without retraining, at its stored decision threshold.
 */
import { join, relative } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { loadAudio } from "../../audio/load";
import { toCsv, type CsvValue } from "../../data/csv";
import { assertSafeLayout, listAudioFiles } from "../../data/dataset";
import { ConfigError, SoundcheckError } from "../../errors";
import { evaluateScores, headlineMetrics, headlineTable, type ModelEvaluation } from "../../evaluate/modelEvaluation";
import { writeFileAtomic } from "../../util/atomicWrite";
import { cutIntoChunks } from "../chunking";
import { modelThreshold } from "../stages/evaluate";
import { unseenFigures } from "../reports/evaluationFigures";
import { createClipFeatureExtractor } from "../features";
import { loadTrainedModel } from "../modelStore";
import { keepingSkips, type Reporter, type SkippedFile } from "../../util/reporter";
import { writeRunProvenance } from "../reports/runProvenance";
import { runDirectory, writeFigures, writeRunConfig, type NamedFigure } from "../reports/runReport";
import {
  headlineSummary,
  recordingFigures,
  writeRecordingLevelReport,
  type RecordingLevelReport,
} from "../detect/recordingReport";
import { unseenAllModels } from "../detect/unseenModels";
import { dcaseJson, dcaseModelMetrics, dcaseTable, writeDcaseReport } from "../reports/dcaseReport";
import { recordingAggregation } from "../detect/configured";

/** One scored window (chunk) of an unseen recording. */
export interface UnseenWindow {
  file: string;
  label: 0 | 1;
  /** Chunk index, or null when the recording is used whole. */
  chunk: number | null;
  probabilityBroken: number;
}

export interface UnseenReport {
  /** Per window (chunk), as the model saw them in training. */
  windows: ModelEvaluation;
  /** Per recording: the mean P(broken) of its windows, at the same threshold. */
  recordings: ModelEvaluation;
  rows: UnseenWindow[];
  /** Every model of the run (CNN, chunk baselines, pooled-feature detectors), one decision per recording. */
  models: RecordingLevelReport;
  skipped: SkippedFile[];
  text: string;
  runDir: string;
  /** Confusion matrix, ROC, precision-recall and score histogram of the windows. */
  figures: NamedFigure[];
  files: string[];
}

/**
 * Score the unseen recordings with the saved model. Broken recordings are cut into
 * `clean.chunkSeconds` chunks (remainder dropped); normal ones too when `clean.chunkNormal`,
 * else used whole (features padded/truncated to the model's frame count), exactly like the
 * clean stage. A file that cannot be read is skipped with a reason; the rest go on. Writes
 * `unseen_metrics.json`, `unseen_windows.csv`, `unseen_recordings.csv`, `config.json`,
 * `provenance.json` and figures (`unseen/figures/`) into the run folder; with `config.dcaseNames`
 * and DCASE file names also `unseen_dcase_metrics.csv` / `.md` (AUC per domain, pAUC, official score).
 */
export async function evaluateUnseen(config: PipelineConfig, reporter: Reporter): Promise<UnseenReport> {
  assertSafeLayout(config); // no output may land in a raw folder
  const trained = await loadTrainedModel(config.modelDir, [config.features.nMfcc, 0], config.train.backend);
  const features = trained.metadata.features;
  const rate = features.sampleRateHz;
  const chunkSamples = Math.round(config.clean.chunkSeconds * rate);
  const extract = await createClipFeatureExtractor(features);
  const classNames = trained.metadata.classNames;
  const tracking = keepingSkips(reporter);
  const skipped = tracking.skipped;
  const inputs = [
    { label: 1 as const, folder: dataPath(config, "rawUnseenBroken"), chunked: true },
    { label: 0 as const, folder: dataPath(config, "rawUnseenNormal"), chunked: config.clean.chunkNormal },
  ].map((c) => ({ ...c, files: listAudioFiles(c.folder, tracking, `unseen ${classNames[c.label]} recordings`) }));
  for (const c of inputs) {
    if (c.files.length === 0)
      throw new ConfigError(
        c.folder,
        `holds no unseen "${classNames[c.label]}" recordings`,
        "put recordings that were never used in training into it",
      );
  }
  const rows: UnseenWindow[] = [];
  const windowFeatures: Float32Array[] = [];
  const total = inputs.reduce((a, c) => a + c.files.length, 0);
  const rowSize = features.nMfcc * (features.frames ?? 0);
  let done = 0;
  reporter.progress("unseen", 0, total);
  for (const c of inputs) {
    for (const file of c.files) {
      const name = relative(config.dataRoot, file);
      try {
        const audio = await loadAudio(file, rate);
        const windows = c.chunked ? cutIntoChunks(audio.samples, chunkSamples) : [audio.samples];
        if (windows.length === 0)
          throw new ConfigError(
            file,
            `is ${audio.durationSeconds.toFixed(2)} s long, shorter than one ${config.clean.chunkSeconds} s chunk`,
            "use recordings of at least one chunk",
          );
        const x = new Float32Array(windows.length * rowSize);
        windows.forEach((w, i) => x.set(extract(w).data, i * rowSize));
        const probs = trained.predict(x, windows.length);
        windowFeatures.push(x);
        windows.forEach((_, i) =>
          rows.push({
            file: name,
            label: c.label,
            chunk: c.chunked ? i : null,
            probabilityBroken: probs[i * 2 + 1] as number,
          }),
        );
      } catch (err) {
        tracking.skip(file, err instanceof SoundcheckError ? err.message : `${file}: ${(err as Error).message}`);
      }
      reporter.progress("unseen", ++done, total);
    }
  }
  if (rows.length === 0)
    throw new ConfigError(
      config.dataRoot,
      "no unseen recording could be scored",
      "check the skipped files listed above",
    );
  const threshold = modelThreshold(trained.metadata.decisionThreshold);
  const maxFpr = config.evaluate.maxFpr;
  const scoreName = `P(${classNames[1]})`;
  const windows = evaluateScores(
    "cnn (windows)",
    scoreName,
    rows.map((r) => r.label),
    rows.map((r) => r.probabilityBroken),
    threshold,
    classNames,
    maxFpr,
  );
  const byFile = new Map<string, { label: 0 | 1; sum: number; count: number }>();
  for (const r of rows) {
    const e = byFile.get(r.file) ?? { label: r.label, sum: 0, count: 0 };
    e.sum += r.probabilityBroken;
    e.count++;
    byFile.set(r.file, e);
  }
  const fileRows = [...byFile.entries()].map(([file, e]) => ({
    file,
    label: e.label,
    windows: e.count,
    probabilityBroken: e.sum / e.count,
  }));
  const allX = new Float32Array(rows.length * rowSize);
  let offset = 0;
  for (const x of windowFeatures) {
    allX.set(x, offset);
    offset += x.length;
  }
  const models = await unseenAllModels(
    config,
    reporter,
    {
      files: rows.map((r) => r.file),
      labels: rows.map((r) => r.label),
      cnnScores: rows.map((r) => r.probabilityBroken),
      cnnThreshold: threshold,
      cnnScoreName: scoreName,
      x: allX,
    },
    classNames,
  );
  const recordings = evaluateScores(
    "cnn (recordings)",
    `mean ${scoreName}`,
    fileRows.map((f) => f.label),
    fileRows.map((f) => f.probabilityBroken),
    threshold,
    classNames,
    maxFpr,
  );

  const dcase = config.dcaseNames
    ? dcaseModelMetrics(
        [{ model: "cnn", scores: rows.map((r) => r.probabilityBroken) }],
        rows.map((r) => r.label),
        rows.map((r) => r.file),
        maxFpr,
        recordingAggregation(config),
      )
    : [];
  // every other model of the run, per recording (as scored by unseenAllModels)
  if (dcase.length > 0) {
    models.evaluations.forEach((e, i) => {
      if (e.model !== "cnn")
        dcase.push(
          ...dcaseModelMetrics(
            [{ model: e.model, scores: models.scores[i] as Float64Array }],
            models.labels,
            models.recordings,
            maxFpr,
          ),
        );
    });
  }

  const dir = runDirectory(config);
  const files = [join(dir, "unseen_metrics.json"), join(dir, "unseen_windows.csv"), join(dir, "unseen_recordings.csv")];
  const summary = (e: ModelEvaluation) => ({
    ...headlineMetrics(e),
    partialAuc: e.ranking?.partialAuc ?? null,
    confusionMatrix: e.report.confusion,
    support: e.report.perClass.map((c) => c.support),
  });
  writeFileAtomic(
    files[0] as string,
    JSON.stringify(
      {
        model: config.modelDir,
        threshold,
        windows: summary(windows),
        recordings: summary(recordings),
        models: Object.fromEntries(
          models.evaluations.map((e) => [e.model, { score: e.scoreName, threshold: e.threshold, ...summary(e) }]),
        ),
        ...(dcase.length > 0 ? { dcase: dcaseJson(dcase) } : {}),
        skipped,
        evaluatedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  writeFileAtomic(
    files[1] as string,
    toCsv(
      rows.map((r, i): Record<string, CsvValue> => ({
        file: r.file,
        true_label: r.label,
        chunk: r.chunk,
        probability_broken: r.probabilityBroken,
        predicted_label: windows.predictions[i] as number,
      })),
      ["file", "true_label", "chunk", "probability_broken", "predicted_label"],
    ),
  );
  writeFileAtomic(
    files[2] as string,
    toCsv(
      fileRows.map((f, i): Record<string, CsvValue> => ({
        file: f.file,
        true_label: f.label,
        windows: f.windows,
        mean_probability_broken: f.probabilityBroken,
        predicted_label: recordings.predictions[i] as number,
      })),
      ["file", "true_label", "windows", "mean_probability_broken", "predicted_label"],
    ),
  );
  files.push(
    ...writeDcaseReport(
      dir,
      dcase,
      `DCASE metrics, unseen data: ${config.runName ?? config.preset}`,
      maxFpr,
      "unseen_",
    ),
  );
  files.push(
    ...writeRecordingLevelReport(
      dir,
      models,
      `Unseen data, every model per recording: ${config.runName ?? config.preset}`,
      "unseen_",
    ),
  );
  files.push(writeRunConfig(dir, config), writeRunProvenance(dir, config, trained.backend));
  const figures = [
    ...unseenFigures(
      windows,
      rows.map((r) => r.label),
      rows.map((r) => r.probabilityBroken),
      classNames,
      maxFpr,
    ),
    ...recordingFigures(models, classNames, maxFpr),
  ];
  files.push(
    ...(await writeFigures(
      join(dir, "unseen"),
      figures,
      config.evaluate.figures,
      `soundcheck unseen-data evaluation: ${config.runName ?? config.preset}`,
      reporter,
    )),
  );
  const table = headlineTable([
    { name: `windows (${rows.length})`, metrics: headlineMetrics(windows) },
    { name: `recordings (${fileRows.length})`, metrics: headlineMetrics(recordings) },
  ]);
  const text = [
    `Unseen data: ${fileRows.length} recordings, ${rows.length} windows, ` +
      `scored by ${config.modelDir} without retraining`,
    `Decision threshold: ${scoreName} >= ${threshold.value.toFixed(4)}, ${threshold.source}`,
    ...(models.headline === null
      ? []
      : ["", `Headline (per recording): ${headlineSummary(models.headline, models.recordings.length)}`]),
    "",
    `Every model of the run, one decision per recording ` +
      `(${models.recordings.length} recordings; unseen_recording_comparison.md)`,
    models.table,
    "",
    "CNN per window and per recording (mean P(broken))",
    table,
    ...(dcase.length > 0
      ? ["", "DCASE metrics (domains from the file names; unseen_dcase_metrics.md defines them)", dcaseTable(dcase)]
      : []),
    ...(skipped.length > 0 ? ["", `${skipped.length} files skipped (listed above)`] : []),
    "",
    `Reports written to ${dir}`,
  ].join("\n");
  const cnnSummary =
    `balanced accuracy ${windows.report.balancedAccuracy.toFixed(4)} on ${rows.length} windows, ` +
    `${recordings.report.balancedAccuracy.toFixed(4)} on ${fileRows.length} recordings`;
  reporter.info(
    models.headline === null
      ? `unseen: ${cnnSummary}`
      : `unseen: ${headlineSummary(models.headline, models.recordings.length)} (headline); CNN: ${cnnSummary}`,
  );
  return { windows, recordings, rows, models, skipped, text, runDir: dir, figures, files };
}
