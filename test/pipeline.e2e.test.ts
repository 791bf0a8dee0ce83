import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { thesisConfig, type PipelineConfig } from "../src/config/pipeline";
import { loadNpy } from "../src/data/npy";
import { readCsv } from "../src/data/csv";
import { decodeWavFile } from "../src/audio/wav";
import { loadAudio } from "../src/audio/load";
import { mfccFeatures } from "../src/dsp/mfcc";
import { runPipeline, type PipelineReport } from "../src/pipeline/run";
import { predictFiles } from "../src/pipeline/predict";
import { CollectingReporter } from "../src/util/reporter";
import { main } from "../src/pipeline/cli";
import { folderHashes, makeTinyDataset } from "./helpers/tinyDataset";

// One run of the whole pipeline on a tiny generated dataset, then one assertion group per output.
const root = mkdtempSync(join(tmpdir(), "soundcheck-e2e-"));
makeTinyDataset(root);
const rawBefore = {
  broken: folderHashes(join(root, "broken_audio")),
  normal: folderHashes(join(root, "normal_audio")),
};
const config: PipelineConfig = thesisConfig(root);
config.dataRoot = root;
config.train.epochs = 3;
const reporter = new CollectingReporter();
let report: PipelineReport;

test("runs all five stages on the tiny dataset", async () => {
  report = await runPipeline(config, reporter);
  assert.ok(report.timings.total > 0);
});

test("skips the hidden file, the text file named .wav and the clip shorter than one chunk, one line each", () => {
  const skipped = reporter.skipped.map((s) => s.file.split("/").pop());
  assert.deepEqual(skipped.sort(), [".DS_Store", "notes.wav", "short.wav"]);
  const short = reporter.skipped.find((s) => s.file.endsWith("short.wav"))!;
  assert.match(short.reason, /shorter than one 3 s chunk/);
});

test("cuts each 6.5 s broken recording into two 3 s chunks at 22050 Hz and keeps normal recordings whole", () => {
  const brokenSamples = readdirSync(join(root, "broken_audio_samples")).sort();
  assert.deepEqual(brokenSamples, [
    "pump a_chunk_0.wav",
    "pump a_chunk_1.wav",
    "pump_b_chunk_0.wav",
    "pump_b_chunk_1.wav",
  ]);
  for (const f of brokenSamples) {
    const a = decodeWavFile(join(root, "broken_audio_samples", f));
    assert.equal(a.sampleRateHz, 22050);
    assert.equal(a.channels.length, 1);
    assert.equal(a.channels[0]!.length, 3 * 22050);
  }
  const normalSamples = readdirSync(join(root, "normal_audio_samples")).sort();
  assert.deepEqual(normalSamples, ["normal_0.wav", "normal_1.wav", "normal_2.wav"]);
  const n0 = decodeWavFile(join(root, "normal_audio_samples", "normal_0.wav"));
  assert.equal(n0.channels[0]!.length, Math.ceil(3.2 * 22050)); // ceil(n * 22050 / 44100) as librosa
});

test("a chunk holds the matching stretch of the resampled recording", async () => {
  const whole = await loadAudio(join(root, "broken_audio", "pump_b.wav"), 22050);
  const chunk1 = decodeWavFile(join(root, "broken_audio_samples", "pump_b_chunk_1.wav")).channels[0]!;
  for (const i of [0, 1000, 50000])
    assert.ok(Math.abs((chunk1[i] as number) - (whole.samples[66150 + i] as number)) <= 1 / 32767 + 1e-6);
});

test("writes the nine augmentations of every broken chunk with the expected lengths", () => {
  const files = readdirSync(join(root, "augmented_broken_audio_samples")).sort();
  assert.equal(files.length, 9 * 4);
  const len = (name: string) => decodeWavFile(join(root, "augmented_broken_audio_samples", name)).channels[0]!.length;
  assert.equal(len("stretch_pump_b_chunk_0.wav"), Math.round(66150 / 1.25));
  assert.equal(len("pad_pump_b_chunk_0.wav"), 66150 + 2 * Math.round(0.7 * 22050));
  assert.equal(len("reverse_pump_b_chunk_0.wav"), 66150);
  for (const aug of ["noise", "reverse", "compress", "stretch", "eq", "clip", "scale", "pad", "freqmask"])
    assert.ok(files.includes(`${aug}_pump a_chunk_1.wav`), aug);
});

test("saves features.npy [43][40][100] float32 and int64 labels, normal rows first", () => {
  const x = loadNpy(join(root, "processed_data", "features.npy"));
  assert.equal(x.dtype, "<f4");
  assert.deepEqual(x.shape, [3 + 4 + 36, 40, 100]);
  const y = loadNpy(join(root, "processed_data", "labels.npy"));
  assert.equal(y.dtype, "<i8");
  assert.deepEqual(Array.from(y.data as BigInt64Array, Number), [0, 0, 0, ...new Array<number>(40).fill(1)]);
});

test("each feature row is the MFCC of the clip the manifest names", async () => {
  const x = loadNpy(join(root, "processed_data", "features.npy")).data as Float32Array;
  const manifest = readCsv(join(root, "processed_data", "manifest.csv"));
  for (const row of [0, 5, 42]) {
    const entry = manifest[row]!;
    const audio = await loadAudio(join(root, entry.file!), 22050);
    const expected = mfccFeatures(audio.samples, 22050);
    const actual = x.subarray(row * 4000, (row + 1) * 4000);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < 4000; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((actual[i] as number) - (expected.data[i] as number)));
      maxAbs = Math.max(maxAbs, Math.abs(expected.data[i] as number));
    }
    // the same numbers up to FFT precision (float32 vs float64: < 1e-6 of max |MFCC|)
    assert.ok(maxDiff <= 1e-5 * maxAbs, `row ${row} (${entry.file}) differs by ${maxDiff} (max |MFCC| ${maxAbs})`);
  }
});

