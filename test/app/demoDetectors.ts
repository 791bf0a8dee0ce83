/**
 * The recommended preset's pooled-feature detectors fitted on a few bundled demo recordings and
 * saved as `detectors.json`, like `soundcheck train` saves them, for the app tests.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAudio } from "../../src/audio/load";
import type { PipelineConfig } from "../../src/config/pipeline";
import { fitStoredDetectors } from "../../src/pipeline/detect/store";
import { DETECTORS_JSON, type StoredDetectors } from "../../src/pipeline/detect/storedScoring";
import { normalizeRms } from "../../src/pipeline/features";
import { demoFiles } from "./demoModel";

/**
 * Fit `config`'s detectors on demo recordings 2..(1 + trainPerClass) of each class, choose their
 * thresholds on the next one of each class, and write `<dir>/detectors.json`.
 */
export async function saveDemoDetectors(
  config: PipelineConfig,
  dir: string,
  trainPerClass: number,
): Promise<StoredDetectors> {
  const f = config.features;
  const files = (["normal_audio", "broken_audio"] as const).flatMap((folder, label) =>
    demoFiles(folder, trainPerClass + 2)
      .slice(1)
      .map((file, i) => ({ file, label: label as 0 | 1, validation: i === trainPerClass })),
  );
  const recordings = await Promise.all(
    files.map(async ({ file, label }) => {
      const samples = (await loadAudio(file, f.sampleRateHz)).samples;
      return { id: file, label, samples: f.levelNormalization === "rms" ? normalizeRms(samples) : samples };
    }),
  );
  const indices = (validation: boolean) =>
    Int32Array.from(files.flatMap((r, i) => (r.validation === validation ? [i] : [])));
  const stored = await fitStoredDetectors(config, recordings, indices(false), indices(true));
  writeFileSync(join(dir, DETECTORS_JSON), JSON.stringify(stored) + "\n");
  return stored;
}
