/**
 * The report of `soundcheck sweep` in its run folder: `sweep.csv` (one row per cell, ranked),
 * `sweep.json` (grid, folds, every cell's per-fold metrics, timings), `sweep.md` (how it was
 * run and the ranked table), the figures, `config.json` and `provenance.json`. Every file is
 * written atomically.
 */
import { join } from "node:path";
import type { PipelineConfig } from "../../config/pipeline";
import { toCsv, type CsvValue } from "../../data/csv";
import { finiteOrNull } from "../../evaluate/modelEvaluation";
import { sweepHeatmapFigure, sweepRankingFigure, type SweepFigureCell } from "../../plots/sweep";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { Reporter } from "../../util/reporter";
import { representationName, SWEEP_METRIC_TITLES, SWEEP_METRICS } from "../../config/sweep";
import type { SweepCell, SweepResult } from "../experiments/sweep";
import { writeRunProvenance } from "./runProvenance";
import { writeFigures, writeRunConfig, type NamedFigure } from "./runReport";

/** Metrics shown in the markdown table (all are in the CSV). */
const TABLE_METRICS = ["rocAuc", "pAuc", "balancedAccuracy", "aucSource", "aucTarget"] as const;

/** "0.950 ± 0.031", or "n/a". */
function meanSd(v: { mean: number; sd: number }, digits = 3): string {
  return Number.isFinite(v.mean)
    ? `${v.mean.toFixed(digits)} ± ${(Number.isFinite(v.sd) ? v.sd : 0).toFixed(digits)}`
    : "n/a";
}

/** Whether a cell is within noise of the best one (corrected paired t < 2). */
export function withinNoiseOfBest(cell: SweepCell): boolean {
  return cell.error === null && Number.isFinite(cell.tVsBest) ? cell.tVsBest < 2 : cell.rank === 1;
}

/**
 * The ranked cells as a markdown table: rank, representation and pooling, model, mean ± sd of
 * ROC AUC, pAUC, balanced accuracy and the per-domain AUCs, and the paired comparison with the
 * best cell. Cells of the config the sweep ran under are marked "◀".
 *
 * @param top  rows shown (default all)
 */
export function sweepTable(result: SweepResult, top: number = result.cells.length): string {
  const titles = TABLE_METRICS.map((m) => SWEEP_METRIC_TITLES[m]).join(" | ");
  const head = `| rank | features | model | ${titles} | Δ AUC vs best | t |`;
  const rule = `| ---: | --- | --- | ${TABLE_METRICS.map(() => "---:").join(" | ")} | ---: | ---: |`;
  const body = result.cells.slice(0, top).map((c) => {
    const delta = Number.isFinite(c.deltaRocAucVsBest) ? c.deltaRocAucVsBest.toFixed(3) : "n/a";
    const t = Number.isFinite(c.tVsBest) ? c.tVsBest.toFixed(2) : c.rank === 1 ? "–" : "n/a";
    const mark = c.inConfig ? " ◀" : "";
    const metrics = TABLE_METRICS.map((m) => meanSd(c.summary[m])).join(" | ");
    return `| ${c.rank} | ${c.features}${mark} | ${c.model} | ${metrics} | ${delta} | ${t} |`;
  });
  return [head, rule, ...body].join("\n");
}

/** The best cell of each representation (and window), in the grid's order. */
export function bestPerRepresentation(result: SweepResult, chunkSeconds: number): string {
  const rows = result.grid.representations.map((r) => {
    const name = representationName(r, chunkSeconds);
    const best = result.cells.find((c) => representationName(c.representation, chunkSeconds) === name);
    return best === undefined
      ? `| ${name} | n/a | n/a | n/a |`
      : `| ${name} | ${best.pooling.join(",")} | ${best.model} | ${meanSd(best.summary.rocAuc)} |`;
  });
  return ["| representation | best pooling | best model | ROC AUC |", "| --- | --- | --- | ---: |", ...rows].join("\n");
}