test("the manifest traces every augmented row back to its raw recording", () => {
  const manifest = readCsv(join(root, "processed_data", "manifest.csv"));
  assert.equal(manifest.length, 43);
  const aug = manifest.filter((r) => r.augmentation !== "");
  assert.equal(aug.length, 36);
  for (const r of aug) assert.match(r.source!, /^broken_audio\/(pump a|pump_b)\.wav$/);
  assert.equal(manifest.filter((r) => r.source === "broken_audio/pump_b.wav").length, 2 + 18);
  assert.deepEqual(
    manifest.slice(0, 3).map((r) => r.class),
    ["normal", "normal", "normal"],
  );
});

test("splits 43 rows into 34 training and 9 test rows, each a copy of its feature row", () => {
  const dir = join(root, "processed_data");
  const x = loadNpy(join(dir, "features.npy")).data as Float32Array;
  const xTrain = loadNpy(join(dir, "X_train.npy"));
  const xTest = loadNpy(join(dir, "X_test.npy"));
  assert.deepEqual(xTrain.shape, [34, 40, 100]);
  assert.deepEqual(xTest.shape, [9, 40, 100]);
  const indices = JSON.parse(readFileSync(join(dir, "split_indices.json"), "utf8")) as {
    train: number[];
    test: number[];
  };
  assert.deepEqual(
    [...indices.train, ...indices.test].sort((a, b) => a - b),
    Array.from({ length: 43 }, (_, i) => i),
  );
  const t3 = indices.test[3]!;
  assert.deepEqual(
    Array.from((xTest.data as Float32Array).subarray(3 * 4000, 4 * 4000)),
    Array.from(x.subarray(t3 * 4000, (t3 + 1) * 4000)),
  );
  const yTest = loadNpy(join(dir, "y_test.npy")).data as BigInt64Array;
  assert.deepEqual(
    Array.from(yTest, Number),
    indices.test.map((i) => (i < 3 ? 0 : 1)),
  );
});

test("saves a self-describing tfjs model", () => {
  for (const f of ["model.json", "weights.bin", "metadata.json"]) assert.ok(existsSync(join(config.modelDir, f)), f);
  const meta = JSON.parse(readFileSync(join(config.modelDir, "metadata.json"), "utf8")) as {
    classNames: string[];
    features: { nMfcc: number; frames: number };
    history: { loss: number[] };
  };
  assert.deepEqual(meta.classNames, ["normal", "broken"]);
  assert.equal(meta.features.nMfcc, 40);
  assert.equal(meta.features.frames, 100);
  assert.equal(meta.history.loss.length, 3);
  const model = JSON.parse(readFileSync(join(config.modelDir, "model.json"), "utf8")) as { format: string };
  assert.equal(model.format, "layers-model");
});

test("writes metrics whose confusion matrix covers the 9 test rows", () => {
  const metrics = JSON.parse(readFileSync(join(config.reportsDir, "metrics.json"), "utf8")) as {
    confusionMatrix: { counts: number[][] };
    accuracy: number;
  };
  const counts = metrics.confusionMatrix.counts;
  assert.equal(
    counts.flat().reduce((a, b) => a + b, 0),
    9,
  );
  assert.equal(metrics.accuracy, (counts[0]![0]! + counts[1]![1]!) / 9);
  for (const f of ["classification_report.csv", "confusion_matrix.csv", "test_predictions.csv"])
    assert.ok(existsSync(join(config.reportsDir, f)), f);
  assert.equal(readFileSync(join(config.reportsDir, "test_predictions.csv"), "utf8").trim().split("\n").length, 10);
});

test("leaves the raw folders byte for byte as they were", () => {
  assert.deepEqual(folderHashes(join(root, "broken_audio")), rawBefore.broken);
  assert.deepEqual(folderHashes(join(root, "normal_audio")), rawBefore.normal);
});

test("predict classifies raw recordings chunk by chunk and reports a bad file without stopping", async () => {
  const preds = await predictFiles(
    config,
    [
      join(root, "broken_audio", "pump_b.wav"),
      join(root, "broken_audio", "notes.wav"),
      join(root, "normal_audio", "normal_1.wav"),
    ],
    new CollectingReporter(),
  );
  assert.equal(preds.length, 3);
  assert.equal(preds[0]!.chunkProbabilities.length, 2);
  assert.ok(["normal", "broken"].includes(preds[0]!.label!));
  assert.ok(preds[0]!.probability >= 0.5 && preds[0]!.probability <= 1);
  assert.equal(preds[1]!.label, null);
  assert.match(preds[1]!.error!, /notes\.wav/);
  assert.equal(preds[2]!.chunkProbabilities.length, 1);
});

test("the features command writes one file's [40][100] MFCC, or every frame with --frames all", async (t) => {
  const out = join(root, "one.npy");
  const file = join(root, "normal_audio", "normal_0.wav");
  t.mock.method(process.stdout, "write", () => true); // silence the CLI; restored when the test ends
  assert.equal(await main(["features", file, "--out", out, "--data", root]), 0);
  assert.deepEqual(loadNpy(out).shape, [40, 100]);
  assert.equal(await main(["features", file, "--out", out, "--frames", "all", "--data", root]), 0);
  assert.deepEqual(loadNpy(out).shape, [40, 1 + Math.floor(Math.ceil(3.2 * 22050) / 512)]);
});
