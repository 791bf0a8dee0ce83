/**
 * The CNN against PyTorch 1.13 (Debian's python3-torch, run by /usr/bin/python3 or $PYTHON through
 * scripts/reference/cnn_parity.py, whose network is scripts/reference/thesis_cnn.py): from the
 * same initial weights and data, our logits, loss, all 8 gradients and the parameters after each
 * of 3 full-batch Adam steps equal PyTorch's, and a 20-epoch full-batch run follows PyTorch's loss
 * curve; the variant with global max pooling over time (timePooling "global-max", PyTorch's
 * AdaptiveMaxPool1d(1)) gives PyTorch's logits, gradients and 3 Adam steps to the same tolerances.
 * Weights and data go through .npy files in a temporary folder, converted between the two
 * layouts by src/model/torchLayout.ts.
 *
 * Tolerances, with what was measured (wasm backend against torch 1.13.1 CPU, float32 on both
 * sides; "error" = largest |ours - torch| over a tensor / the tensor's largest |torch|):
 *   logits 1e-5 (measured 3.0e-7); loss 1e-5 relative (3.6e-8); the 8 gradients 1e-4 (1.4e-6);
 *   Adam alone, PyTorch's gradients of steps 1-3 fed to our optimizer: 1e-6 (2.0e-7, i.e. float32
 *   rounding; epsilon 1e-7 instead of 1e-8 gives 1.4e-2 and fails);
 *   the trainer's parameters after 1-3 steps: 0.02 learning rates absolute (7.1e-3 lr);
 *   the 20-epoch loss curve on 300 clips 1e-4 absolute (4.3e-6).
 * The trainer's parameters are bounded in units of the learning rate because Adam divides each
 * gradient by its own root mean square: an element whose gradient is near epsilon (8.5e-9 in the
 * worst case here, against a largest gradient of 3e-2) moves by a fraction of lr that float32
 * rounding of that tiny gradient changes by ~1 %. Over many steps such differences compound (and
 * ReLUs at the edge switch), so after 20 epochs only the loss curve is compared: the parameters
 * then differ by up to 0.4 lr from PyTorch's, and by up to 14 lr between two of our own runs
 * that only sum the same gradient in micro-batches of 7 instead of 128 rows.
 */
import { before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadNpyFloat32, saveNpy } from "../src/data/npy";
import { FlatAdam } from "../src/model/adam";
import { selectBackend } from "../src/model/backend";
import { cnnBackprop } from "../src/model/backprop";
import { buildCnn, type CnnConfig, THESIS_CNN, toModelInput } from "../src/model/cnn";
import {
  explicitSummedGradients,
  microBatchGradient,
  microBatchRanges,
  OrderedGradientSum,
} from "../src/model/microBatches";
import { predictLogitsModelLayout } from "../src/model/predict";
import { syntheticMfccDataset, type SyntheticDataset } from "../src/model/synthetic";
import { fromTorchLayout, type LayoutTensor, toTorchLayout } from "../src/model/torchLayout";
import { THESIS_TRAINING, trainCnn } from "../src/model/train";

const PYTHON =
  process.env["PYTHON"] !== undefined && process.env["PYTHON"] !== ""
    ? process.env["PYTHON"]
    : existsSync("/usr/bin/python3")
      ? "/usr/bin/python3"
      : "python3";
const SCRIPT = join(__dirname, "..", "scripts", "reference", "cnn_parity.py");
const LEARNING_RATE = THESIS_TRAINING.learningRate;

const TOLERANCE = { logits: 1e-5, loss: 1e-5, gradient: 1e-4, adam: 1e-6, parametersInLr: 2e-2, lossCurve: 1e-4 };

