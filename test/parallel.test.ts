import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { thesisConfig } from "../src/config/pipeline";
import { cleanAndSample } from "../src/pipeline/clean";
import { augmentAndExtract } from "../src/pipeline/preprocess";
import { silentReporter } from "../src/pipeline/reporter";
import { folderHashes, makeTinyDataset } from "./helpers/tinyDataset";

async function cleanAndPreprocess(workers: number) {
  const root = mkdtempSync(join(tmpdir(), `soundcheck-par${workers}-`));
  makeTinyDataset(root);
  const config = thesisConfig(root);
  config.dataRoot = root;
  config.workers = workers;
  await cleanAndSample(config, silentReporter);
  await augmentAndExtract(config, silentReporter);
  return {
    features: readFileSync(join(root, "processed_data", "features.npy")),
    manifest: readFileSync(join(root, "processed_data", "manifest.csv"), "utf8").replaceAll(root, ""),
    samples: folderHashes(join(root, "broken_audio_samples")),
    augmented: folderHashes(join(root, "augmented_broken_audio_samples")),
  };
}

test("two worker threads give byte-identical samples, augmentations and features to one thread", async () => {
  const serial = await cleanAndPreprocess(1);
  const parallel = await cleanAndPreprocess(2);
  assert.ok(serial.features.equals(parallel.features), "features.npy differs");
  assert.equal(serial.manifest, parallel.manifest);
  assert.deepEqual(serial.samples, parallel.samples);
  assert.deepEqual(serial.augmented, parallel.augmented);
  assert.equal(Object.keys(serial.augmented).length, 36);
});
