/**
 * The recommended preset's pooled-feature detectors fitted on a few bundled demo recordings and
 * saved as `detectors.json`, like `soundcheck train` saves them, for the app tests.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAudio } from "../../src/audio/load";
import type { PipelineConfig } from "../../src/config/pipeline";
import {
  configuredDetectors,
  configuredFeatureName,
  detectorEvaluationOptions,
} from "../../src/pipeline/detect/configured";
import { runDetector } from "../../src/pipeline/detect/evaluateDetectors";
import { detectorReportName } from "../../src/pipeline/detect/reports";
import { DETECTORS_JSON, type StoredDetectors } from "../../src/pipeline/detect/storedScoring";
import { extractWindowFeatures, poolWindows } from "../../src/pipeline/detect/windowFeatures";
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
  const sets = { train: indices(false), validation: indices(true), test: new Int32Array(0) };
  const windows = await extractWindowFeatures(recordings, f, config.representation, config.clean.chunkSeconds);
  const pooled = poolWindows(windows, config.pooling);
  const options = detectorEvaluationOptions(config);
  const featureName = configuredFeatureName(config);
  const stored: StoredDetectors = {
    format: "soundcheck-detectors/1",
    features: { ...f },
    representation: { ...config.representation },
    pooling: { statistics: [...config.pooling.statistics] },
    chunkSeconds: config.clean.chunkSeconds,
    aggregation: options.aggregation,
    featureName,
    detectors: configuredDetectors(config).map((d) => {
      const { model, threshold } = runDetector(d, pooled, recordings, sets, options);
      const reportName = detectorReportName(d.name, featureName);
      return { name: d.name, reportName, scoreName: d.scoreName, supervision: d.supervision, threshold, model };
    }),
    trainedOn: {
      train: Array.from(sets.train, (i) => files[i]?.file ?? ""),
      validation: Array.from(sets.validation, (i) => files[i]?.file ?? ""),
    },
  };
  writeFileSync(join(dir, DETECTORS_JSON), JSON.stringify(stored) + "\n");
  return stored;
}