/** Why PyTorch cannot run here (with how to install it), or null. */
function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import torch, numpy; print(torch.__version__)"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status === 0) return null;
  const why = r.error?.message ?? r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`;
  return `PyTorch is not importable by ${PYTHON} (${why}). Install it: apt-get install python3-torch python3-numpy (Debian 12, torch 1.13), or set PYTHON to a python with torch and numpy.`;
}

let missing: string | null = null;
before(async () => {
  await selectBackend("wasm");
  missing = torchMissing();
});

/** Fail loudly (never skip) when PyTorch is missing: the parity is part of what the suite checks. */
function requireTorch(): void {
  if (missing !== null) assert.fail(missing);
}

function weightsOf(model: tf.LayersModel): LayoutTensor[] {
  return model
    .getWeights()
    .map((w) => ({ shape: [...w.shape], data: Float32Array.from(w.dataSync() as Float32Array) }));
}

/** Write data and our initial weights (PyTorch layout) to `dir`, run cnn_parity.py there. */
interface TorchRun {
  /** Loss before each step. */
  losses: number[];
  torch: string;
  /** Largest |value| of each parameter of a fresh PyTorch-initialised network. */
  initMaxAbs: number[];
}

function runTorch(
  dir: string,
  data: SyntheticDataset,
  init: LayoutTensor[],
  steps: number,
  record: number,
  config: CnnConfig = THESIS_CNN,
): TorchRun {
  saveNpy(join(dir, "x.npy"), { dtype: "<f4", shape: data.shape, data: data.x });
  saveNpy(join(dir, "y.npy"), {
    dtype: "<i8",
    shape: [data.y.length],
    data: BigInt64Array.from(data.y, (v) => BigInt(v)),
  });
  toTorchLayout(init, config).forEach((p, i) =>
    saveNpy(join(dir, `init_${i}.npy`), { dtype: "<f4", shape: p.shape, data: p.data }),
  );
  const r = spawnSync(
    PYTHON,
    [
      SCRIPT,
      ...["--dir", dir, "--steps", String(steps), "--record", String(record), "--lr", String(LEARNING_RATE)],
      ...(config.timePooling === "global-max" ? ["--global-max"] : []),
    ],
    { encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(r.status, 0, `${SCRIPT} failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as TorchRun;
}

/** PyTorch's 8 tensors `<prefix>_0.npy` .. `<prefix>_7.npy` from `dir`. */
function torchTensors(dir: string, prefix: string): LayoutTensor[] {
  return Array.from({ length: 8 }, (_, i) => {
    const a = loadNpyFloat32(join(dir, `${prefix}_${i}.npy`));
    return { shape: a.shape, data: a.data };
  });
}

/** max |a - b| / max |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return err / Math.max(scale, 1e-30);
}

function maxAbsError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
  return err;
}

/** Compare our weights (converted to PyTorch's layout) with PyTorch's, tensor by tensor. */
function compareTensors(
  t: TestContext,
  what: string,
  ours: LayoutTensor[],
  theirs: LayoutTensor[],
  measure: (a: Float32Array, b: Float32Array) => number,
  tolerance: number,
  config: CnnConfig = THESIS_CNN,
): void {
  const mine = toTorchLayout(ours, config);
  const errors = mine.map((m, i) => {
    const ref = theirs[i] as LayoutTensor;
    assert.deepEqual(m.shape, ref.shape, `${what} ${i}: shape`);
    return measure(m.data, ref.data);
  });
  t.diagnostic(
    `${what}: worst error ${Math.max(...errors).toExponential(2)} (tolerance ${tolerance.toExponential(0)}), per tensor ${errors.map((e) => e.toExponential(1)).join(" ")}`,
  );
  errors.forEach((e, i) => assert.ok(e <= tolerance, `${what}, tensor ${i}: error ${e} > ${tolerance}`));
}

/** The trainer's losses and parameters after 1, 2 and 3 full-batch Adam steps against PyTorch's (runTorch). */
async function compareTrainerSteps(
  t: TestContext,
  dir: string,
  data: SyntheticDataset,
  seed: number,
  torchLosses: number[],
  config: CnnConfig = THESIS_CNN,
): Promise<void> {
  for (let k = 1; k <= 3; k++) {
    const options = { ...THESIS_TRAINING, epochs: k, seed, workers: 1, cnn: { timePooling: config.timePooling } };
    const run = await trainCnn(data.x, data.y, data.shape, options);
    const lossCurve = run.history.loss.map((l, i) => Math.abs(l - (torchLosses[i] as number)));
    assert.ok(
      Math.max(...lossCurve) <= TOLERANCE.loss * (torchLosses[0] as number),
      `losses ${run.history.loss.join(", ")} vs ${torchLosses.join(", ")}`,
    );
    compareTensors(
      t,
      `parameters after ${k} Adam step${k > 1 ? "s" : ""} (in units of lr)`,
      weightsOf(run.model),
      torchTensors(dir, `step${k}`),
      (a, b) => maxAbsError(a, b) / LEARNING_RATE,
      TOLERANCE.parametersInLr,
      config,
    );
    run.model.dispose();
  }
}

