/**
 * The pooled-feature detectors in the cross-validation report: their folds as rows of the CV
 * tables (per recording, and per window when windows are chunks), and the domain-transfer check
 * (`cv_domain_transfer.csv` / `.md`).
 */
import { join } from "node:path";
import type { PipelineConfig } from "../../config/pipeline";
import { toCsv, type CsvValue } from "../../data/csv";
import { finiteOrNull, HEADLINE_METRICS, headlineMetrics, headlineTable } from "../../evaluate/modelEvaluation";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { FoldResult } from "../experiments/crossValidation";
import type { DetectorCrossValidation } from "./configured";

/**
 * How a pooled-feature detector is named in reports, e.g. "logistic-regression on logmel128 max" (the chunk
 * baselines keep their bare names).
 */
export function detectorReportName(model: string, features: string): string {
  return `${model} on ${features}`;
}

/** Each detector fold as CV rows: per recording, and per window when the windows are chunks. */
export function detectorFoldResults(cv: DetectorCrossValidation, config: PipelineConfig): FoldResult[] {
  const chunked = config.representation.window === "chunk";
  return cv.folds.flatMap((d): FoldResult[] => {
    const base = {
      repeat: d.repeat,
      fold: d.fold,
      model: detectorReportName(d.model, cv.features),
      threshold: d.threshold,
    };
    const rec: FoldResult = { ...base, testRows: d.testRecordings, metrics: d.recording, level: "recording" };
    return chunked ? [rec, { ...base, testRows: d.testWindows, metrics: d.window, level: "window" }] : [rec];
  });
}

/** Markdown table of the domain-transfer runs (per recording); null when there are none. */
export function domainTransferTable(cv: DetectorCrossValidation): string | null {
  if (cv.transfer.length === 0) return null;
  return headlineTable(
    cv.transfer.map((t) => ({
      name: `${detectorReportName(t.model, cv.features)}: train ${t.from}, test ${t.to}`,
      metrics: headlineMetrics(t.run.recordings),
    })),
  );
}

/**
 * Write `cv_domain_transfer.csv` and `cv_domain_transfer.md` (train on every recording of one
 * DCASE domain, test on every recording of the other; per recording) into `dir`.
 *
 * @returns  the files written (none without domain-transfer runs)
 */
export function writeDomainTransferReport(dir: string, cv: DetectorCrossValidation, config: PipelineConfig): string[] {
  const table = domainTransferTable(cv);
  if (table === null) return [];
  const csv = join(dir, "cv_domain_transfer.csv");
  const md = join(dir, "cv_domain_transfer.md");
  writeFileAtomic(
    csv,
    toCsv(
      cv.transfer.map((t): Record<string, CsvValue> => ({
        model: t.model,
        features: cv.features,
        train_domain: t.from,
        test_domain: t.to,
        test_recordings: t.run.test.recordings.length,
        threshold: t.run.threshold.value,
        ...Object.fromEntries(HEADLINE_METRICS.map((m) => [m, finiteOrNull(headlineMetrics(t.run.recordings)[m])])),
      })),
      ["model", "features", "train_domain", "test_domain", "test_recordings", "threshold", ...HEADLINE_METRICS],
    ),
  );
  const text = [
    `# Domain transfer: pooled-feature detectors (${cv.features}), preset ${config.preset}`,
    "",
    "Trained on every recording of one DCASE domain (validation recordings for the threshold carved from them), " +
      "tested on every recording of the other, one decision per recording. " +
      "A detector that learned the fault rather than the domain's operating pattern keeps its ROC AUC here.",
    "",
    table,
    "",
  ].join("\n");
  writeFileAtomic(md, text);
  return [csv, md];
}
