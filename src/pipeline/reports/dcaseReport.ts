/**
 * DCASE metrics in the run reports: for each model, the DCASE 2023 task-2 metrics
 * (src/evaluate/dcaseMetrics.ts: AUC per domain, section-wide pAUC, official score) of its scores
 * per window and per recording, with the domain and section read from each recording's file
 * name. Written as `dcase_metrics.csv` / `.md` (evaluate, unseen) or as mean ± sd over folds
 * (cv); nothing is written when no file name carries a DCASE domain.
 */
import { join } from "node:path";
import { toCsv, type CsvValue } from "../../data/csv";
import { parseDcaseName } from "../../data/dcaseNames";
import { dcaseMetrics, type DcaseMetrics } from "../../evaluate/dcaseMetrics";
import { recordingScores, type RecordingAggregation } from "../../evaluate/recordingScores";
import { writeFileAtomic } from "../../util/atomicWrite";

/** The unit a score was given to. */
export type DcaseLevel = "window" | "recording";

/** One model's DCASE metrics at one level. */
export interface DcaseModelMetrics {
  model: string;
  level: DcaseLevel;
  /** Scored windows or recordings. */
  count: number;
  metrics: DcaseMetrics;
}

/** The scores of one model, one per window (row), in the same order as `labels` and `recordings`. */
export interface ModelWindowScores {
  model: string;
  scores: ArrayLike<number>;
}

/** The recording-level rule when none is configured: the mean of a recording's window scores. */
export const MEAN_OF_WINDOWS: Readonly<RecordingAggregation> = Object.freeze({ method: "mean", k: 1 });

/**
 * DCASE metrics of every model at window level and at recording level (a recording's score
 * aggregates its windows' scores by `aggregation`, the mean unless given). Domain and section
 * come from each recording's file name. When every recording is one window, only the recording
 * level is reported (the two would be the same).
 *
 * @param labels  class per window (0 normal, 1 anomaly)
 * @param recordings  source recording (path or name) of each window
 * @returns an empty list when no recording name carries a DCASE domain
 */
export function dcaseModelMetrics(
  models: readonly ModelWindowScores[],
  labels: ArrayLike<number>,
  recordings: readonly string[],
  maxFpr: number,
  aggregation: RecordingAggregation = MEAN_OF_WINDOWS,
): DcaseModelMetrics[] {
  const windowNames = recordings.map((r) => parseDcaseName(r));
  if (!windowNames.some((p) => p.domain !== null)) return [];
  const oneWindowEach = new Set(recordings).size === recordings.length;
  const out: DcaseModelMetrics[] = [];
  for (const m of models) {
    const windows = oneWindowEach
      ? null
      : dcaseMetrics(
          labels,
          m.scores,
          windowNames.map((p) => p.domain),
          windowNames.map((p) => p.section),
          maxFpr,
        );
    if (windows !== null) out.push({ model: m.model, level: "window", count: labels.length, metrics: windows });
    const perRecording = recordingScores(recordings, labels, m.scores, aggregation);
    const names = perRecording.recordings.map((r) => parseDcaseName(r));
    const recs = dcaseMetrics(
      perRecording.labels,
      perRecording.scores,
      names.map((p) => p.domain),
      names.map((p) => p.section),
      maxFpr,
    );
    if (recs !== null)
      out.push({ model: m.model, level: "recording", count: perRecording.recordings.length, metrics: recs });
  }
  return out;
}

/** The columns of `dcase_metrics.csv`, one row per model, level and section. */
export const DCASE_CSV_COLUMNS = [
  "model",
  "level",
  "section",
  "auc_source",
  "auc_target",
  "pauc",
  "pauc_normalized",
  "pauc_source",
  "pauc_target",
  "official_score",
  "normal_source",
  "normal_target",
  "anomaly_source",
  "anomaly_target",
] as const;

/**
 * `dcase_metrics.csv`: one row per model, level and section; official_score repeats the model's
 * score over all sections.
 */
export function dcaseCsv(results: readonly DcaseModelMetrics[]): string {
  const rows = results.flatMap((r) =>
    r.metrics.sections.map((s): Record<string, CsvValue> => ({
      model: r.model,
      level: r.level,
      section: s.section,
      auc_source: s.aucSource,
      auc_target: s.aucTarget,
      pauc: s.pAuc,
      pauc_normalized: s.pAucNormalized,
      pauc_source: s.pAucSource,
      pauc_target: s.pAucTarget,
      official_score: r.metrics.officialScore,
      normal_source: s.counts.normalSource,
      normal_target: s.counts.normalTarget,
      anomaly_source: s.counts.anomalySource,
      anomaly_target: s.counts.anomalyTarget,
    })),
  );
  return toCsv(rows, DCASE_CSV_COLUMNS);
}

