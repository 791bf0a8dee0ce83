import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { presetConfig, type PipelineConfig } from "../src/config/pipeline";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import { augmentAndExtract } from "../src/pipeline/stages/augmentAndExtract";
import { silentReporter } from "../src/util/reporter";
import { splitFeatures } from "../src/pipeline/stages/split";
import { trainStage } from "../src/pipeline/stages/train";
import { makeTinyDataset, pcm16Wav, tone } from "./helpers/tinyDataset";

// The same config and seed, run twice from scratch in two data roots: every file the stages
// write must come out byte for byte the same (on the same backend and worker count).

const work = mkdtempSync(join(tmpdir(), "soundcheck-repro-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** sha256 of every file under a folder, by path relative to it. */
function treeHashes(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(folder)) return out;
  for (const name of readdirSync(folder, { recursive: true }).map(String).sort()) {
    const path = join(folder, name);
    if (statSync(path).isFile()) out[name] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

/** The tiny data set plus recordings enough for a grouped train/validation/test split (6 broken, 6 normal). */
function makeDataset(root: string): void {
  makeTinyDataset(root);
  for (let i = 0; i < 4; i++)
    writeFileSync(
      join(root, "broken_audio", `extra broken ${i}.wav`),
      pcm16Wav([tone(6.5, 16000, 900 + 40 * i, 0.3, 0.4, 50 + i)], 16000),
    );
  for (let i = 0; i < 3; i++)
    writeFileSync(
      join(root, "normal_audio", `extra normal ${i}.wav`),
      pcm16Wav([tone(3.2, 22050, 250 + 30 * i, 0.4, 0.05, 60 + i)], 22050),
    );
}

/** A JSON value without the keys that hold wall-clock times and dates (`seconds`, `epochSeconds`, `trainedAt`...). */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !/([sS]econds|At)$/.test(k))
      .map(([k, v]) => [k, withoutTimes(v)]),
  );
}

async function runOnce(
  preset: string,
  name: string,
): Promise<{
  config: PipelineConfig;
  backend: string;
  hashes: Record<string, Record<string, string>>;
  metadata: unknown;
}> {
  const root = join(work, name);
  makeDataset(root);
  const config = presetConfig(preset, root);
  config.dataRoot = root;
  config.modelDir = join(root, "model");
  config.reportsDir = join(root, "reports");
  config.train.epochs = 3;
  await cleanAndSample(config, silentReporter);
  await augmentAndExtract(config, silentReporter);
  splitFeatures(config, silentReporter);
  const train = await trainStage(config, silentReporter);
  const hashes: Record<string, Record<string, string>> = {};
  for (const folder of [
    "broken_audio_samples",
    "normal_audio_samples",
    "augmented_broken_audio_samples",
    "processed_data",
    "model",
  ])
    hashes[folder] = treeHashes(join(root, folder));
  const metadata = withoutTimes(JSON.parse(readFileSync(join(config.modelDir, "metadata.json"), "utf8")));
  return { config, backend: train.backend, hashes, metadata };
}

for (const preset of ["thesis", "recommended"]) {
  test(`the ${preset} preset run twice gives byte-identical clips, features, splits and model weights`, async () => {
    const first = await runOnce(preset, `${preset}-1`);
    const second = await runOnce(preset, `${preset}-2`);
    assert.equal(second.backend, first.backend);
    const h = first.hashes;
    // what must be there, so that equality means something
    assert.equal(Object.keys(h.broken_audio_samples!).length, 12);
    assert.equal(Object.keys(h.augmented_broken_audio_samples!).length, 9 * 12);
    for (const f of [
      "features.npy",
      "labels.npy",
      "manifest.csv",
      "clean_manifest.csv",
      "X_train.npy",
      "X_test.npy",
      "y_train.npy",
      "y_test.npy",
      "split_indices.json",
    ])
      assert.ok(f in h.processed_data!, f);
    for (const f of ["model.json", "weights.bin"]) assert.ok(f in h.model!, f);
    for (const folder of Object.keys(h)) {
      const differing = Object.keys(h[folder]!).filter((f) => h[folder]![f] !== second.hashes[folder]![f]);
      // metadata.json records training wall times: compared below without them
      assert.deepEqual(
        differing.filter((f) => f !== "metadata.json"),
        [],
        `${folder} differs`,
      );
      assert.deepEqual(Object.keys(second.hashes[folder]!), Object.keys(h[folder]!), `${folder} holds other files`);
    }
    assert.deepEqual(second.metadata, first.metadata);
  });
}
