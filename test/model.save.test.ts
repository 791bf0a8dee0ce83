/**
 * Saving and loading the CNN in the tfjs folder format (src/model/save.ts), and backend selection.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_FEATURE_CONFIG } from "../src/config/features";
import { ConfigError, ShapeError } from "../src/errors";
import { selectBackend } from "../src/model/backend";
import { buildCnn } from "../src/model/cnn";
import { predictProbabilities } from "../src/model/predict";
import { loadCnn, saveCnn } from "../src/model/save";
import { syntheticMfccDataset } from "../src/model/synthetic";
import { trainCnn } from "../src/model/train";

before(async () => {
  await selectBackend("wasm");
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "soundcheck-model-"));
}

describe("saveCnn / loadCnn", () => {
  test("round-trips a trained model: the loaded one gives identical probabilities", async () => {
    const data = syntheticMfccDataset(32, { seed: 1 });
    const { model, history } = await trainCnn(data.x, data.y, data.shape, { epochs: 3, seed: 2 });
    const dir = tempDir();
    try {
      await saveCnn(model, dir, {
        classNames: ["normal", "abnormal"],
        features: { ...DEFAULT_FEATURE_CONFIG },
        history,
      });
      const before = predictProbabilities(model, data.x, 32);
      const loaded = await loadCnn(dir);
      const after = predictProbabilities(loaded.model, data.x, 32);
      assert.deepEqual(after, before);
      assert.deepEqual(loaded.metadata.classNames, ["normal", "abnormal"]);
      assert.deepEqual(loaded.metadata.features, DEFAULT_FEATURE_CONFIG);
      assert.deepEqual(loaded.metadata.history?.loss, history.loss);
      loaded.model.dispose();
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("writes the standard tfjs layout: model.json naming weights.bin, plus metadata.json, and no stray temporary files", async () => {
    const model = buildCnn({}, 3);
    const dir = tempDir();
    try {
      await saveCnn(model, dir, { classNames: ["a", "b"] });
      assert.deepEqual(readdirSync(dir).sort(), ["metadata.json", "model.json", "weights.bin"]);
      const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as tf.io.ModelJSON;
      assert.equal(json.format, "layers-model");
      assert.deepEqual(json.weightsManifest[0]?.paths, ["./weights.bin"]);
      const bytes = json.weightsManifest[0]?.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      assert.equal(readFileSync(join(dir, "weights.bin")).length, bytes);
      const meta = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8")) as Record<string, unknown>;
      assert.equal(meta["inputLayout"], "[batch][frames][nMfcc]");
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("refuses to save class names that do not match the model's outputs", async () => {
    const model = buildCnn();
    const dir = tempDir();
    try {
      await assert.rejects(saveCnn(model, dir, { classNames: ["only one"] }), ShapeError);
      assert.equal(existsSync(join(dir, "model.json")), false);
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("explains a folder without model.json", async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, "metadata.json"), JSON.stringify({ classNames: ["a", "b"] }));
      await assert.rejects(
        loadCnn(dir),
        (err: unknown) => err instanceof ConfigError && /model\.json/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("explains a missing weights file", async () => {
    const model = buildCnn();
    const dir = tempDir();
    try {
      await saveCnn(model, dir, { classNames: ["a", "b"] });
      rmSync(join(dir, "weights.bin"));
      await assert.rejects(
        loadCnn(dir),
        (err: unknown) => err instanceof ConfigError && /weights\.bin/.test(err.message),
      );
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface BackendOutcome {
  auto: string;
  active: string;
  notes: string[];
  demanded: { backend: string } | { error: string; configError: boolean };
}

/** selectBackend("auto") and ("tfjs-node") in a fresh Node process, optionally with a preload. */
function selectInChild(preload: string | null): BackendOutcome {
  const args = [
    ...(preload === null ? [] : ["--require", preload]),
    "--import",
    "tsx",
    join(__dirname, "helpers", "selectBackendChild.ts"),
  ];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: join(__dirname, ".."), timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as BackendOutcome;
}

/**
 * Whether @tensorflow/tfjs-node is usable on this machine, probed independently of selectBackend:
 * a fresh process loads the package and asks tfjs for the backend it registers. (In this
 * repository the name may resolve to danfojs-node's alias of plain @tensorflow/tfjs, which
 * registers nothing; a user may have installed the real package.)
 */
function tfjsNodeUsable(): boolean {
  const code =
    'const tf = require("@tensorflow/tfjs"); try { require("@tensorflow/tfjs-node"); } catch {} process.stdout.write(String(tf.findBackendFactory("tensorflow") !== null));';
  const r = spawnSync(process.execPath, ["-e", code], {
    encoding: "utf8",
    cwd: join(__dirname, ".."),
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() === "true";
}

describe("selectBackend", () => {
  const native = tfjsNodeUsable();

  test(`auto takes tfjs-node exactly when it is usable (probed on this machine: ${native ? "usable" : "not usable"})`, () => {
    const outcome = selectInChild(null);
    if (native) {
      assert.equal(outcome.auto, "tensorflow");
      assert.deepEqual(outcome.demanded, { backend: "tensorflow" });
    } else {
      assert.equal(outcome.auto, "wasm");
      assert.match(outcome.notes[0] ?? "", /^skipping tfjs-node: @tensorflow\/tfjs-node /);
      assert.ok("configError" in outcome.demanded && outcome.demanded.configError, JSON.stringify(outcome.demanded));
    }
    assert.equal(outcome.active, outcome.auto);
  });

  test("without tfjs-node (its require made to fail), auto falls back to wasm and says why; demanding it is a ConfigError", () => {
    const outcome = selectInChild(join(__dirname, "helpers", "hideTfjsNode.cjs"));
    assert.equal(outcome.auto, "wasm");
    assert.equal(outcome.active, "wasm");
    assert.match(
      outcome.notes[0] ?? "",
      /^skipping tfjs-node: @tensorflow\/tfjs-node is not installed or failed to load \(Cannot find module/,
    );
    assert.ok("configError" in outcome.demanded, "demanding tfjs-node must fail here");
    assert.equal(outcome.demanded.configError, true);
    assert.match(outcome.demanded.error, /tfjs-node.*install @tensorflow\/tfjs-node/);
  });

  test("prefers the 'tensorflow' backend once @tensorflow/tfjs-node has registered it", async () => {
    // stand-in for the real package: the cpu backend and its kernels under tfjs-node's name
    const cpuFactory = tf.findBackendFactory("cpu");
    assert.ok(cpuFactory !== null);
    tf.registerBackend("tensorflow", cpuFactory, 0);
    tf.copyRegisteredKernels("cpu", "tensorflow");
    try {
      assert.equal(await selectBackend("auto"), "tensorflow");
      assert.equal(await selectBackend("tfjs-node"), "tensorflow");
      // and training runs on it (explicit backprop uses only standard kernels)
      const data = syntheticMfccDataset(8, { seed: 4, frames: 20 });
      const { history } = await trainCnn(data.x, data.y, data.shape, { epochs: 1, batchSize: 4 });
      assert.equal(history.backend, "tensorflow");
    } finally {
      await selectBackend("wasm");
      tf.removeBackend("tensorflow");
    }
  });
});
