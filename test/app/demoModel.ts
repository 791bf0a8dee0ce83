/**
 * A small CNN trained in a few seconds on some of the bundled demo recordings, saved like
 * `soundcheck train` saves a model, so the app tests never depend on a committed model.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadAudio } from "../../src/audio/load";
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from "../../src/config/features";
import { saveCnn } from "../../src/model/save";
import { trainCnn } from "../../src/model/train";
import { predictionWindows } from "../../src/pipeline/chunking";
import { createClipFeatureExtractor } from "../../src/pipeline/features";

export const DEMO_DATA = join(__dirname, "..", "..", "data");
export const CLASS_NAMES = ["normal", "broken"];

/** The first `count` demo recordings of a class folder, sorted by name. */
export function demoFiles(folder: "broken_audio" | "normal_audio", count: number): string[] {
  return readdirSync(join(DEMO_DATA, folder))
    .filter((n) => n.endsWith(".wav"))
    .sort()
    .slice(0, count)
    .map((n) => join(DEMO_DATA, folder, n));
}

/**
 * Train on the 3 s windows of `perClass` recordings of each class (full batch, seeded, one thread)
 * and save to `dir` with the features and class names in metadata.json.
 *
 * @returns  the feature parameters used
 */
export async function trainDemoModel(dir: string, perClass: number, epochs: number): Promise<FeatureConfig> {
  const features: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG };
  const extract = await createClipFeatureExtractor(features);
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  const windowSamples = 3 * features.sampleRateHz;
  for (const [label, folder] of [
    [0, "normal_audio"],
    [1, "broken_audio"],
  ] as const) {
    for (const file of demoFiles(folder, perClass)) {
      const audio = await loadAudio(file, features.sampleRateHz);
      for (const window of predictionWindows(audio.samples, windowSamples)) {
        rows.push(extract(window).data);
        labels.push(label);
      }
    }
  }
  const frames = features.frames as number;
  const x = new Float32Array(rows.length * features.nMfcc * frames);
  rows.forEach((r, i) => x.set(r, i * r.length));
  const { model } = await trainCnn(x, labels, [rows.length, features.nMfcc, frames], {
    epochs,
    batchSize: "full",
    seed: 7,
    workers: 1,
    reportEvery: epochs,
  });
  await saveCnn(model, dir, { classNames: CLASS_NAMES, features, extra: { purpose: "soundcheck app test" } });
  model.dispose();
  return features;
}