/** The sweep's figures: the ROC AUC heatmap per model, and the best cells with ± sd. */
export function sweepFigures(result: SweepResult, chunkSeconds: number): NamedFigure[] {
  const cells: Array<SweepFigureCell & { name: string }> = result.cells.map((c) => ({
    name: `${c.features} | ${c.model}`,
    representation: representationName(c.representation, chunkSeconds),
    pooling: c.pooling.join(","),
    model: c.model,
    mean: c.summary.rocAuc.mean,
    sd: c.summary.rocAuc.sd,
  }));
  const { repeats, folds } = result.cv;
  return [
    {
      name: "sweep_roc_auc",
      figure: sweepHeatmapFigure(
        cells,
        result.grid.representations.map((r) => representationName(r, chunkSeconds)),
        result.grid.poolings.map((p) => p.join(",")),
        result.grid.models,
        `Sweep: mean ROC AUC per recording, ${repeats} x ${folds} grouped CV`,
      ),
    },
    { name: "sweep_ranking", figure: sweepRankingFigure(cells, Math.min(15, cells.length)) },
  ];
}

/** The text of sweep.md: how the sweep was run, what the table means, and the table. */
export function sweepMarkdown(result: SweepResult, config: PipelineConfig): string {
  const { folds, repeats, seed } = result.cv;
  const j = result.folds.length;
  const tied = result.cells.filter(withinNoiseOfBest);
  const mine = result.cells.filter((c) => c.inConfig);
  const best = result.cells[0];
  const [normal, broken] = config.classNames;
  const t = (c: SweepCell) => (Number.isFinite(c.tVsBest) ? c.tVsBest.toFixed(2) : "–");
  const configLine =
    mine.length === 0
      ? "The config the sweep ran under names no cell of this grid."
      : `The config the sweep ran under (preset ${config.preset}, marked ◀): ` +
        mine.map((c) => `${c.model} ranks ${c.rank} (Δ ${c.deltaRocAucVsBest.toFixed(3)}, t ${t(c)})`).join("; ") +
        ".";
  const validation =
    result.validationFraction > 0
      ? ` less ${result.validationFraction * 100} % held out (grouped) to choose its threshold by balanced accuracy`
      : "";
  const rule = result.aggregation;
  const how = [
    `${result.recordings} recordings (${result.classCounts[0]} ${normal}, ${result.classCounts[1]} ${broken}),`,
    `${result.cells.length} cells. Every cell is scored on the same ${j} folds: recordings dealt to ${folds} folds,`,
    `stratified by class, seeds ${seed}..${seed + repeats - 1}. Within a fold each model is fitted on the other`,
    `folds' recordings${validation}; standardisation is fitted on training rows only. With chunks, a recording's`,
    `score is the ${rule.method}${rule.method === "top-k" ? ` of its ${rule.k} highest` : ""} of its chunks' scores.`,
  ].join(" ");
  const meaning = [
    `Mean ± sample sd over the ${j} folds, one score per recording. pAUC: area under the ROC curve up to a`,
    `false-positive rate of ${config.evaluate.maxFpr}, divided by it (chance ${config.evaluate.maxFpr / 2}).`,
    "AUC source / target: DCASE's per-domain AUC (the domain's normal recordings against all broken ones), from the",
    "file names. Δ AUC vs best and t: the best cell's ROC AUC minus this cell's on the same folds, and Nadeau and",
    "Bengio's corrected resampled t of that difference (folds of repeated CV overlap, so the plain paired t is too",
    "large); t < 2 reads as within noise of the best.",
  ].join(" ");
  const bestLine =
    best === undefined
      ? ""
      : `Best: **${best.name}**, ROC AUC ${meanSd(best.summary.rocAuc)}. ` +
        `Cells within noise of it (t < 2): ${tied.length}.`;
  return [
    `# Sweep: representation x pooling x model, ${repeats} x ${folds} grouped CV, preset ${config.preset}`,
    "",
    how,
    "",
    meaning,
    "",
    bestLine,
    "",
    configLine,
    "",
    ...nestedMarkdown(result),
    "## Best cell per representation",
    "",
    bestPerRepresentation(result, config.clean.chunkSeconds),
    "",
    "## All cells, ranked by mean ROC AUC",
    "",
    sweepTable(result),
    "",
  ].join("\n");
}