const fmt = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? "n/a" : v.toFixed(digits));

/** A markdown table: one row per model and level, the harmonic means over sections (= the values for one section). */
export function dcaseTable(results: readonly DcaseModelMetrics[]): string {
  const head = "| model | level | clips | AUC (source) | AUC (target) | pAUC | official score |";
  const rule = "| --- | --- | ---: | ---: | ---: | ---: | ---: |";
  const body = results.map(({ model, level, count, metrics: m }) => {
    const values = [m.aucSourceHmean, m.aucTargetHmean, m.pAucHmean, m.officialScore].map((v) => fmt(v));
    return `| ${model} | ${level} | ${count} | ${values.join(" | ")} |`;
  });
  return [head, rule, ...body].join("\n");
}

/** How the numbers are defined, for the markdown files. */
export function dcaseDefinition(maxFpr: number): string {
  return [
    "DCASE 2023 task 2 metrics, computed as the official evaluator: AUC (source) = source-domain normal clips",
    "against all anomalous clips of the section;",
    "AUC (target) likewise; pAUC = partial AUC up to FPR " +
      String(maxFpr) +
      " over the whole section, McClish-standardised as scikit-learn's",
    "`roc_auc_score(max_fpr)` (0.5 = chance); official score = harmonic mean of them. Domain and section come",
    "from the file names. Several sections: harmonic means over sections. Recording level: a recording's score",
    "aggregates its windows' scores",
    '(evaluate.recordingScore; the mean when that is "none").',
  ].join("\n");
}

/** Write `<prefix>dcase_metrics.csv` and `.md` into `dir`; returns the files (none when `results` is empty). */
export function writeDcaseReport(
  dir: string,
  results: readonly DcaseModelMetrics[],
  title: string,
  maxFpr: number,
  prefix = "",
): string[] {
  if (results.length === 0) return [];
  const csv = join(dir, `${prefix}dcase_metrics.csv`);
  const md = join(dir, `${prefix}dcase_metrics.md`);
  writeFileAtomic(csv, dcaseCsv(results));
  writeFileAtomic(md, `# ${title}\n\n${dcaseTable(results)}\n\n${dcaseDefinition(maxFpr)}\n`);
  return [csv, md];
}

/** The JSON form kept in metrics.json under `dcase` (NaN-free: undefined metrics are null). */
export function dcaseJson(results: readonly DcaseModelMetrics[]): Array<Record<string, unknown>> {
  return results.map((r) => ({
    model: r.model,
    level: r.level,
    count: r.count,
    officialScore: r.metrics.officialScore,
    aucSource: r.metrics.aucSourceHmean,
    aucTarget: r.metrics.aucTargetHmean,
    pAuc: r.metrics.pAucHmean,
    maxFpr: r.metrics.maxFpr,
    sections: r.metrics.sections,
  }));
}

/** The flat numbers averaged over cross-validation folds. */
export const DCASE_SUMMARY_KEYS = ["officialScore", "aucSource", "aucTarget", "pAuc"] as const;
export type DcaseSummaryKey = (typeof DCASE_SUMMARY_KEYS)[number];

/** The flat numbers of one result (NaN where undefined), for fold tables. */
export function dcaseFlat(r: DcaseModelMetrics): Record<DcaseSummaryKey, number> {
  const n = (v: number | null) => (v === null ? Number.NaN : v);
  return {
    officialScore: n(r.metrics.officialScore),
    aucSource: n(r.metrics.aucSourceHmean),
    aucTarget: n(r.metrics.aucTargetHmean),
    pAuc: n(r.metrics.pAucHmean),
  };
}

/** One model's DCASE metrics at one level on one cross-validation fold. */
export interface DcaseFold extends DcaseModelMetrics {
  repeat: number;
  fold: number;
}

/** Mean ± sample sd (n - 1) over folds of one model and level; `folds` counts the folds where it was defined. */
export interface DcaseCvSummary {
  model: string;
  level: DcaseLevel;
  folds: number;
  mean: Record<DcaseSummaryKey, number>;
  sd: Record<DcaseSummaryKey, number>;
}

