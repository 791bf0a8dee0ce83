/**
 * The DCASE 2023 task-2 metrics per domain, computed as the official evaluator
 * (`nttcslab/dcase2023_task2_evaluator`, `dcase2023_task2_evaluator.py`) and the task's baseline
 * compute them, for each section separately:
 *
 * - **AUC (source)**: ROC AUC of the source-domain *normal* clips against *all* anomalous clips of
 *   the section (source and target); **AUC (target)** likewise with the target-domain normal
 *   clips. (The evaluator selects `(domain == d) | (y_true != 0)`.)
 * - **pAUC**: partial ROC AUC up to FPR 0.1 over the *whole* section (both domains), as
 *   scikit-learn's `roc_auc_score(max_fpr=0.1)` returns it, i.e. McClish-standardised (0.5 =
 *   chance). The evaluator does not use a per-domain pAUC (that line is commented out); the
 *   baseline prints one on the domain's own clips, reported here as `pAucSource`/`pAucTarget`
 *   for information only.
 * - **official score**: the harmonic mean of all sections' AUC (source), AUC (target) and pAUC,
 *   each floored at machine epsilon first (`scipy.stats.hmean(numpy.maximum(x, eps))`).
 *
 * Rows whose domain is unknown (null) count as anomalies when anomalous (they belong to the
 * section) and are left out of both domains' normal sets. Rows whose section is unknown form
 * one section named "".
 *
 * Conventions as {@link ./scores}: label 1 = anomaly (broken), higher score = more anomalous.
 */
import type { DcaseDomain } from "../data/dcaseNames";
import { bothClassesPresent, partialRocAuc, rocAuc } from "./scores";

/** Smallest value the harmonic mean sees, as the evaluator's `sys.float_info.epsilon`. */
export const HMEAN_FLOOR = Number.EPSILON;

/** DCASE's false-positive limit of the pAUC. */
export const DCASE_MAX_FPR = 0.1;

/** Clip counts of one section: normal and anomalous clips per domain (`unknown`: domain null). */
export interface DomainCounts {
  normalSource: number;
  normalTarget: number;
  anomalySource: number;
  anomalyTarget: number;
  normalUnknown: number;
  anomalyUnknown: number;
}

/** The DCASE metrics of one section; a metric is null when its set lacks a class. */
export interface SectionDcaseMetrics {
  /** Section id as in the file names ("00"), or "" for rows without one. */
  section: string;
  /** Source normals vs all anomalies of the section. */
  aucSource: number | null;
  /** Target normals vs all anomalies of the section. */
  aucTarget: number | null;
  /** Whole section, McClish-standardised (scikit-learn `max_fpr`, the evaluator's pAUC). */
  pAuc: number | null;
  /** Whole section, raw area / maxFpr (the task description's normalisation; chance maxFpr / 2). */
  pAucNormalized: number | null;
  /** Source clips only (normal and anomalous), McClish; informative, not part of the score. */
  pAucSource: number | null;
  /** Target clips only, McClish; informative, not part of the score. */
  pAucTarget: number | null;
  counts: DomainCounts;
}

/** DCASE metrics over all sections. */
export interface DcaseMetrics {
  sections: SectionDcaseMetrics[];
  /** Harmonic mean of every section's AUC (source), AUC (target) and pAUC; null if one is undefined. */
  officialScore: number | null;
  /** Harmonic mean of the sections' AUC (source); null if one is undefined. */
  aucSourceHmean: number | null;
  aucTargetHmean: number | null;
  pAucHmean: number | null;
  maxFpr: number;
}

/**
 * Harmonic mean of `values`, each floored at {@link HMEAN_FLOOR} (the evaluator's
 * `scipy.stats.hmean(numpy.maximum(values, eps))`); null when a value is null or the list is empty.
 */
export function harmonicMean(values: ReadonlyArray<number | null>): number | null {
  if (values.length === 0 || values.some((v) => v === null || !Number.isFinite(v))) return null;
  let inverse = 0;
  for (const v of values as number[]) inverse += 1 / Math.max(v, HMEAN_FLOOR);
  return values.length / inverse;
}

