/**
 * The notebooks' tables as danfo.js DataFrames (`danfojs-node`): what the stages wrote, loaded
 * with typed columns, ready for `groupby`, `query`, `describe` as in pandas, and shown as HTML
 * tables ({@link frameBundle}; static HTML survives an untrusted reopen, unlike scripts).
 *
 * danfojs-node is loaded on the first call (it takes seconds: it brings a second tfjs), never by
 * the CLI and never just by importing this module.
 *
 * Columns added for convenience (not in the CSV files): `recording` (file name of the source
 * recording) and, for DCASE-named recordings, `domain` ("source" / "target"; "" otherwise).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { DataFrame } from "danfojs-node";
import type { PipelineConfig } from "../config/pipeline";
import { dataPath } from "../config/pipeline";
import { parseCsv } from "../data/csv";
import { parseDcaseName } from "../data/dcaseNames";
import { ConfigError } from "../errors";
import { escapeHtml } from "../util/html";
import { displayBundle, type MimeBundle } from "./display";

type Danfo = typeof import("danfojs-node");
let danfo: Danfo | null = null;

/** danfojs-node, loaded once on first use. */
export function danfoModule(): Danfo {
  danfo ??= require("danfojs-node") as Danfo;
  return danfo;
}

/** A cell of a frame built here: numbers (NaN for an empty numeric cell) or text. */
export type FrameCell = string | number;

/** A run folder (`reports/<run>/`), or anything that names one (an evaluation result has `runDir`). */
export type RunRef = string | { runDir: string };

const runDirOf = (run: RunRef): string => (typeof run === "string" ? run : run.runDir);

/**
 * A DataFrame from CSV text: a column whose every non-empty cell is a number becomes numeric
 * (empty cells NaN), others stay text.
 */
export function csvFrame(path: string): DataFrame {
  if (!existsSync(path)) throw new ConfigError(path, "not found", "run the stage (or notebook) that writes it first");
  const rows = parseCsv(readFileSync(path, "utf8"), path);
  return recordsFrame(rows, path);
}

/** Records (one object per row, the same keys) as a DataFrame with typed columns; `source` names them in errors. */
export function recordsFrame(rows: ReadonlyArray<Record<string, FrameCell | null>>, source = "records"): DataFrame {
  const columns = rows.length > 0 ? Object.keys(rows[0] as object) : [];
  if (columns.length === 0) throw new ConfigError(source, "holds no rows", "run the stage that writes it again");
  const numeric = columns.map(
    (c) =>
      rows.every((r) => {
        const v = r[c];
        return v === null || v === "" || typeof v === "number" || Number.isFinite(Number(v));
      }) && rows.some((r) => r[c] !== null && r[c] !== ""),
  );
  const data: Record<string, FrameCell[]> = {};
  columns.forEach((c, i) => {
    data[c] = rows.map((r) => {
      const v = r[c] ?? "";
      if (numeric[i]) return v === "" ? Number.NaN : Number(v);
      return String(v);
    });
  });
  const { DataFrame } = danfoModule();
  return new DataFrame(data);
}

/** The rows with `recording` (file name) and `domain` (DCASE "source"/"target", else "") of their `from` column. */
function withRecording(
  rows: Array<Record<string, FrameCell | null>>,
  from: string,
): Array<Record<string, FrameCell | null>> {
  return rows.map((r) => {
    const path = String(r[from] ?? "");
    return { ...r, recording: basename(path), domain: parseDcaseName(path).domain ?? "" };
  });
}

function csvRecords(path: string): Array<Record<string, FrameCell | null>> {
  if (!existsSync(path)) throw new ConfigError(path, "not found", "run the stage (or notebook) that writes it first");
  return parseCsv(readFileSync(path, "utf8"), path);
}

/**
 * Stage 2's feature manifest (`<processed>/manifest.csv`): one row per row of features.npy with
 * `row, file, label, class, source, augmentation, chunk`, plus `recording` and `domain`.
 * Group by `augmentation` (empty = original clip) or `recording`.
 */
export function manifestFrame(config: PipelineConfig): DataFrame {
  const path = join(dataPath(config, "processed"), "manifest.csv");
  return recordsFrame(withRecording(csvRecords(path), "source"), path);
}

/** Stage 1's clip manifest (`<processed>/clean_manifest.csv`), plus `recording` and `domain`. */
export function cleanManifestFrame(config: PipelineConfig): DataFrame {
  const path = join(dataPath(config, "processed"), "clean_manifest.csv");
  return recordsFrame(withRecording(csvRecords(path), "source"), path);
}

/**
 * Every test clip of a run with its scores and decisions (`test_predictions.csv`: `test_row,
 * feature_row, file, source, augmentation, true_label, probability_broken, predicted_label` and
 * each baseline's `<model>_score` / `<model>_predicted`), plus `recording`, `domain` and
 * `correct` (1 when the CNN's decision is right).
 */
export function predictionsFrame(run: RunRef): DataFrame {
  const path = join(runDirOf(run), "test_predictions.csv");
  const rows = withRecording(csvRecords(path), "source").map((r) => ({
    ...r,
    correct: Number(r["true_label"]) === Number(r["predicted_label"]) ? 1 : 0,
  }));
  return recordsFrame(rows, path);
}

