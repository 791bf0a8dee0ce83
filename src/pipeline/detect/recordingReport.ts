/**
 * Recording-level evaluation of a run: every window model (CNN, chunk baselines) with its
 * window scores aggregated per recording (evaluate.recordingScore), and every stored
 * pooled-feature detector scored on the same recordings, each at its own threshold. Written as
 * `<prefix>recording_comparison.csv` / `.md` and `<prefix>recording_scores.csv` (one row per
 * recording, every model's score and decision).
 */
import { join } from "node:path";
import { toCsv, type CsvValue } from "../../data/csv";
import {
  evaluateScores,
  finiteOrNull,
  HEADLINE_METRICS,
  headlineMetrics,
  headlineTable,
  type ModelEvaluation,
  type ScoreThreshold,
} from "../../evaluate/modelEvaluation";
import { recordingScores, type RecordingAggregation } from "../../evaluate/recordingScores";
import { writeFileAtomic } from "../../util/atomicWrite";
import { evaluationFigures } from "../reports/evaluationFigures";
import type { NamedFigure } from "../reports/runReport";
import { scoreWithStoredDetectors, type StoredDetectors } from "./store";
import type { RecordingLike } from "./windowFeatures";

/** One window model's scores (higher = more broken) and its decision threshold. */
export interface WindowModelScores {
  model: string;
  scoreName: string;
  threshold: ScoreThreshold;
  scores: ArrayLike<number>;
}

/** Every model, one decision per recording. */
export interface RecordingLevelReport {
  /** Recording ids, in order. */
  recordings: string[];
  labels: Int32Array;
  evaluations: ModelEvaluation[];
  /** Per model, the score of each recording (same order as `recordings`). */
  scores: Float64Array[];
  /** Markdown table of the headline metrics per model. */
  table: string;
  /**
   * The run's headline model: the first stored pooled-feature detector (the preset's default model,
   * listed first in `detectors.models`), or null when the run has none (then the CNN is the headline).
   */
  headline: ModelEvaluation | null;
}

/**
 * Aggregate window models per recording and score the stored detectors on the same recordings.
 *
 * @param windowRecordings  recording id of each window
 * @param windowLabels  class of each window
 * @param audio  the recordings (decoded, at the stored feature rate) for the detectors; every id of
 *   windowRecordings must be among them when `stored` is given
 */
export async function recordingLevelReport(
  windowModels: readonly WindowModelScores[],
  windowRecordings: readonly string[],
  windowLabels: ArrayLike<number>,
  rule: RecordingAggregation,
  stored: StoredDetectors | null,
  audio: readonly RecordingLike[],
  classNames: string[],
  maxFpr: number,
): Promise<RecordingLevelReport> {
  const first = recordingScores(windowRecordings, windowLabels, new Float64Array(windowRecordings.length), rule);
  const ids = first.recordings;
  const evaluations: ModelEvaluation[] = [];
  const scores: Float64Array[] = [];
  let headline: ModelEvaluation | null = null;
  for (const m of windowModels) {
    const r = recordingScores(windowRecordings, windowLabels, m.scores, rule);
    const name = rule.method === "top-k" ? `top-${rule.k} mean` : rule.method;
    evaluations.push(
      evaluateScores(
        m.model,
        `${name} of ${m.scoreName} over the recording's windows`,
        r.labels,
        r.scores,
        m.threshold,
        classNames,
        maxFpr,
      ),
    );
    scores.push(r.scores);
  }
  if (stored !== null && stored.detectors.length > 0) {
    const byId = new Map(audio.map((a) => [a.id, a]));
    const ordered = ids.map((id) => byId.get(id)).filter((a): a is RecordingLike => a !== undefined);
    if (ordered.length === ids.length) {
      for (const d of await scoreWithStoredDetectors(stored, ordered)) {
        const evaluation = evaluateScores(
          d.detector.reportName,
          d.detector.scoreName,
          d.recordings.labels,
          d.recordings.scores,
          d.detector.threshold,
          classNames,
          maxFpr,
        );
        headline ??= evaluation;
        evaluations.push(evaluation);
        scores.push(d.recordings.scores);
      }
    }
  }
  return {
    recordings: ids,
    labels: first.labels,
    evaluations,
    scores,
    table: headlineTable(evaluations.map((e) => ({ name: e.model, metrics: headlineMetrics(e) }))),
    headline,
  };
}

/**
 * One line on the headline model's recording-level result, e.g.
 * "logistic-regression on logmel128 max: ROC AUC 1.0000, balanced accuracy 0.9750 on 40 recordings".
 */
export function headlineSummary(e: ModelEvaluation, recordings: number): string {
  const auc = e.ranking === null ? "ROC AUC n/a (one class only)" : `ROC AUC ${e.ranking.rocAuc.toFixed(4)}`;
  return `${e.model}: ${auc}, balanced accuracy ${e.report.balancedAccuracy.toFixed(4)} on ${recordings} recordings`;
}

/**
 * Write `<prefix>recording_comparison.csv` / `.md` and `<prefix>recording_scores.csv` into `dir`.
 *
 * @returns  the files written
 */
export function writeRecordingLevelReport(
  dir: string,
  report: RecordingLevelReport,
  title: string,
  prefix = "",
): string[] {
  const files = [
    join(dir, `${prefix}recording_comparison.csv`),
    join(dir, `${prefix}recording_comparison.md`),
    join(dir, `${prefix}recording_scores.csv`),
  ];
  writeFileAtomic(
    files[0] as string,
    toCsv(
      report.evaluations.map((e): Record<string, CsvValue> => ({
        model: e.model,
        score: e.scoreName,
        threshold: e.threshold.value,
        threshold_source: e.threshold.source,
        recordings: e.predictions.length,
        ...Object.fromEntries(HEADLINE_METRICS.map((k) => [k, finiteOrNull(headlineMetrics(e)[k])])),
      })),
      ["model", "score", "threshold", "threshold_source", "recordings", ...HEADLINE_METRICS],
    ),
  );
  writeFileAtomic(
    files[1] as string,
    `# ${title}\n\nOne decision per recording (${report.recordings.length} recordings), ` +
      `each model at its own threshold, chosen on validation data and never on these: ` +
      `the window models (CNN, chunk baselines) keep the threshold chosen on validation windows, ` +
      `applied to the aggregated score; the detectors use one chosen on validation recordings.\n\n` +
      `${report.table}\n`,
  );
  const columns = [
    "recording",
    "true_label",
    ...report.evaluations.flatMap((e) => [`${e.model}_score`, `${e.model}_predicted`]),
  ];
  const rows = report.recordings.map((id, i) => {
    const row: Record<string, CsvValue> = { recording: id, true_label: report.labels[i] as number };
    report.evaluations.forEach((e, m) => {
      row[`${e.model}_score`] = (report.scores[m] as Float64Array)[i] as number;
      row[`${e.model}_predicted`] = e.predictions[i] as number;
    });
    return row;
  });
  writeFileAtomic(files[2] as string, toCsv(rows, columns));
  return files;
}

/**
 * The report's figures per recording (ROC, precision-recall, score histograms, comparison of every
 * model, confusion matrix of the first model), named `recordings_<figure>` with file-safe model names.
 */
export function recordingFigures(report: RecordingLevelReport, classNames: string[], maxFpr: number): NamedFigure[] {
  if (report.evaluations.length === 0) return [];
  const safe = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, "_");
  return evaluationFigures(report.evaluations, report.scores, report.labels, classNames, undefined, maxFpr).map(
    (f) => ({ ...f, name: `recordings_${safe(f.name)}` }),
  );
}