/** The nested-selection section of sweep.md (empty without nested selection). */
function nestedMarkdown(result: SweepResult): string[] {
  const n = result.nested;
  if (n === null) return [];
  const s = n.summary;
  return [
    "## Nested selection: the sweep's choice on folds it did not choose on",
    "",
    `Inside the training recordings of each of the ${n.folds.length} folds, a ${result.cv.folds}-fold ` +
      "cross-validation of every cell picked the one with the best mean ROC AUC; that cell was then scored on the " +
      "fold's test recordings, which played no part in the choice. This estimates how well \"run the sweep, take the " +
      'winner" does on new recordings, free of the selection bias of the ranked table below.',
    "",
    `Picked cell on the outer folds: ROC AUC ${meanSd(s.rocAuc)}, pAUC ${meanSd(s.pAuc)}, ` +
      `balanced accuracy ${meanSd(s.balancedAccuracy)}, ` +
      `AUC source ${meanSd(s.aucSource)}, AUC target ${meanSd(s.aucTarget)}.`,
    "",
    `Picks: ${n.picks.map((p) => `${p.name} (${p.count} of ${n.folds.length})`).join("; ")}.`,
    "",
  ];
}

/** Rows of sweep.csv, one per cell, ranked. */
function csvRows(result: SweepResult): Record<string, CsvValue>[] {
  return result.cells.map((c) => ({
    rank: c.rank,
    name: c.name,
    kind: c.representation.kind,
    n_mels: c.representation.nMels,
    n_mfcc: c.representation.kind === "mfcc" ? c.representation.nMfcc : null,
    deltas: c.representation.deltas,
    window: c.representation.window,
    pooling: c.pooling.join("+"),
    model: c.model,
    dims: c.dims,
    windows: c.windows,
    folds: c.folds.length,
    ...Object.fromEntries(
      SWEEP_METRICS.flatMap((m) => [
        [`${snake(m)}_mean`, finiteOrNull(c.summary[m].mean)],
        [`${snake(m)}_sd`, finiteOrNull(c.summary[m].sd)],
      ]),
    ),
    delta_roc_auc_vs_best: finiteOrNull(c.deltaRocAucVsBest),
    t_vs_best: finiteOrNull(c.tVsBest),
    in_config: c.inConfig ? 1 : 0,
    error: c.error,
  }));
}

/** CSV column stem of a metric: "rocAuc" -> "roc_auc", "pAuc" -> "pauc". */
const snake = (s: string) => s.replace(/^pAuc/, "pauc").replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`);

/** The columns of sweep.csv. */
export const SWEEP_CSV_COLUMNS = [
  "rank",
  "name",
  "kind",
  "n_mels",
  "n_mfcc",
  "deltas",
  "window",
  "pooling",
  "model",
  "dims",
  "windows",
  "folds",
  ...SWEEP_METRICS.flatMap((m) => [`${snake(m)}_mean`, `${snake(m)}_sd`]),
  "delta_roc_auc_vs_best",
  "t_vs_best",
  "in_config",
  "error",
];

/** sweep.json: the result with each fold's test recordings listed once (under `folds`), not per cell. */
function sweepJson(result: SweepResult): string {
  const cells = result.cells.map((c) => ({
    ...c,
    folds: c.folds.map(({ testRecordings: _ids, ...metrics }) => metrics),
  }));
  // JSON.stringify writes NaN as null
  return `${JSON.stringify({ ...result, cells }, null, 1)}\n`;
}

/**
 * Write the sweep's report into `dir` (sweep.csv, sweep.json, sweep.md, figures, config.json,
 * provenance.json).
 *
 * @returns  the files written
 */
export async function writeSweepReport(
  dir: string,
  result: SweepResult,
  config: PipelineConfig,
  reporter: Reporter,
): Promise<string[]> {
  const files = [join(dir, "sweep.csv"), join(dir, "sweep.json"), join(dir, "sweep.md")];
  writeFileAtomic(files[0] as string, toCsv(csvRows(result), SWEEP_CSV_COLUMNS));
  writeFileAtomic(files[1] as string, sweepJson(result));
  writeFileAtomic(files[2] as string, sweepMarkdown(result, config));
  files.push(writeRunConfig(dir, config));
  files.push(writeRunProvenance(dir, config, "none (pooled-feature models)"));
  files.push(
    ...(await writeFigures(
      dir,
      sweepFigures(result, config.clean.chunkSeconds),
      config.evaluate.figures,
      `soundcheck sweep: ${config.runName ?? config.preset}`,
      reporter,
    )),
  );
  return files;
}