function meanSd(values: number[]): { mean: number; sd: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: Number.NaN, sd: Number.NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, sd, n: v.length };
}

/** Per model and level: mean ± sd of the official score, AUC (source), AUC (target) and pAUC over the folds. */
export function summarizeDcaseFolds(folds: readonly DcaseFold[]): DcaseCvSummary[] {
  const keys = [...new Set(folds.map((f) => `${f.model}\u0000${f.level}`))];
  return keys.map((key) => {
    const [model, level] = key.split("\u0000") as [string, DcaseLevel];
    const mine = folds.filter((f) => f.model === model && f.level === level).map(dcaseFlat);
    const mean = {} as Record<DcaseSummaryKey, number>;
    const sd = {} as Record<DcaseSummaryKey, number>;
    let defined = 0;
    for (const k of DCASE_SUMMARY_KEYS) {
      const s = meanSd(mine.map((m) => m[k]));
      mean[k] = s.mean;
      sd[k] = s.sd;
      if (k === "officialScore") defined = s.n;
    }
    return { model, level, folds: defined, mean, sd };
  });
}

/** Markdown table of {@link summarizeDcaseFolds}: mean ± sd per model and level. */
export function dcaseCvTable(summary: readonly DcaseCvSummary[]): string {
  const cell = (m: number, s: number) => (Number.isFinite(m) ? `${m.toFixed(3)} ± ${s.toFixed(3)}` : "n/a");
  const head = "| model | level | folds | AUC (source) | AUC (target) | pAUC | official score |";
  const rule = "| --- | --- | ---: | ---: | ---: | ---: | ---: |";
  const body = summary.map(
    (s) =>
      `| ${s.model} | ${s.level} | ${s.folds} | ${cell(s.mean.aucSource, s.sd.aucSource)} | ` +
      `${cell(s.mean.aucTarget, s.sd.aucTarget)} | ${cell(s.mean.pAuc, s.sd.pAuc)} | ` +
      `${cell(s.mean.officialScore, s.sd.officialScore)} |`,
  );
  return [head, rule, ...body].join("\n");
}

/**
 * Write `cv_dcase_folds.csv` (every fold, model, level and section), `cv_dcase_summary.csv` and
 * `cv_dcase_summary.md` (mean ± sd over folds); nothing when `folds` is empty.
 */
export function writeCvDcaseReport(
  dir: string,
  folds: readonly DcaseFold[],
  title: string,
  maxFpr: number,
): { files: string[]; summary: DcaseCvSummary[]; table: string | null } {
  if (folds.length === 0) return { files: [], summary: [], table: null };
  const files = [join(dir, "cv_dcase_folds.csv"), join(dir, "cv_dcase_summary.csv"), join(dir, "cv_dcase_summary.md")];
  const perFold = dcaseCsv(folds).split("\n");
  // prepend repeat and fold to dcaseCsv's rows (one row per section of each fold result)
  const prefixes = folds.flatMap((f) => f.metrics.sections.map(() => `${f.repeat},${f.fold}`));
  const lines = [`repeat,fold,${perFold[0]}`, ...prefixes.map((p, i) => `${p},${perFold[i + 1]}`)];
  writeFileAtomic(files[0] as string, lines.join("\n") + "\n");
  const summary = summarizeDcaseFolds(folds);
  const nums = (v: number) => (Number.isFinite(v) ? v : null);
  writeFileAtomic(
    files[1] as string,
    toCsv(
      summary.map((s): Record<string, CsvValue> => ({
        model: s.model,
        level: s.level,
        folds: s.folds,
        ...Object.fromEntries(
          DCASE_SUMMARY_KEYS.flatMap((k) => [
            [`${k}_mean`, nums(s.mean[k])],
            [`${k}_sd`, nums(s.sd[k])],
          ]),
        ),
      })),
      ["model", "level", "folds", ...DCASE_SUMMARY_KEYS.flatMap((k) => [`${k}_mean`, `${k}_sd`])],
    ),
  );
  const table = dcaseCvTable(summary);
  writeFileAtomic(
    files[2] as string,
    `# ${title}\n\nMean ± sample standard deviation over the folds where the metric is defined.\n\n` +
      `${table}\n\n${dcaseDefinition(maxFpr)}\n`,
  );
  return { files, summary, table };
}
