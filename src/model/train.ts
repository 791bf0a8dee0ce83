/**
 * Training the CNN: full-batch as in the thesis, or mini-batches with a validation split and
 * early stopping. Deterministic under `seed` on a given backend (initial weights, validation split
 * and shuffling all come from it; floating-point results can differ between backends), and
 * independent of the number of worker threads: every step's gradient is summed over fixed
 * micro-batches in a fixed order (microBatches.ts), which also bounds the memory a step needs.
 */
import * as tf from "@tensorflow/tfjs";
import { ConfigError, ShapeError } from "../errors";
import { SeededRandom } from "../util/random";
import { FlatAdam, PYTORCH_ADAM } from "./adam";
import { type BackendPreference, ensureBackend } from "./backend";
import { cnnBackprop, cnnBackpropUnsupported } from "./backprop";
import { buildCnn, type CnnConfig, THESIS_CNN } from "./cnn";
import { backendPreferenceOf, GradientWorkers, resolveTrainWorkers } from "./dataParallel";
import {
  explicitSummedGradients,
  gatherModelRows,
  MICRO_BATCH_ROWS,
  microBatchGradient,
  microBatchRanges,
  modelInputTensor,
  OrderedGradientSum,
  tapeSummedGradients,
} from "./microBatches";
import { lossAndAccuracy, PREDICT_CHUNK, predictLogitsModelLayout } from "./predict";

export interface TrainOptions {
  /** Passes over the training set. */
  epochs: number;
  /** Clips per gradient step; "full" = the whole training set in one step (the thesis). */
  batchSize: number | "full";
  /** Adam step size (PyTorch default 1e-3). */
  learningRate: number;
  /** Adam β1, β2, ε (PyTorch defaults 0.9, 0.999, 1e-8). */
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  /** Seed for initial weights, the validation split and the shuffling. */
  seed: number;
  /** Reshuffle the training clips every epoch (mini-batches only). */
  shuffle: boolean;
  /** Fraction of the clips held out for validation, in [0, 1); chosen by a seeded shuffle. */
  validationSplit: number;
  /**
   * The clips to hold out for validation, by index (e.g. whole recordings chosen by a grouped
   * split); when given, validationSplit is ignored.
   */
  validationIndices?: readonly number[] | Int32Array;
  /**
   * The clips to train on, by index, in training order; repeats allowed (e.g. a class oversampled
   * without copying its rows). When given, validationSplit is ignored and only
   * validationIndices (if any) validate. Default: every clip not held out for validation.
   */
  trainIndices?: readonly number[] | Int32Array;
  /** Stop after this many epochs without a lower validation loss; null = never stop early. */
  earlyStoppingPatience: number | null;
  /** With early stopping: put back the weights of the epoch with the lowest validation loss. */
  restoreBestWeights: boolean;
  /** Call onEpoch every this many epochs (and after the last one). */
  reportEvery: number;
  /** Architecture overrides; nMfcc and frames always come from the data's shape. */
  cnn: Partial<CnnConfig>;
  /**
   * Backend to train on (see selectBackend): "auto" keeps the one already selected in this
   * process, or picks the fastest available; any other value selects that backend.
   */
  backend: BackendPreference;
  /**
   * How gradients are computed: "explicit" (backprop.ts: hand-written backward pass, several
   * times fewer kernel calls, the default) or "tape" (tfjs autodiff through the tf.layers model;
   * the reference, slower at small batches). Both give the same gradients to float32 rounding.
   * "explicit" falls back to "tape" for architectures backprop.ts does not cover (even kernels).
   */
  gradients: "explicit" | "tape";
  /**
   * Rows per micro-batch: each step's gradient is summed over consecutive micro-batches of this
   * many rows in a fixed order (microBatches.ts), so only one micro-batch's activations exist at a
   * time per thread. Another size changes the weights at float32 rounding level.
   */
  microBatch: number;
  /**
   * Threads computing each step's micro-batches data-parallel (see dataParallel.ts): 1 = all on
   * this thread; n > 1 = this thread and n - 1 workers sharing the clips. The weights are byte-identical for
   * every n. null = automatic: one per core (at most 4) on the wasm and cpu backends, unless the
   * run is too small to repay starting them (under ~4096 clip-epochs) or a step is one
   * micro-batch. Needs the explicit backward pass (1 with "tape").
   */
  workers: number | null;
}

