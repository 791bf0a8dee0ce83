import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { readCsv, toCsv } from "../../data/csv";
import { ShapeError } from "../../errors";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { SkippedFile } from "../../util/reporter";

/** Name of the list of skipped files, in the processed-data folder. */
export const SKIPPED_CSV = "skipped.csv";

/** The stages that skip files, in run order. */
export const SKIPPING_STAGES = ["clean", "preprocess"] as const;
export type SkippingStage = (typeof SKIPPING_STAGES)[number];

/** One row of skipped.csv: which stage left which file out, and why (with what to do). */
export interface SkippedRow {
  stage: string;
  /** The file, relative to the data root when it lies inside it. */
  file: string;
  /** What is wrong and what to do, in one line. */
  reason: string;
}

const COLUMNS = ["stage", "file", "reason"] as const;

/**
 * Write skipped files as CSV with the columns `stage,file,reason` (atomically).
 *
 * @param path  the CSV file
 */
export function writeSkippedCsv(path: string, rows: readonly SkippedRow[]): void {
  writeFileAtomic(
    path,
    toCsv(
      rows.map((r) => ({ stage: r.stage, file: r.file, reason: r.reason })),
      [...COLUMNS],
    ),
  );
}

/**
 * Read a CSV written by {@link writeSkippedCsv}.
 *
 * @throws ShapeError  when the file lacks one of the columns stage, file, reason
 */
export function readSkippedCsv(path: string): SkippedRow[] {
  const records = readCsv(path);
  const first = records[0];
  if (first !== undefined) {
    for (const column of COLUMNS) {
      if (!(column in first))
        throw new ShapeError(path, `has no "${column}" column`, "delete it; the next clean run writes it again");
    }
  }
  return records.map((r) => ({ stage: r.stage as string, file: r.file as string, reason: r.reason as string }));
}

/** A path relative to the data root when it lies inside it, else as given. */
function displayPath(root: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(root, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/** Absolute path of skipped.csv for a configuration. */
export function skippedCsvPath(config: PipelineConfig): string {
  return join(dataPath(config, "processed"), SKIPPED_CSV);
}

/**
 * Record one stage's skipped files in `<processed>/skipped.csv`: rows of the stages that run
 * before it are kept, rows of this stage and later ones (from an earlier run) are replaced.
 * The clean stage therefore starts the file afresh, and preprocess adds its own rows.
 *
 * @returns  every row now in the file
 */
export function recordSkippedFiles(
  config: PipelineConfig,
  stage: SkippingStage,
  skipped: readonly SkippedFile[],
): SkippedRow[] {
  const path = skippedCsvPath(config);
  const earlier = SKIPPING_STAGES.slice(0, SKIPPING_STAGES.indexOf(stage)) as readonly string[];
  const kept =
    existsSync(path) && earlier.length > 0 ? readSkippedCsv(path).filter((r) => earlier.includes(r.stage)) : [];
  const rows = [
    ...kept,
    ...skipped.map((s) => ({ stage, file: displayPath(config.dataRoot, s.file), reason: s.reason })),
  ];
  writeSkippedCsv(path, rows);
  return rows;
}
