/**
 * Side-by-side tables of several runs (e.g. the thesis and the recommended preset on the same
 * data), read from their report folders: the test-set metrics of every model, the
 * cross-validation means when the folder has them, and the DCASE metrics (AUC per domain, pAUC,
 * official score) when the runs have them.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { readCsv } from "../../data/csv";
import { ConfigError } from "../../errors";
import { HEADLINE_METRICS, HEADLINE_TITLES, type HeadlineMetrics } from "../../evaluate/modelEvaluation";

interface StoredMetrics {
  preset?: string;
  testRows?: number;
  split?: { method?: string };
  models?: Record<string, Partial<Record<keyof HeadlineMetrics, number | null>> & { threshold?: { value: number } }>;
  /** DCASE metrics per model and level (src/pipeline/reports/dcaseReport.ts, `dcaseJson`). */
  dcase?: Array<{
    model: string;
    level: string;
    aucSource: number | null;
    aucTarget: number | null;
    pAuc: number | null;
    officialScore: number | null;
  }>;
}

/** How a run's split reads in the tables. */
function splitName(method: string | undefined): string {
  if (method?.startsWith("grouped")) return "grouped split";
  if (method?.startsWith("DCASE")) return "DCASE train/test folders";
  return "row-level split";
}

const DCASE_HEAD = [
  "| run | model | level | AUC (source) | AUC (target) | pAUC | official score |",
  "| --- | --- | --- | ---: | ---: | ---: | ---: |",
];

const cell = (v: number | null | undefined, digits: number) =>
  typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "n/a";

/**
 * A markdown report comparing run folders: one table of test-set metrics (a row per run and
 * model) and, for runs with `cv_summary.csv`, one of cross-validation mean ± sd.
 *
 * @param runDirs  report folders written by `soundcheck evaluate` / `pipeline` / `cv`
 */
export function compareRuns(runDirs: string[], digits = 3): string {
  if (runDirs.length === 0)
    throw new ConfigError(
      "compare",
      "no run folders given",
      "pass report folders, e.g. reports/thesis-... reports/recommended-...",
    );
  const head = (first: string) => [
    `| ${first} | model | ${HEADLINE_METRICS.map((k) => HEADLINE_TITLES[k]).join(" | ")} |`,
    `| --- | --- | ${HEADLINE_METRICS.map(() => "---:").join(" | ")} |`,
  ];
  const test: string[] = [];
  const cv: string[] = [];
  const dcase: string[] = [];
  for (const dir of runDirs) {
    const metricsPath = join(dir, "metrics.json");
    const cvPath = join(dir, "cv_summary.csv");
    if (!existsSync(metricsPath) && !existsSync(cvPath)) {
      throw new ConfigError(
        dir,
        "holds neither metrics.json nor cv_summary.csv",
        'pass a folder written by "soundcheck evaluate", "pipeline" or "cv"',
      );
    }
    const name = basename(dir);
    if (existsSync(metricsPath)) {
      const m = JSON.parse(readFileSync(metricsPath, "utf8")) as StoredMetrics;
      const label = `${name} (${m.preset ?? "?"}, ${splitName(m.split?.method)}, ${m.testRows ?? "?"} test rows)`;
      for (const [model, values] of Object.entries(m.models ?? {})) {
        test.push(`| ${label} | ${model} | ${HEADLINE_METRICS.map((k) => cell(values[k], digits)).join(" | ")} |`);
      }
      for (const d of m.dcase ?? []) {
        const values = [d.aucSource, d.aucTarget, d.pAuc, d.officialScore].map((v) => cell(v, digits));
        dcase.push(`| ${name} | ${d.model} | ${d.level} | ${values.join(" | ")} |`);
      }
    }
    const cvDcasePath = join(dir, "cv_dcase_summary.csv");
    if (existsSync(cvDcasePath)) {
      for (const row of readCsv(cvDcasePath)) {
        const v = (k: string) => (row[k] === undefined || row[k] === "" ? null : Number(row[k]));
        const keys = ["aucSource", "aucTarget", "pAuc", "officialScore"];
        const values = keys.map((k) => `${cell(v(`${k}_mean`), digits)} ± ${cell(v(`${k}_sd`), digits)}`);
        dcase.push(`| ${name} (cv, ${row.folds} folds) | ${row.model} | ${row.level} | ${values.join(" | ")} |`);
      }
    }
    if (existsSync(cvPath)) {
      for (const row of readCsv(cvPath)) {
        const v = (k: string) => (row[k] === undefined || row[k] === "" ? null : Number(row[k]));
        const metrics = HEADLINE_METRICS.map(
          (k) => `${cell(v(`${k}_mean`), digits)} ± ${cell(v(`${k}_sd`), digits)}`,
        ).join(" | ");
        cv.push(`| ${name} (${row.folds} folds) | ${row.model} | ${metrics} |`);
      }
    }
  }
  const parts: string[] = [];
  if (test.length > 0) parts.push("## Test set", "", ...head("run"), ...test);
  if (cv.length > 0)
    parts.push(...(parts.length ? [""] : []), "## Cross-validation (mean ± sd over folds)", "", ...head("run"), ...cv);
  if (dcase.length > 0)
    parts.push(
      ...(parts.length ? [""] : []),
      "## DCASE metrics (per domain; official score)",
      "",
      ...DCASE_HEAD,
      ...dcase,
    );
  return parts.join("\n") + "\n";
}