/** The thesis: full-batch Adam(1e-3), 50 epochs, loss reported every 10 epochs, no validation. */
export const THESIS_TRAINING: Readonly<TrainOptions> = Object.freeze({
  epochs: 50,
  batchSize: "full",
  learningRate: PYTORCH_ADAM.learningRate,
  adamBeta1: PYTORCH_ADAM.beta1,
  adamBeta2: PYTORCH_ADAM.beta2,
  adamEpsilon: PYTORCH_ADAM.epsilon,
  seed: 0,
  shuffle: false,
  validationSplit: 0,
  earlyStoppingPatience: null,
  restoreBestWeights: false,
  reportEvery: 10,
  cnn: {},
  backend: "auto",
  gradients: "explicit",
  microBatch: MICRO_BATCH_ROWS,
  workers: null,
} as TrainOptions);

/** Mini-batches of 32, 20 % validation, early stopping with patience 5 (best weights restored). */
export const MINIBATCH_TRAINING: Readonly<TrainOptions> = Object.freeze({
  ...THESIS_TRAINING,
  batchSize: 32,
  shuffle: true,
  validationSplit: 0.2,
  earlyStoppingPatience: 5,
  restoreBestWeights: true,
  reportEvery: 1,
} as TrainOptions);

export const TRAINING_PRESETS = Object.freeze({ thesis: THESIS_TRAINING, minibatch: MINIBATCH_TRAINING });
export type TrainingPreset = keyof typeof TRAINING_PRESETS;

/** What onEpoch receives. Losses are mean softmax cross-entropy in nats. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch's steps, each taken before its update (as PyTorch's loss.item()). */
  loss: number;
  /** Training accuracy from the same forward passes, in [0, 1]. */
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Wall-clock seconds this epoch took (including validation). */
  seconds: number;
}

/** Per-epoch curves (index 0 = epoch 1) and how training ended. */
export interface TrainHistory {
  loss: number[];
  accuracy: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  epochSeconds: number[];
  /** 1-based epoch whose weights the model holds (the last one unless best weights were restored). */
  weightsFromEpoch: number;
  stoppedEarly: boolean;
  /** tfjs backend that trained: "tensorflow", "wasm" or "cpu". */
  backend: string;
  /** Clips used for training and validation. */
  trainCount: number;
  valCount: number;
  /** Threads that computed the gradients: 1 = the main thread, n > 1 = n data-parallel workers. */
  workers: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: TrainHistory;
}

/** Labels as class indices 0..nClasses-1. */
export type TrainLabels = Int32Array | Uint8Array | Int8Array | Int16Array | readonly number[];

