/**
 * The grid of `soundcheck sweep`: which representations, poolings and pooled-feature models are
 * compared under the same repeated grouped cross-validation. Everything else (STFT parameters,
 * chunk length, folds and repetitions, seed, recording-score rule, validation fraction, kNN
 * neighbours, L2 penalty) comes from the pipeline config the sweep runs under.
 */
import { readJsonObject } from "./pipeline";
import { ConfigError } from "../errors";
import {
  DEFAULT_REPRESENTATION,
  DETECTOR_NAMES,
  describeFeatures,
  isPoolStatistic,
  type DetectorName,
  type PoolStatistic,
  type RepresentationConfig,
} from "./detect";

/** The cells of a sweep: every representation x every pooling x every model. */
export interface SweepGrid {
  /** Representations (each with its window: whole recording or `clean.chunkSeconds` chunks). */
  representations: RepresentationConfig[];
  /** Pooled statistics per band, one list per pooling, e.g. `[["mean", "std"], ["max"]]`. */
  poolings: PoolStatistic[][];
  models: DetectorName[];
  /**
   * Nested selection: also pick, inside each outer fold's training recordings (an inner
   * cross-validation), the cell with the best mean ROC AUC, and report how that pick scores on
   * the outer folds: an estimate of "the sweep's choice" free of selection bias. Costs about
   * `cv.folds` times the sweep itself.
   */
  nested: boolean;
}

/** A grid as written in a JSON file: representation entries may name only what differs from the default. */
export interface SweepGridOverrides {
  representations?: Array<Partial<RepresentationConfig>>;
  poolings?: PoolStatistic[][];
  models?: DetectorName[];
  nested?: boolean;
}

const BASES: ReadonlyArray<Pick<RepresentationConfig, "kind" | "nMels" | "nMfcc">> = [
  { kind: "mfcc", nMels: 128, nMfcc: 40 },
  { kind: "logmel", nMels: 64, nMfcc: 40 },
  { kind: "logmel", nMels: 128, nMfcc: 40 },
];

/**
 * The default grid (12 representations x 4 poolings x 3 models = 144 cells): MFCC-40, log-mel
 * 64 and log-mel 128, each without and with deltas, over whole recordings and over 3 s chunks;
 * pooled as {mean, std} (the thesis baseline's statistics), {mean, std, max}, {max} alone, and
 * the percentiles {p50, p90, p99}; logistic regression, kNN and Mahalanobis. (The autoencoder is
 * not a pooled-feature model: it reads 5-frame MFCC windows, see `soundcheck cv`.)
 */
export function defaultSweepGrid(): SweepGrid {
  const representations: RepresentationConfig[] = [];
  for (const window of ["recording", "chunk"] as const)
    for (const base of BASES)
      for (const deltas of [0, 1] as const)
        representations.push({ ...DEFAULT_REPRESENTATION, ...base, deltas, window });
  return {
    representations,
    poolings: [["mean", "std"], ["mean", "std", "max"], ["max"], ["p50", "p90", "p99"]],
    models: [...DETECTOR_NAMES],
    nested: false,
  };
}

/** The number of cells of a grid. */
export function sweepCellCount(grid: SweepGrid): number {
  return grid.representations.length * grid.poolings.length * grid.models.length;
}

/**
 * The grid of `overrides` on top of the default: each given list replaces the default's list;
 * each representation entry is completed from {@link DEFAULT_REPRESENTATION}. Checked like the
 * pipeline config (one clear message naming `source` and the entry).
 *
 * @param source  where the overrides came from (a file name), for error messages
 */
export function resolveSweepGrid(overrides: SweepGridOverrides, source = "sweep grid"): SweepGrid {
  const known = ["representations", "poolings", "models", "nested"];
  for (const key of Object.keys(overrides))
    if (!known.includes(key))
      throw new ConfigError(`${source}: ${key}`, "is not a sweep setting", `use ${known.join(", ")}`);
  const base = defaultSweepGrid();
  const grid: SweepGrid = {
    representations: (overrides.representations ?? base.representations).map((r) => ({
      ...DEFAULT_REPRESENTATION,
      ...r,
    })),
    poolings: overrides.poolings ?? base.poolings,
    models: overrides.models ?? base.models,
    nested: overrides.nested ?? base.nested,
  };
  validateSweepGrid(grid, source);
  return grid;
}

