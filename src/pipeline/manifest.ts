import { existsSync } from "node:fs";
import { readCsv } from "../data/csv";
import { ConfigError } from "../errors";
import type { ClassLabel } from "./stages/cleanAndSample";
import type { FeatureRow } from "./stages/augmentAndExtract";

/**
 * The rows of the preprocess stage's `manifest.csv` (one per row of features.npy: which clip,
 * which source recording, which augmentation), checked against the number of feature rows.
 */
export function readFeatureManifest(path: string, expectedRows: number): FeatureRow[] {
  if (!existsSync(path)) {
    throw new ConfigError(
      path,
      "not found: the grouped split and the per-file reports need to know which recording each feature row came from",
      'run "soundcheck preprocess" again',
    );
  }
  const rows = readCsv(path).map((r, i): FeatureRow => {
    const row = Number(r.row);
    if (row !== i || r.source === undefined || r.source === "") {
      throw new ConfigError(
        path,
        `line ${i + 2} is not row ${i} with a source recording`,
        'run "soundcheck preprocess" again',
      );
    }
    return {
      row,
      file: r.file ?? "",
      label: (Number(r.label) === 1 ? 1 : 0) as ClassLabel,
      source: r.source,
      augmentation: r.augmentation ?? "",
      chunk: r.chunk === undefined || r.chunk === "" ? null : Number(r.chunk),
    };
  });
  if (rows.length !== expectedRows) {
    throw new ConfigError(
      path,
      `lists ${rows.length} rows but features.npy has ${expectedRows}`,
      'run "soundcheck preprocess" again',
    );
  }
  return rows;
}