/**
 * One row per test recording of a run: `recording, domain, true_label, clips, mean and max
 * P(broken) over its clips, share of its clips predicted broken, correct clips`, sorted by
 * recording: how each source recording fared, not each clip.
 */
export function recordingScoresFrame(run: RunRef): DataFrame {
  const clips = predictionsFrame(run);
  const grouped = clips
    .groupby(["recording", "domain", "true_label"])
    .agg({ probability_broken: ["count", "mean", "max"], predicted_label: "mean", correct: "sum" });
  grouped.rename(
    {
      probability_broken_count: "clips",
      probability_broken_mean: "mean_probability_broken",
      probability_broken_max: "max_probability_broken",
      predicted_label_mean: "share_predicted_broken",
      correct_sum: "correct_clips",
    },
    { inplace: true },
  );
  return grouped.sortValues("recording").resetIndex();
}

/** Metrics of every model of a run (`model_comparison.csv`): one row per model (cnn and the baselines). */
export function metricsFrame(run: RunRef): DataFrame {
  return csvFrame(join(runDirOf(run), "model_comparison.csv"));
}

/**
 * Every fold of a run's cross-validation (`cv_folds.csv`): `repeat, fold, model, test_rows, threshold` and the
 * metrics.
 */
export function cvFoldsFrame(run: RunRef): DataFrame {
  return csvFrame(join(runDirOf(run), "cv_folds.csv"));
}

/** Per-recording results on the unseen recordings (`unseen_recordings.csv`), plus `recording` and `domain`. */
export function unseenRecordingsFrame(run: RunRef): DataFrame {
  const path = join(runDirOf(run), "unseen_recordings.csv");
  return recordsFrame(withRecording(csvRecords(path), "file"), path);
}

/** Options of {@link frameBundle}. */
export interface FrameDisplayOptions {
  /** Decimals of non-integer numbers (default 4). */
  digits?: number;
  /** Longest table shown whole (default 40); longer ones show their first and last `edgeRows`. */
  maxRows?: number;
  /** Rows shown at each end of a long table (default 10). */
  edgeRows?: number;
  /** A caption above the table. */
  caption?: string;
}

/**
 * A DataFrame as a MIME bundle: an HTML table (pandas-like: index column, numbers right-aligned,
 * long frames cut in the middle) and the same as text, with the shape below.
 */
export function frameBundle(df: DataFrame, options: FrameDisplayOptions = {}): MimeBundle {
  const digits = options.digits ?? 4;
  const maxRows = options.maxRows ?? 40;
  const edge = options.edgeRows ?? 10;
  const columns = df.columns.map(String);
  const values = df.values as unknown as FrameCell[][];
  const index = df.index.map(String);
  const n = values.length;
  const shown =
    n > maxRows
      ? [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)]
      : Array.from({ length: n }, (_, i) => i);
  const fmt = (v: FrameCell | null | undefined): string => {
    if (typeof v === "number") return Number.isNaN(v) ? "NaN" : Number.isInteger(v) ? String(v) : v.toFixed(digits);
    return v === null || v === undefined ? "" : String(v);
  };
  const right = (v: FrameCell | null | undefined) => typeof v === "number";
  const td = (v: FrameCell | null | undefined) =>
    `<td style="text-align:${right(v) ? "right" : "left"};padding:2px 10px">${escapeHtml(fmt(v))}</td>`;
  const body = shown
    .map((r) =>
      r < 0
        ? `<tr><th style="padding:2px 10px">…</th>` +
          `${columns.map(() => `<td style="text-align:center">…</td>`).join("")}</tr>`
        : `<tr><th style="text-align:right;padding:2px 10px;color:#666">${escapeHtml(index[r] ?? "")}</th>` +
          `${(values[r] ?? []).map(td).join("")}</tr>`,
    )
    .join("");
  const shape = `${n} rows × ${columns.length} columns`;
  const caption =
    options.caption === undefined
      ? ""
      : `<caption style="text-align:left;font-weight:bold">${escapeHtml(options.caption)}</caption>`;
  const headerStyle = "text-align:left;padding:2px 10px;border-bottom:1px solid #999";
  const html =
    `<table class="soundcheck-frame" style="border-collapse:collapse">${caption}<thead><tr><th></th>` +
    `${columns.map((c) => `<th style="${headerStyle}">${escapeHtml(c)}</th>`).join("")}</tr></thead>` +
    `<tbody>${body}</tbody></table><div style="font-size:smaller;color:#555">${shape}</div>`;
  const cells = shown.map((r) =>
    r < 0 ? ["…", ...columns.map(() => "…")] : [index[r] ?? "", ...(values[r] ?? []).map(fmt)],
  );
  const header = ["", ...columns];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) => c.map((v, i) => v.padStart(widths[i] as number)).join("  ");
  const text = [
    ...(options.caption === undefined ? [] : [options.caption]),
    line(header),
    ...cells.map(line),
    shape,
  ].join("\n");
  return { "text/html": html, "text/plain": text };
}

/** Show a DataFrame as a table (see {@link frameBundle}). */
export function showFrame(df: DataFrame, options: FrameDisplayOptions = {}): void {
  displayBundle(frameBundle(df, options));
}
