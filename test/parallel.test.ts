import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { thesisConfig } from "../src/config/pipeline";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import { closeWorkerPool, mapTask, pooledWorkerIds } from "../src/pipeline/runtime/parallel";
import { writeWavFile } from "../src/audio/wav";
import { augmentAndExtract } from "../src/pipeline/stages/augmentAndExtract";
import { silentReporter } from "../src/util/reporter";
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

test("the clean and preprocess stages share one pool of worker threads, which closeWorkerPool ends", async () => {
  await closeWorkerPool();
  const root = mkdtempSync(join(tmpdir(), "soundcheck-pool-"));
  makeTinyDataset(root);
  const config = thesisConfig(root);
  config.dataRoot = root;
  config.workers = 2;
  await cleanAndSample(config, silentReporter);
  const afterClean = pooledWorkerIds();
  assert.equal(afterClean.length, 2);
  await augmentAndExtract(config, silentReporter);
  assert.deepEqual(pooledWorkerIds(), afterClean, "preprocess ran on the threads clean started");
  await closeWorkerPool();
  assert.deepEqual(pooledWorkerIds(), []);
});

test("a failing item fails the call with the item's index, and the pool is replaced by fresh threads", async () => {
  await closeWorkerPool();
  const dir = mkdtempSync(join(tmpdir(), "soundcheck-fail-"));
  const clip = join(dir, "clip.wav");
  writeWavFile(clip, new Float32Array(22050), 22050);
  const features = thesisConfig(dir).features;
  const good = { path: clip, features, augment: null };
  const failing = { ...good, features: { ...features, nFft: 1000 } }; // the extractor rejects it (not a power of two)
  await assert.rejects(mapTask("processClip", [good, failing, good], 2), /worker failed on item 1: ConfigError/);
  assert.deepEqual(pooledWorkerIds(), []);
  const results = await mapTask("processClip", [good, good], 2);
  assert.ok(results.every((r) => r.ok));
  assert.equal(pooledWorkerIds().length, 2);
  await closeWorkerPool();
});