/** Throws a ConfigError naming `source` and the first wrong entry of the grid. */
export function validateSweepGrid(grid: SweepGrid, source = "sweep grid"): void {
  const need = (ok: boolean, subject: string, problem: string, fix: string) => {
    if (!ok) throw new ConfigError(`${source}: ${subject}`, problem, fix);
  };
  for (const name of ["representations", "poolings", "models"] as const) {
    const list: unknown = grid[name];
    need(Array.isArray(list) && list.length > 0, name, "is empty or not a list", "give at least one entry");
  }
  need(typeof grid.nested === "boolean", "nested", `is ${JSON.stringify(grid.nested)}`, "use true or false");
  grid.representations.forEach((r, i) => {
    const at = `representations[${i}]`;
    need(
      r.kind === "mfcc" || r.kind === "logmel",
      `${at}.kind`,
      `is ${JSON.stringify(r.kind)}`,
      'use "mfcc" or "logmel"',
    );
    need(
      Number.isInteger(r.nMels) && r.nMels >= 1,
      `${at}.nMels`,
      `is ${r.nMels}`,
      "use a positive integer such as 128",
    );
    need(
      r.kind !== "mfcc" || (Number.isInteger(r.nMfcc) && r.nMfcc >= 1 && r.nMfcc <= r.nMels),
      `${at}.nMfcc`,
      `is ${r.nMfcc} with nMels ${r.nMels}`,
      "use 1..nMels coefficients, e.g. 40",
    );
    need([0, 1, 2].includes(r.deltas), `${at}.deltas`, `is ${JSON.stringify(r.deltas)}`, "use 0, 1 or 2");
    need(
      r.window === "recording" || r.window === "chunk",
      `${at}.window`,
      `is ${JSON.stringify(r.window)}`,
      'use "recording" or "chunk"',
    );
  });
  grid.poolings.forEach((p, i) =>
    need(
      Array.isArray(p) && p.length > 0 && p.every(isPoolStatistic) && new Set(p).size === p.length,
      `poolings[${i}]`,
      `is ${JSON.stringify(p)}`,
      'use distinct statistics among "mean", "std", "min", "max" and percentiles such as "p90"',
    ),
  );
  need(
    grid.models.every((m) => DETECTOR_NAMES.includes(m)) && new Set(grid.models).size === grid.models.length,
    "models",
    `is ${JSON.stringify(grid.models)}`,
    `use distinct names among ${DETECTOR_NAMES.map((m) => `"${m}"`).join(", ")}`,
  );
  // cells are named by describeFeatures, which names an MFCC by its coefficients and a log-mel by its bands
  const keys = grid.representations.map((r) => describeFeatures(r, { statistics: [] }));
  need(
    new Set(keys).size === keys.length,
    "representations",
    `name the same representation twice (${keys.join("; ")})`,
    "remove the repeat (MFCCs of different nMels are not told apart: sweep one nMels per nMfcc)",
  );
  const pools = grid.poolings.map((p) => p.join(","));
  need(new Set(pools).size === pools.length, "poolings", "name the same pooling twice", "remove the repeat");
}

/** Read a grid from a JSON file (see {@link SweepGridOverrides}); missing lists keep the default's. */
export function readSweepGrid(path: string): SweepGrid {
  const parsed = readJsonObject(path, "--grid", '{"poolings": [["max"]], "models": ["knn"]}');
  return resolveSweepGrid(parsed as SweepGridOverrides, path);
}

/** The metrics a sweep reports per cell (recording level). */
export const SWEEP_METRICS = [
  "rocAuc",
  "pAuc",
  "balancedAccuracy",
  "averagePrecision",
  "aucSource",
  "aucTarget",
  "officialScore",
] as const;

export type SweepMetric = (typeof SWEEP_METRICS)[number];

/** Column titles of {@link SWEEP_METRICS}. */
export const SWEEP_METRIC_TITLES: Record<SweepMetric, string> = {
  rocAuc: "ROC AUC",
  pAuc: "pAUC",
  balancedAccuracy: "balanced acc.",
  averagePrecision: "AP",
  aucSource: "AUC source",
  aucTarget: "AUC target",
  officialScore: "DCASE score",
};

/** A representation and its window in a few words, e.g. "logmel128+d1 (3 s chunks)". */
export function representationName(representation: RepresentationConfig, chunkSeconds: number): string {
  return describeFeatures(representation, { statistics: [] }, chunkSeconds).replace(/\s+/g, " ").trim();
}
