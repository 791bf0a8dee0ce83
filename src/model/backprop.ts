/**
 * Loss and gradients of the thesis CNN by explicit backpropagation.
 *
 * `tf.variableGrads` through `model.apply` records ~150 kernel calls per step on tfjs's tape
 * (reshapes, clones of every saved tensor, the loss's dozen ops) and pays engine overhead on each;
 * at batch 32 that overhead is as large as the arithmetic. Here the same forward pass runs as ~10
 * fused ops with the tape off, the loss and its gradient w.r.t. the logits are computed in JS from
 * the `[batch][classes]` logits, and the backward pass is written out layer by layer (~30 ops).
 * It uses only public tfjs ops and standard kernels (Conv2DBackpropFilter/Input, MaxPoolGrad via
 * `tf.engine().runKernel`), so it runs on every backend; test/model.backprop.test.ts checks it
 * against tfjs's autodiff.
 *
 * Layout (channels-last, conv1d as tfjs runs it: a conv2d of height 1):
 *   x [B][T][C0] → [B][1][T][C0] → conv(K1)+bias+ReLU → a1 [B][1][T][F1] → maxpool(P) → p1
 *   → conv(K2)+bias+ReLU → a2 [B][1][T/P][F2] → maxpool(P) → p2 → flatten [B][T/P²·F2]
 *   → dense+bias+ReLU → h [B][U] → dense+bias → logits [B][classes]
 */
import * as tf from "@tensorflow/tfjs";
import { rowCrossEntropy } from "./predict";

/** One step's outcome; gradients are in `model.trainableWeights` order and owned by the caller. */
export interface LossAndGradients {
  /** Softmax cross-entropy over the batch, nats: the mean, or the sum with reduction "sum". */
  loss: number;
  /** Clips whose largest logit is their label. */
  correct: number;
  grads: tf.Tensor[];
}

/**
 * How the batch's losses combine: "mean" (the training loss; gradients of the mean) or "sum"
 * (gradients of the sum, B times the mean's: what data-parallel workers return, so that the
 * main thread can add shards of different sizes and divide once by the whole batch).
 */
export type LossReduction = "mean" | "sum";

export type CnnBackprop = (x: tf.Tensor3D, labels: ArrayLike<number>, reduction?: LossReduction) => LossAndGradients;

interface Shape {
  k1: number;
  k2: number;
  p1: number;
  p2: number;
}

/** The architecture's parameters if `model` is buildCnn's network, else the reason it is not. */
function inspect(model: tf.LayersModel): Shape | string {
  const kinds = model.layers.map((l) => l.getClassName());
  const expected = ["Conv1D", "MaxPooling1D", "Conv1D", "MaxPooling1D", "Flatten", "Dense", "Dense"];
  if (kinds.join() !== expected.join()) return `layers are ${kinds.join(", ")}, not ${expected.join(", ")}`;
  const cfg = model.layers.map((l) => l.getConfig());
  const ones = (v: unknown): boolean => (Array.isArray(v) ? v.every((e) => e === 1) : v === 1 || v === undefined);
  for (const i of [0, 2]) {
    const c = cfg[i] ?? {};
    if (
      c["padding"] !== "same" ||
      !ones(c["strides"]) ||
      !ones(c["dilationRate"]) ||
      c["activation"] !== "relu" ||
      c["useBias"] !== true
    ) {
      return `layer ${i} is not a stride-1, "same", ReLU Conv1D with bias`;
    }
    const k = Array.isArray(c["kernelSize"]) ? (c["kernelSize"] as number[])[0] : c["kernelSize"];
    if (typeof k !== "number" || k % 2 !== 1) return `layer ${i} kernel size ${JSON.stringify(k)} is not odd`;
  }
  for (const i of [1, 3]) {
    const c = cfg[i] ?? {};
    const p = Array.isArray(c["poolSize"]) ? (c["poolSize"] as number[])[0] : c["poolSize"];
    const s = Array.isArray(c["strides"]) ? (c["strides"] as number[])[0] : c["strides"];
    if (c["padding"] !== "valid" || typeof p !== "number" || s !== p)
      return `layer ${i} is not a "valid" max-pool with stride = pool size`;
  }
  if (
    cfg[5]?.["activation"] !== "relu" ||
    cfg[6]?.["activation"] !== "linear" ||
    cfg[5]?.["useBias"] !== true ||
    cfg[6]?.["useBias"] !== true
  ) {
    return "the dense layers are not ReLU-then-linear with biases";
  }
  const first = (v: unknown): number => (Array.isArray(v) ? (v[0] as number) : (v as number));
  return {
    k1: first(cfg[0]?.["kernelSize"]),
    k2: first(cfg[2]?.["kernelSize"]),
    p1: first(cfg[1]?.["poolSize"]),
    p2: first(cfg[3]?.["poolSize"]),
  };
}

/** Null if {@link cnnBackprop} can handle `model`, else why not. */
export function cnnBackpropUnsupported(model: tf.LayersModel): string | null {
  const r = inspect(model);
  return typeof r === "string" ? r : null;
}

function maxPoolGrad(dy: tf.Tensor, input: tf.Tensor, output: tf.Tensor, pool: number): tf.Tensor4D {
  return tf
    .engine()
    .runKernel(
      "MaxPoolGrad",
      { dy, input, output },
      { filterSize: [1, pool], strides: [1, pool], pad: "valid" },
    ) as tf.Tensor4D;
}