function subset(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  keep: (i: number) => boolean,
): { y: number[]; s: number[] } {
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (!keep(i)) continue;
    y.push(labels[i] as number);
    s.push(scores[i] as number);
  }
  return { y, s };
}

function aucOrNull(y: number[], s: number[]): number | null {
  return bothClassesPresent(y) ? rocAuc(y, s) : null;
}

function pAucOrNull(y: number[], s: number[], maxFpr: number): { mcclish: number; normalized: number } | null {
  return bothClassesPresent(y) ? partialRocAuc(y, s, maxFpr) : null;
}

/**
 * DCASE 2023 task-2 metrics (see the module comment) of one score per clip (a window or a whole
 * recording: the caller decides the unit).
 *
 * @param labels  0 = normal, 1 = anomaly, per row
 * @param scores  anomaly score per row (higher = more anomalous)
 * @param domains  domain per row, null when unknown
 * @param sections  section id per row (null = unknown); omitted = all rows one section
 * @param maxFpr  false-positive limit of the pAUC (DCASE: 0.1)
 * @returns null when no row has a known domain (not DCASE data: nothing to report)
 */
export function dcaseMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  domains: ReadonlyArray<DcaseDomain | null>,
  sections?: ReadonlyArray<string | null>,
  maxFpr: number = DCASE_MAX_FPR,
): DcaseMetrics | null {
  if (
    labels.length !== scores.length ||
    labels.length !== domains.length ||
    (sections !== undefined && sections.length !== labels.length)
  ) {
    const sectionCount = sections === undefined ? "" : `, ${sections.length} sections`;
    throw new RangeError(
      `dcaseMetrics: ${labels.length} labels, ${scores.length} scores, ${domains.length} domains${sectionCount}: ` +
        "pass one of each per row",
    );
  }
  if (!domains.some((d) => d !== null)) return null;
  const sectionOf = (i: number) => sections?.[i] ?? "";
  const ids = [...new Set(Array.from({ length: labels.length }, (_, i) => sectionOf(i)))].sort();
  const perSection = ids.map((section): SectionDcaseMetrics => {
    const inSection = (i: number) => sectionOf(i) === section;
    const counts: DomainCounts = {
      normalSource: 0,
      normalTarget: 0,
      anomalySource: 0,
      anomalyTarget: 0,
      normalUnknown: 0,
      anomalyUnknown: 0,
    };
    for (let i = 0; i < labels.length; i++) {
      if (!inSection(i)) continue;
      const d = domains[i] === "source" ? "Source" : domains[i] === "target" ? "Target" : "Unknown";
      counts[`${labels[i] === 1 ? "anomaly" : "normal"}${d}` as keyof DomainCounts]++;
    }
    const domainAuc = (d: DcaseDomain) => {
      const { y, s } = subset(labels, scores, (i) => inSection(i) && (domains[i] === d || labels[i] === 1));
      return aucOrNull(y, s);
    };
    const domainPauc = (d: DcaseDomain) => {
      const { y, s } = subset(labels, scores, (i) => inSection(i) && domains[i] === d);
      return pAucOrNull(y, s, maxFpr)?.mcclish ?? null;
    };
    const whole = subset(labels, scores, inSection);
    const p = pAucOrNull(whole.y, whole.s, maxFpr);
    return {
      section,
      aucSource: domainAuc("source"),
      aucTarget: domainAuc("target"),
      pAuc: p?.mcclish ?? null,
      pAucNormalized: p?.normalized ?? null,
      pAucSource: domainPauc("source"),
      pAucTarget: domainPauc("target"),
      counts,
    };
  });
  const aucS = perSection.map((s) => s.aucSource);
  const aucT = perSection.map((s) => s.aucTarget);
  const pAucs = perSection.map((s) => s.pAuc);
  return {
    sections: perSection,
    officialScore: harmonicMean([...aucS, ...aucT, ...pAucs]),
    aucSourceHmean: harmonicMean(aucS),
    aucTargetHmean: harmonicMean(aucT),
    pAucHmean: harmonicMean(pAucs),
    maxFpr,
  };
}
