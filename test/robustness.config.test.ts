import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";
import { thesisConfig, type PipelineConfig } from "../src/config/pipeline";
import { assertSafeLayout } from "../src/data/dataset";
import { ConfigError, ShapeError } from "../src/errors";
import { buildCnn } from "../src/model/cnn";
import { saveCnn } from "../src/model/save";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import { augmentAndExtract } from "../src/pipeline/stages/augmentAndExtract";
import { predictFiles } from "../src/pipeline/predict";
import { CollectingReporter } from "../src/util/reporter";
import { folderHashes, makeTinyDataset } from "./helpers/tinyDataset";

// Configuration mistakes stop a stage before it touches anything, with a message that names the
// setting or folder and says what to do. (A missing raw folder: test/config.test.ts and
// test/cli.test.ts.)

const work = mkdtempSync(join(tmpdir(), "soundcheck-config-mistakes-"));
after(() => rmSync(work, { recursive: true, force: true }));
let count = 0;

function dataset(): PipelineConfig {
  const root = join(work, `root-${count++}`);
  makeTinyDataset(root);
  const config = thesisConfig(root);
  config.dataRoot = root;
  config.workers = 1;
  return config;
}

test("an empty class folder stops clean with a ConfigError naming the folder and the fix, before anything is emptied", async () => {
  const config = dataset();
  for (const f of readdirSync(join(config.dataRoot, "normal_audio"))) rmSync(join(config.dataRoot, "normal_audio", f));
  writeFileSync(join(config.dataRoot, "normal_audio", "readme.txt"), "recordings go here");
  mkdirSync(join(config.dataRoot, "broken_audio_samples"));
  writeFileSync(join(config.dataRoot, "broken_audio_samples", "from last run.wav"), "old");
  await assert.rejects(cleanAndSample(config, new CollectingReporter()), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.subject, join(config.dataRoot, "normal_audio"));
    assert.match(
      err.message,
      /holds no audio files for class "normal"\. add recordings \(WAV, FLAC, MP3 or OGG\) to it/,
    );
    return true;
  });
  assert.ok(existsSync(join(config.dataRoot, "broken_audio_samples", "from last run.wav")));
});

for (const [setting, value, message] of [
  [
    "processed",
    "broken_audio",
    /generated folder layout\.processed overlaps the raw folder .*broken_audio; refusing.*give generated and raw folders different names/,
  ],
  [
    "brokenSamples",
    "normal_audio/samples",
    /generated folder layout\.brokenSamples overlaps the raw folder .*normal_audio/,
  ],
  [
    "normalSamples",
    "../elsewhere",
    /generated folder layout\.normalSamples is not inside the data root .*set it to a folder name inside the data root/,
  ],
] as const) {
  test(`an output folder set to "${value}" is refused by clean and preprocess before anything is written`, async () => {
    const config = dataset();
    config.layout[setting] = value;
    const raw = {
      broken: folderHashes(join(config.dataRoot, "broken_audio")),
      normal: folderHashes(join(config.dataRoot, "normal_audio")),
    };
    const before = readdirSync(config.dataRoot).sort();
    await assert.rejects(
      cleanAndSample(config, new CollectingReporter()),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
    await assert.rejects(
      augmentAndExtract(config, new CollectingReporter()),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
    assert.deepEqual(folderHashes(join(config.dataRoot, "broken_audio")), raw.broken);
    assert.deepEqual(folderHashes(join(config.dataRoot, "normal_audio")), raw.normal);
    assert.deepEqual(readdirSync(config.dataRoot).sort(), before);
    assert.equal(existsSync(join(config.dataRoot, "..", "elsewhere")), false);
  });
}

test("a generated folder that is a symbolic link to a raw folder is refused", () => {
  const config = dataset();
  symlinkSync("broken_audio", join(config.dataRoot, "processed_data"));
  assert.throws(
    () => assertSafeLayout(config),
    (err: unknown) => err instanceof ConfigError && /layout\.processed overlaps the raw folder/.test(err.message),
  );
});

test("a model or reports folder inside a raw folder is refused", () => {
  const config = dataset();
  config.modelDir = join(config.dataRoot, "broken_audio", "model");
  assert.throws(
    () => assertSafeLayout(config),
    (err: unknown) =>
      err instanceof ConfigError &&
      /modelDir is in the raw folder .*point modelDir outside the raw folders/.test(err.message),
  );
  const reports = dataset();
  reports.reportsDir = join(reports.dataRoot, "normal_audio");
  assert.throws(
    () => assertSafeLayout(reports),
    (err: unknown) => err instanceof ConfigError && /reportsDir is in the raw folder/.test(err.message),
  );
});

test("a saved model whose feature shape differs from the configured features is refused with a ShapeError saying what to do", async () => {
  const config = dataset();
  config.modelDir = join(config.dataRoot, "model");
  await saveCnn(buildCnn({ nMfcc: 40, frames: 100 }, 1), config.modelDir, {
    classNames: ["normal", "broken"],
    features: { ...DEFAULT_FEATURE_CONFIG },
  });
  config.features.nMfcc = 20;
  await assert.rejects(
    predictFiles(config, [join(config.dataRoot, "normal_audio", "normal_0.wav")], new CollectingReporter()),
    (err: unknown) => {
      assert.ok(err instanceof ShapeError, String(err));
      assert.equal(err.subject, config.modelDir);
      assert.match(
        err.message,
        /the model takes \[40\]\[100\] MFCC matrices but the features are \[20\]\[100\]\. extract features with the model's settings \(see its metadata\.json\) or train a new model/,
      );
      return true;
    },
  );
});