function conv2dFilterGrad(x: tf.Tensor, dy: tf.Tensor, filterShape: number[]): tf.Tensor4D {
  return tf
    .engine()
    .runKernel(
      "Conv2DBackpropFilter",
      { x, dy },
      { strides: 1, pad: "same", dataFormat: "NHWC", filterShape },
    ) as tf.Tensor4D;
}

function conv2dInputGrad(dy: tf.Tensor, filter: tf.Tensor, inputShape: number[]): tf.Tensor4D {
  return tf
    .engine()
    .runKernel(
      "Conv2DBackpropInput",
      { dy, filter },
      { strides: 1, pad: "same", dataFormat: "NHWC", inputShape },
    ) as tf.Tensor4D;
}

/**
 * Softmax cross-entropy of `[B][classes]` logits in JS: loss, correct count, and the loss's
 * gradient w.r.t. the logits: (softmax − onehot) / B for the mean, (softmax − onehot) for the sum.
 */
function softmaxCrossEntropy(
  z: Float32Array,
  labels: ArrayLike<number>,
  classes: number,
  reduction: LossReduction,
): { loss: number; correct: number; dz: Float32Array } {
  const batch = labels.length;
  const divisor = reduction === "mean" ? batch : 1;
  const dz = new Float32Array(z.length);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < batch; i++) {
    const label = labels[i] as number;
    const { loss: rowLoss, predicted, max, sum } = rowCrossEntropy(z, i, classes, label);
    loss += rowLoss;
    if (predicted === label) correct++;
    const row = i * classes;
    for (let k = 0; k < classes; k++)
      dz[row + k] = (Math.exp((z[row + k] as number) - max) / sum - (k === label ? 1 : 0)) / divisor;
  }
  return { loss: loss / divisor, correct, dz };
}

/**
 * A function computing loss and gradients for `model` (built by buildCnn) on one batch.
 * Throws if the model is not that architecture (see {@link cnnBackpropUnsupported}).
 *
 * @returns  `(x [B][T][C0], labels [B], reduction = "mean") => { loss, correct, grads }`
 */
export function cnnBackprop(model: tf.LayersModel): CnnBackprop {
  const s = inspect(model);
  if (typeof s === "string") throw new Error(`cnnBackprop: unsupported model: ${s}`);
  const weights = model.trainableWeights;
  if (weights.length !== 8) throw new Error(`cnnBackprop: expected 8 trainable weights, found ${weights.length}`);
  return (x, labels, reduction = "mean") => {
    const [batch, frames, channels] = x.shape;
    let loss = 0;
    let correct = 0;
    const grads = tf.tidy(() => {
      const [w1, b1, w2, b2, wd, bd, wo, bo] = weights.map((w) => w.read()) as [
        tf.Tensor3D,
        tf.Tensor1D,
        tf.Tensor3D,
        tf.Tensor1D,
        tf.Tensor2D,
        tf.Tensor1D,
        tf.Tensor2D,
        tf.Tensor1D,
      ];
      // forward
      const x4 = tf.reshape(x, [batch, 1, frames, channels]) as tf.Tensor4D;
      const k1 = tf.reshape(w1, [1, ...w1.shape]) as tf.Tensor4D;
      const a1 = tf.fused.conv2d({ x: x4, filter: k1, strides: 1, pad: "same", bias: b1, activation: "relu" });
      const p1 = tf.maxPool(a1, [1, s.p1], [1, s.p1], "valid");
      const k2 = tf.reshape(w2, [1, ...w2.shape]) as tf.Tensor4D;
      const a2 = tf.fused.conv2d({ x: p1, filter: k2, strides: 1, pad: "same", bias: b2, activation: "relu" });
      const p2 = tf.maxPool(a2, [1, s.p2], [1, s.p2], "valid");
      const flat = tf.reshape(p2, [batch, -1]) as tf.Tensor2D;
      const h = tf.fused.matMul({ a: flat, b: wd, bias: bd, activation: "relu" });
      const logits = tf.fused.matMul({ a: h, b: wo, bias: bo });
      // loss
      const ce = softmaxCrossEntropy(logits.dataSync() as Float32Array, labels, wo.shape[1], reduction);
      loss = ce.loss;
      correct = ce.correct;
      const dLogits = tf.tensor2d(ce.dz, [batch, wo.shape[1]]);
      // backward: logits layer
      const dWo = tf.matMul(h, dLogits, true, false);
      const dbo = tf.sum(dLogits, 0);
      // hidden dense layer (ReLU: gradient passes where h > 0)
      const dh = tf.mul(tf.matMul(dLogits, wo, false, true), tf.step(h));
      const dWd = tf.matMul(flat, dh, true, false);
      const dbd = tf.sum(dh, 0);
      // second conv block
      const dp2 = tf.reshape(tf.matMul(dh, wd, false, true), p2.shape);
      const dz2 = tf.mul(maxPoolGrad(dp2, a2, p2, s.p2), tf.step(a2));
      const dW2 = tf.reshape(conv2dFilterGrad(p1, dz2, k2.shape), w2.shape);
      const db2 = tf.sum(dz2, [0, 1, 2]);
      // first conv block (no gradient w.r.t. the input is needed)
      const dp1 = conv2dInputGrad(dz2, k2, p1.shape);
      const dz1 = tf.mul(maxPoolGrad(dp1, a1, p1, s.p1), tf.step(a1));
      const dW1 = tf.reshape(conv2dFilterGrad(x4, dz1, k1.shape), w1.shape);
      const db1 = tf.sum(dz1, [0, 1, 2]);
      return [dW1, db1, dW2, db2, dWd, dbd, dWo, dbo];
    });
    return { loss, correct, grads };
  };
}