describe("the CNN against PyTorch 1.13", () => {
  test("converts weights to PyTorch's layout and back unchanged", () => {
    const model = buildCnn({}, 9);
    const ours = weightsOf(model);
    const back = fromTorchLayout(toTorchLayout(ours));
    back.forEach((w, i) => {
      assert.deepEqual(w.shape, ours[i]?.shape);
      assert.deepEqual(w.data, ours[i]?.data);
    });
    model.dispose();
  });

  test("gives PyTorch's logits, loss, 8 gradients and parameters after 1, 2 and 3 Adam steps", async (t) => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), "soundcheck-torch-parity-"));
    try {
      const seed = 3;
      const data = syntheticMfccDataset(8, { seed: 21, separation: 1 });
      const model = buildCnn({}, seed);
      const init = weightsOf(model);
      const torch = runTorch(dir, data, init, 3, 3);
      t.diagnostic(`torch ${torch.torch}, losses ${torch.losses.join(", ")}`);

      // initialisation: our seeded draws and PyTorch's follow the same U(±1/√fanIn) for every
      // weight and bias (fanIn = in*kernel for a convolution; our values are not
      // torch.manual_seed's, so the comparisons below start from ours)
      const torchInit = toTorchLayout(init);
      torchInit.forEach((p, i) => {
        const weightShape = (torchInit[i - (i % 2)] as LayoutTensor).shape;
        const bound = 1 / Math.sqrt(weightShape.slice(1).reduce((a, b) => a * b, 1));
        const ours = p.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const theirs = torch.initMaxAbs[i] as number;
        assert.ok(
          theirs <= bound * (1 + 1e-6) && ours <= bound * (1 + 1e-6),
          `parameter ${i}: largest |initial value| ${ours} (PyTorch ${theirs}) exceeds 1/√fanIn = ${bound}`,
        );
        if (p.data.length >= 64)
          assert.ok(
            theirs >= 0.9 * bound && ours >= 0.9 * bound,
            `parameter ${i}: largest |initial value| ${ours} (PyTorch ${theirs}) far below 1/√fanIn = ${bound}`,
          );
      });

      // logits at the initial weights
      const logits = predictLogitsModelLayout(model, toModelInput(data.x, 8, 40, 100), 8);
      const logitsError = relativeError(logits, loadNpyFloat32(join(dir, "logits.npy")).data);
      t.diagnostic(`logits: error ${logitsError.toExponential(2)} (tolerance ${TOLERANCE.logits})`);
      assert.ok(logitsError <= TOLERANCE.logits, `logits error ${logitsError}`);

      // loss and gradients as training computes them: micro-batches (of 3 here, so that several
      // are summed), float64 sum in order, one division
      const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const gradients = explicitSummedGradients(cnnBackprop(model));
      const ranges = microBatchRanges(8, 3);
      const sum = new OrderedGradientSum(variables.reduce((a, v) => a + v.size, 0));
      const buffer = new Float32Array(3 * 4000);
      const rows = Int32Array.from({ length: 8 }, (_, i) => i);
      ranges.forEach(([from, to], k) =>
        sum.add(
          k,
          microBatchGradient(gradients, data.x, 40, 100, rows.subarray(from, to), data.y.subarray(from, to), buffer),
        ),
      );
      const step = sum.mean(ranges.length);
      const lossError = Math.abs(step.loss - (torch.losses[0] as number)) / (torch.losses[0] as number);
      t.diagnostic(`loss ${step.loss} vs ${torch.losses[0]}: relative error ${lossError.toExponential(2)}`);
      assert.ok(lossError <= TOLERANCE.loss, `loss ${step.loss} vs PyTorch ${torch.losses[0]}`);
      let at = 0;
      const grads = variables.map((v) => {
        const g = { shape: [...v.shape], data: step.grad.slice(at, at + v.size) };
        at += v.size;
        return g;
      });
      compareTensors(t, "gradients", grads, torchTensors(dir, "grad1"), relativeError, TOLERANCE.gradient);

      // Adam alone: PyTorch's own gradients of steps 1-3 fed to our optimizer give PyTorch's
      // parameters to float32 rounding (epsilon, bias correction and update order are checked here,
      // where the gradients' rounding cannot hide or mimic a difference)
      const adam = new FlatAdam(variables, {
        learningRate: LEARNING_RATE,
        beta1: THESIS_TRAINING.adamBeta1,
        beta2: THESIS_TRAINING.adamBeta2,
        epsilon: THESIS_TRAINING.adamEpsilon,
      });
      for (let k = 1; k <= 3; k++) {
        const torchGrads = fromTorchLayout(torchTensors(dir, `grad${k}`));
        const flat = new Float32Array(adam.size);
        let offset = 0;
        for (const g of torchGrads) {
          flat.set(g.data, offset);
          offset += g.data.length;
        }
        adam.stepFlat(flat);
        compareTensors(
          t,
          `Adam step ${k} on PyTorch's gradients`,
          weightsOf(model),
          torchTensors(dir, `step${k}`),
          relativeError,
          TOLERANCE.adam,
        );
      }
      adam.dispose();
      model.dispose();

      // the parameters after 1, 2, 3 full-batch Adam steps of the trainer itself
      await compareTrainerSteps(t, dir, data, seed, torch.losses);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("with global max pooling over time (AdaptiveMaxPool1d(1)): PyTorch's logits, gradients and 3 Adam steps", async (t) => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), "soundcheck-torch-parity-"));
    try {
      const seed = 4;
      const config: CnnConfig = { ...THESIS_CNN, timePooling: "global-max" };
      const data = syntheticMfccDataset(8, { seed: 22, separation: 1 });
      const model = buildCnn(config, seed);
      const init = weightsOf(model);
      assert.deepEqual(init[4]?.shape, [32, 64]);
      const torch = runTorch(dir, data, init, 3, 3, config);
      const logits = predictLogitsModelLayout(model, toModelInput(data.x, 8, 40, 100), 8);
      const logitsError = relativeError(logits, loadNpyFloat32(join(dir, "logits.npy")).data);
      t.diagnostic(`logits: error ${logitsError.toExponential(2)} (tolerance ${TOLERANCE.logits})`);
      assert.ok(logitsError <= TOLERANCE.logits, `logits error ${logitsError}`);
      const x = tf.tensor3d(toModelInput(data.x, 8, 40, 100), [8, 100, 40]);
      const step = cnnBackprop(model)(x, data.y);
      const grads = step.grads.map((g) => ({ shape: [...g.shape], data: Float32Array.from(g.dataSync()) }));
      compareTensors(t, "gradients", grads, torchTensors(dir, "grad1"), relativeError, TOLERANCE.gradient, config);
      tf.dispose([x, ...step.grads]);
      model.dispose();
      await compareTrainerSteps(t, dir, data, seed, torch.losses, config);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("follows PyTorch's loss curve over a 20-epoch full-batch training run", async (t) => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), "soundcheck-torch-parity-"));
    try {
      const seed = 7;
      // 300 clips: the trainer sums 3 micro-batches per step (MICRO_BATCH_ROWS = 128)
      const data = syntheticMfccDataset(300, { seed: 5, separation: 1 });
      const init = buildCnn({}, seed);
      const torch = runTorch(dir, data, weightsOf(init), 20, 0);
      init.dispose();
      const run = await trainCnn(data.x, data.y, data.shape, { ...THESIS_TRAINING, epochs: 20, seed, workers: 1 });
      const ours = run.history.loss;
      const errors = ours.map((l, i) => Math.abs(l - (torch.losses[i] as number)));
      t.diagnostic(
        `loss curve: ours ${ours[0]?.toFixed(5)} -> ${ours[19]?.toFixed(5)}, PyTorch ${torch.losses[0]?.toFixed(5)} -> ${torch.losses[19]?.toFixed(5)}, worst |difference| ${Math.max(...errors).toExponential(2)}`,
      );
      assert.ok(
        (torch.losses[19] as number) < 0.8 * (torch.losses[0] as number),
        "the run learns (else the comparison says little)",
      );
      errors.forEach((e, i) =>
        assert.ok(e <= TOLERANCE.lossCurve, `epoch ${i + 1}: loss ${ours[i]} vs PyTorch ${torch.losses[i]}`),
      );
      run.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
