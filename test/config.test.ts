import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeConfig, readConfigFile, thesisConfig, validateConfig } from "../src/config/pipeline";
import { emptyGeneratedFolder, listAudioFiles } from "../src/data/dataset";
import { ConfigError } from "../src/errors";
import { CollectingReporter } from "../src/util/reporter";
import { configFromFlags } from "../src/pipeline/cli";

test("the thesis preset holds the thesis's numbers", () => {
  const c = thesisConfig("/p");
  assert.equal(c.features.sampleRateHz, 22050);
  assert.equal(c.features.nMfcc, 40);
  assert.equal(c.features.frames, 100);
  assert.equal(c.clean.chunkSeconds, 3);
  assert.equal(c.split.testFraction, 0.2);
  assert.equal(c.split.seed, 42);
  assert.equal(c.train.epochs, 50);
  assert.equal(c.train.batchSize, null);
  assert.equal(c.train.learningRate, 0.001);
  assert.equal(c.augment.enabled.length, 9);
  assert.equal(c.dataRoot, join("/p", "data"));
});

test("overrides from a JSON file change only the named settings, with paths relative to the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "cfg-"));
  const file = join(dir, "settings.json");
  writeFileSync(file, JSON.stringify({ dataRoot: "mydata", train: { epochs: 7 } }));
  const c = mergeConfig(thesisConfig("/p"), readConfigFile(file));
  assert.equal(c.dataRoot, join(dir, "mydata"));
  assert.equal(c.train.epochs, 7);
  assert.equal(c.train.learningRate, 0.001);
});

test("rejects an unknown setting and names it", () => {
  assert.throws(
    () => mergeConfig(thesisConfig("/p"), { train: { epocs: 3 } } as never),
    /config\.train\.epocs: is not a setting/,
  );
});

test("rejects a non-power-of-two FFT size with the fix in the message", () => {
  const c = thesisConfig("/p");
  c.features.nFft = 1000;
  assert.throws(
    () => validateConfig(c),
    (e: unknown) => e instanceof ConfigError && /power of two/.test(e.message),
  );
});

test("flags override the preset: data root, epochs, full batch, seed", () => {
  const c = configFromFlags({ data: "elsewhere", epochs: "5", "batch-size": "32", seed: "7" }, "/proj");
  assert.equal(c.dataRoot, "/proj/elsewhere");
  assert.equal(c.train.epochs, 5);
  assert.equal(c.train.batchSize, 32);
  assert.equal(c.split.seed, 7);
  assert.equal(c.augmentSeed, 7);
  assert.equal(configFromFlags({ "batch-size": "full" }, "/proj").train.batchSize, null);
});

test("lists audio files sorted, reports hidden files and skips notes", () => {
  const dir = mkdtempSync(join(tmpdir(), "list-"));
  for (const f of ["b.wav", "a.FLAC", ".hidden.wav", "readme.txt", "image.png", "c (1).mp3"])
    writeFileSync(join(dir, f), "x");
  mkdirSync(join(dir, "sub.wav"));
  const r = new CollectingReporter();
  const files = listAudioFiles(dir, r).map((p) => p.split("/").pop());
  assert.deepEqual(files, ["a.FLAC", "b.wav", "c (1).mp3"]);
  assert.deepEqual(r.skipped.map((s) => s.file.split("/").pop()).sort(), [".hidden.wav", "image.png"]);
});

test("a missing raw folder gives a ConfigError saying what to do", () => {
  const r = new CollectingReporter();
  assert.throws(() => listAudioFiles("/nonexistent/broken_audio", r), /folder of recordings not found\. create it/);
});

test("empties a generated folder but refuses one that points at a raw folder or outside the data root", () => {
  const root = mkdtempSync(join(tmpdir(), "root-"));
  const c = thesisConfig(root);
  c.dataRoot = root;
  mkdirSync(join(root, "broken_audio"));
  writeFileSync(join(root, "broken_audio", "keep.wav"), "raw");
  mkdirSync(join(root, "broken_audio_samples"));
  writeFileSync(join(root, "broken_audio_samples", "old.wav"), "old");
  emptyGeneratedFolder(c, "brokenSamples");
  assert.deepEqual(readdirSync(join(root, "broken_audio_samples")), []);

  const atRaw = structuredClone(c);
  atRaw.layout.brokenSamples = "broken_audio";
  assert.throws(() => emptyGeneratedFolder(atRaw, "brokenSamples"), /overlaps the raw folder/);
  const outside = structuredClone(c);
  outside.layout.processed = "../elsewhere";
  assert.throws(() => emptyGeneratedFolder(outside, "processed"), /not inside the data root/);
  const root2 = structuredClone(c);
  root2.layout.processed = ".";
  assert.throws(() => emptyGeneratedFolder(root2, "processed"), /not inside the data root/);
  assert.ok(existsSync(join(root, "broken_audio", "keep.wav")));
});