function checkOptions(o: TrainOptions): void {
  const bad = (setting: string, problem: string, fix: string): never => {
    throw new ConfigError(`training.${setting}`, problem, fix);
  };
  if (!Number.isInteger(o.epochs) || o.epochs < 1)
    bad("epochs", `must be a positive integer, got ${o.epochs}`, "set epochs >= 1");
  if (o.batchSize !== "full" && (!Number.isInteger(o.batchSize) || o.batchSize < 1))
    bad("batchSize", `must be a positive integer or "full", got ${o.batchSize}`, "use e.g. 32");
  if (!(o.learningRate > 0)) bad("learningRate", `must be > 0, got ${o.learningRate}`, "use 0.001");
  if (!(o.validationSplit >= 0 && o.validationSplit < 1))
    bad("validationSplit", `must be in [0, 1), got ${o.validationSplit}`, "use e.g. 0.2, or 0 for none");
  if (o.earlyStoppingPatience !== null && (!Number.isInteger(o.earlyStoppingPatience) || o.earlyStoppingPatience < 1)) {
    bad("earlyStoppingPatience", `must be a positive integer or null, got ${o.earlyStoppingPatience}`, "use e.g. 5");
  }
  if (o.earlyStoppingPatience !== null && o.validationSplit === 0 && (o.validationIndices?.length ?? 0) === 0)
    bad(
      "earlyStoppingPatience",
      "early stopping needs validation data",
      "set validationSplit > 0 or earlyStoppingPatience to null",
    );
  if (!Number.isInteger(o.reportEvery) || o.reportEvery < 1)
    bad("reportEvery", `must be a positive integer, got ${o.reportEvery}`, "use 1 or 10");
  if (!Number.isInteger(o.microBatch) || o.microBatch < 1)
    bad("microBatch", `must be a positive integer, got ${o.microBatch}`, `use ${MICRO_BATCH_ROWS}`);
  if (o.workers !== null && (!Number.isInteger(o.workers) || o.workers < 1))
    bad(
      "workers",
      `must be a positive integer or null, got ${o.workers}`,
      "use 1 for one thread, or null for one per core",
    );
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Train a fresh CNN.
 *
 * @param x  MFCC matrices `[count][nMfcc][frames]`, flat (the feature stage's channels-first layout);
 *   read in place, a micro-batch at a time. Worker threads share it directly when it lies in a
 *   SharedArrayBuffer (as the train stage loads it), else they get one shared copy.
 * @param y  class index per clip, `[count]`
 * @param shape  `[count, nMfcc, frames]`
 * @param options  a preset (THESIS_TRAINING, MINIBATCH_TRAINING) with overrides; missing fields
 *   come from THESIS_TRAINING
 * @param onEpoch  progress, every `reportEvery` epochs and after the last
 */
export async function trainCnn(
  x: Float32Array,
  y: TrainLabels,
  shape: readonly number[],
  options: Partial<TrainOptions> = {},
  onEpoch?: (log: EpochLog) => void,
): Promise<TrainResult> {
  const o: TrainOptions = { ...THESIS_TRAINING, ...options };
  checkOptions(o);
  if (shape.length !== 3)
    throw new ShapeError(
      "features",
      `expected shape [count, nMfcc, frames], got [${shape.join(", ")}]`,
      "pass the .npy shape of the MFCC array",
    );
  const [count, nMfcc, frames] = shape as [number, number, number];
  if (y.length !== count)
    throw new ShapeError("labels", `${y.length} labels for ${count} clips`, "pass one label per clip");
  const nClasses = o.cnn.nClasses ?? THESIS_CNN.nClasses;
  const labels = Int32Array.from(y as ArrayLike<number>);
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= nClasses) {
      throw new ShapeError(
        "labels",
        `label ${label} of clip ${i} is not a class index in [0, ${nClasses})`,
        "encode classes as 0..nClasses-1",
      );
    }
  });

  // Split: a seeded permutation; the first valCount clips validate, the rest train.
  const rng = new SeededRandom(o.seed ^ 0x5eed);
  let valIdx: number[];
  let trainIdx: number[];
  const checkIndex = (setting: string, i: number): void => {
    if (!Number.isInteger(i) || i < 0 || i >= count)
      throw new ShapeError(`training.${setting}`, `index ${i} is not a clip in [0, ${count})`, "pass indices of clips");
  };
  if (o.trainIndices !== undefined) {
    trainIdx = Array.from(o.trainIndices);
    valIdx = Array.from(o.validationIndices ?? []);
    trainIdx.forEach((i) => checkIndex("trainIndices", i));
    valIdx.forEach((i) => checkIndex("validationIndices", i));
  } else if (o.validationIndices !== undefined) {
    const held = new Uint8Array(count);
    for (const i of o.validationIndices) {
      if (!Number.isInteger(i) || i < 0 || i >= count)
        throw new ShapeError(
          "training.validationIndices",
          `index ${i} is not a clip in [0, ${count})`,
          "pass indices of the clips to hold out",
        );
      held[i] = 1;
    }
    valIdx = [];
    trainIdx = [];
    held.forEach((h, i) => (h === 1 ? valIdx : trainIdx).push(i));
  } else {
    const all = Array.from({ length: count }, (_, i) => i);
    const nVal = o.validationSplit > 0 ? Math.max(1, Math.round(count * o.validationSplit)) : 0;
    if (nVal > 0) rng.shuffle(all);
    valIdx = all.slice(0, nVal).sort((a, b) => a - b);
    trainIdx = all.slice(nVal).sort((a, b) => a - b);
  }
  const valCount = valIdx.length;
  if (trainIdx.length === 0)
    throw new ConfigError(
      "training.validationSplit",
      `no clips left to train on (${count} clips, ${valCount} held out)`,
      "lower validationSplit or add data",
    );

  const backend = await ensureBackend(o.backend);
  const cnn: CnnConfig = { ...THESIS_CNN, ...o.cnn, nMfcc, frames };
  const model = buildCnn(cnn, o.seed);
  try {
    const history = await fit(
      model,
      backend,
      o,
      { x, labels, count, nMfcc, frames, trainIdx, valIdx, rng, cnn },
      onEpoch,
    );
    return { model, history };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

interface FitData {
  x: Float32Array;
  labels: Int32Array;
  count: number;
  nMfcc: number;
  frames: number;
  trainIdx: number[];
  valIdx: number[];
  rng: SeededRandom;
  /** The model's full architecture (for the workers to build the same one). */
  cnn: CnnConfig;
}

/** The training loop proper, on a freshly built model. */
async function fit(
  model: tf.LayersModel,
  backend: string,
  o: TrainOptions,
  data: FitData,
  onEpoch?: (log: EpochLog) => void,
): Promise<TrainHistory> {
  const { x, labels, nMfcc, frames, trainIdx, valIdx, rng } = data;
  const nClasses = model.outputs[0]?.shape[1] as number;
  const valCount = valIdx.length;
  const per = nMfcc * frames;
  const valY = Int32Array.from(valIdx, (i) => labels[i] as number);

  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const adam = new FlatAdam(variables, {
    learningRate: o.learningRate,
    beta1: o.adamBeta1,
    beta2: o.adamBeta2,
    epsilon: o.adamEpsilon,
  });
  const batch = o.batchSize === "full" ? trainIdx.length : Math.min(o.batchSize, trainIdx.length);
  const fullBatch = batch === trainIdx.length;
  const order = trainIdx.slice();
  // scratch for one micro-batch (or one validation chunk) in the model's layout
  const buffer = new Float32Array(Math.max(Math.min(o.microBatch, batch), Math.min(PREDICT_CHUNK, valCount)) * per);

  // explicit backprop covers buildCnn's architecture with odd kernels; anything else uses the tape
  const explicit = o.gradients === "explicit" && cnnBackpropUnsupported(model) === null;
  const backprop = explicit ? cnnBackprop(model) : null;
  const gradients = backprop !== null ? explicitSummedGradients(backprop) : tapeSummedGradients(model, variables);
  const workers = resolveTrainWorkers(o.workers, {
    backend,
    explicitGradients: explicit,
    trainCount: trainIdx.length,
    batch,
    microBatch: o.microBatch,
    epochs: o.epochs,
  });

  const history: TrainHistory = {
    loss: [],
    accuracy: [],
    epochSeconds: [],
    weightsFromEpoch: 0,
    stoppedEarly: false,
    backend,
    trainCount: trainIdx.length,
    valCount,
    workers,
  };
  if (valCount > 0) {
    history.valLoss = [];
    history.valAccuracy = [];
  }
  let best = { loss: Infinity, epoch: 0, weights: null as Float32Array[] | null };
  let sinceBest = 0;
  let pool: GradientWorkers | null = null;
  /**
   * One Adam step on `rows`: the mean gradient summed over micro-batches in order. A step of one
   * micro-batch runs on this thread whatever the worker count (so its result cannot depend on it)
   * and keeps its gradient on the backend: the backward pass of the mean loss, straight into Adam.
   */
  const step = async (rows: Int32Array): Promise<{ loss: number; correct: number }> => {
    const rowLabels = (part: Int32Array): Int32Array => Int32Array.from(part, (r) => labels[r] as number);
    if (backprop !== null && rows.length <= o.microBatch) {
      const xb = modelInputTensor(x, nMfcc, frames, rows, buffer);
      const r = backprop(xb, rowLabels(rows), "mean");
      xb.dispose();
      adam.step(r.grads);
      tf.dispose(r.grads);
      return { loss: r.loss, correct: r.correct };
    }
    let mean: { grad: Float32Array; loss: number; correct: number };
    if (pool !== null) {
      mean = await pool.gradients(adam.parameters(), rows, labels, o.microBatch);
    } else {
      const ranges = microBatchRanges(rows.length, o.microBatch);
      const sum = new OrderedGradientSum(adam.size);
      ranges.forEach(([from, to], k) => {
        const part = rows.subarray(from, to);
        sum.add(k, microBatchGradient(gradients, x, nMfcc, frames, part, rowLabels(part), buffer));
      });
      mean = sum.mean(ranges.length);
    }
    adam.stepFlat(mean.grad);
    return { loss: mean.loss, correct: mean.correct };
  };
  /** Logits of the validation clips, a chunk at a time. */
  const validationLogits = (): Float32Array => {
    const out = new Float32Array(valCount * nClasses);
    for (let from = 0; from < valCount; from += PREDICT_CHUNK) {
      const n = Math.min(PREDICT_CHUNK, valCount - from);
      gatherModelRows(x, nMfcc, frames, valIdx.slice(from, from + n), buffer);
      out.set(predictLogitsModelLayout(model, buffer.subarray(0, n * per), n), from * nClasses);
    }
    return out;
  };

  try {
    if (workers > 1) {
      pool = await GradientWorkers.start(workers, {
        backend: backendPreferenceOf(backend),
        cnn: data.cnn,
        paramCount: adam.size,
        x,
        // this thread computes micro-batches too: `workers` threads, workers - 1 of them started
        mainThread: gradients,
      });
    }
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      if (o.shuffle && !fullBatch) rng.shuffle(order);
      let lossSum = 0;
      let correct = 0;
      for (let from = 0; from < order.length; from += batch) {
        const to = Math.min(order.length, from + batch);
        const r = await step(Int32Array.from(order.slice(from, to)));
        lossSum += r.loss * (to - from);
        correct += r.correct;
      }
      history.loss.push(lossSum / order.length);
      history.accuracy.push(correct / order.length);
      history.weightsFromEpoch = epoch;
      let valLoss: number | undefined;
      let valAccuracy: number | undefined;
      if (valCount > 0) {
        const v = lossAndAccuracy(validationLogits(), valY, nClasses);
        valLoss = v.loss;
        valAccuracy = v.accuracy;
        history.valLoss?.push(v.loss);
        history.valAccuracy?.push(v.accuracy);
      }
      const seconds = (performance.now() - t0) / 1000;
      history.epochSeconds.push(seconds);
      let stop = false;
      if (valLoss !== undefined && o.earlyStoppingPatience !== null) {
        if (valLoss < best.loss) {
          best = {
            loss: valLoss,
            epoch,
            weights: o.restoreBestWeights ? variables.map((v) => (v.dataSync() as Float32Array).slice()) : null,
          };
          sinceBest = 0;
        } else if (++sinceBest >= o.earlyStoppingPatience) {
          stop = epoch < o.epochs;
        }
      }
      if (onEpoch !== undefined && (epoch % o.reportEvery === 0 || epoch === o.epochs || stop)) {
        const log: EpochLog = {
          epoch,
          epochs: o.epochs,
          loss: history.loss[epoch - 1] as number,
          accuracy: history.accuracy[epoch - 1] as number,
          seconds,
        };
        if (valLoss !== undefined) log.valLoss = valLoss;
        if (valAccuracy !== undefined) log.valAccuracy = valAccuracy;
        onEpoch(log);
      }
      if (stop) {
        history.stoppedEarly = true;
        break;
      }
      await yieldToEventLoop();
    }
  } finally {
    adam.dispose();
    await (pool as GradientWorkers | null)?.close();
  }
  if (o.restoreBestWeights && best.weights !== null && best.epoch !== history.weightsFromEpoch) {
    const weights = best.weights;
    variables.forEach((v, i) => {
      const t = tf.tensor(weights[i] as Float32Array, v.shape, "float32");
      v.assign(t);
      t.dispose();
    });
    history.weightsFromEpoch = best.epoch;
  }
  return history;
}
