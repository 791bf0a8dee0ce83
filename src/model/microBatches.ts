/**
 * Gradients of a training step accumulated over fixed-size micro-batches, so that the result does
 * not depend on how many threads compute it and memory does not grow with the batch.
 *
 * A step's rows (in training order) are cut into consecutive micro-batches of
 * {@link MICRO_BATCH_ROWS} rows (the last one may be shorter). Each micro-batch's gradient of the
 * *summed* loss is computed in float32 by the backward pass; the micro-batch sums are then added in
 * float64 in micro-batch order (0, 1, 2, ...) and divided once by the step's row count, rounding to
 * float32 at the end. Mathematically this is the full batch's mean gradient; numerically it is one
 * fixed summation order, whichever thread computed which micro-batch. Only one micro-batch's
 * activations exist at a time per thread.
 *
 * Rows are read from the caller's `[count][nMfcc][frames]` array (the feature stage's layout) one
 * micro-batch at a time (consecutive rows without a copy) and transposed to the model's
 * `[rows][frames][nMfcc]` layout by the backend, so no transposed copy of the data set is made.
 */
import * as tf from "@tensorflow/tfjs";
import type { CnnBackprop } from "./backprop";

/**
 * Rows per micro-batch. Part of the result's definition (another size sums in another order and
 * changes the weights at float32 rounding level); the number of worker threads is not. 128 rows
 * train as fast as 256 on one thread (0.27 vs 0.28 CPU s per full-batch epoch of 2000 clips) and
 * halve the activations' share of each thread's wasm heap (~37 MB instead of ~60 MB).
 */
export const MICRO_BATCH_ROWS = 128;

/** `[from, to)` position ranges of consecutive micro-batches of `size` rows covering `count` rows. */
export function microBatchRanges(count: number, size: number): Array<[number, number]> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`micro-batch size must be a positive integer, got ${size}`);
  const out: Array<[number, number]> = [];
  for (let from = 0; from < count; from += size) out.push([from, Math.min(count, from + size)]);
  return out;
}

/**
 * Copy rows `rows` of `x` (`[count][nMfcc][frames]`, flat) into `out` in the model's layout
 * `[rows.length][frames][nMfcc]`.
 */
export function gatherModelRows(
  x: Float32Array,
  nMfcc: number,
  frames: number,
  rows: ArrayLike<number>,
  out: Float32Array,
): void {
  const per = nMfcc * frames;
  for (let i = 0; i < rows.length; i++) {
    const src = (rows[i] as number) * per;
    const dst = i * per;
    for (let m = 0; m < nMfcc; m++) {
      const from = src + m * frames;
      for (let t = 0, at = dst + m; t < frames; t++, at += nMfcc) out[at] = x[from + t] as number;
    }
  }
}

/**
 * Rows `rows` of `x` (`[count][nMfcc][frames]`, flat) as a model input tensor
 * `[rows.length][frames][nMfcc]`: consecutive rows are uploaded straight from `x`, others copied
 * into `buffer` first; the backend's transpose makes the layout. The caller disposes the tensor.
 *
 * @param buffer  scratch of at least rows.length*nMfcc*frames floats
 */
export function modelInputTensor(
  x: Float32Array,
  nMfcc: number,
  frames: number,
  rows: ArrayLike<number>,
  buffer: Float32Array,
): tf.Tensor3D {
  const n = rows.length;
  const per = nMfcc * frames;
  const first = n > 0 ? (rows[0] as number) : 0;
  let consecutive = true;
  for (let i = 1; i < n && consecutive; i++) consecutive = rows[i] === first + i;
  let source: Float32Array;
  if (consecutive) {
    source = x.subarray(first * per, (first + n) * per);
  } else {
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number;
      buffer.set(x.subarray(r * per, (r + 1) * per), i * per);
    }
    source = buffer.subarray(0, n * per);
  }
  return tf.tidy(() => tf.transpose(tf.tensor3d(source, [n, nMfcc, frames]), [0, 2, 1]));
}

/** One micro-batch's contribution to a step. */
export interface MicroBatchGradient {
  /** d(summed loss)/d(parameters) over the micro-batch, float32, flat in FlatAdam's layout. */
  grad: Float32Array;
  /** Summed softmax cross-entropy over its rows, nats. */
  lossSum: number;
  /** Rows whose largest logit is their label. */
  correct: number;
  rows: number;
}

/**
 * Loss sum and gradients of the summed loss for a batch already in the model's layout;
 * gradients in `model.trainableWeights` order, owned by the caller.
 */
export type SummedGradients = (
  x: tf.Tensor3D,
  labels: Int32Array,
) => { lossSum: number; correct: number; grads: tf.Tensor[] };

/** {@link SummedGradients} from the hand-written backward pass (backprop.ts). */
export function explicitSummedGradients(backprop: CnnBackprop): SummedGradients {
  return (x, labels) => {
    const r = backprop(x, labels, "sum");
    return { lossSum: r.loss, correct: r.correct, grads: r.grads };
  };
}

/** {@link SummedGradients} from tfjs autodiff through the tf.layers model (the reference path). */
export function tapeSummedGradients(model: tf.LayersModel, variables: tf.Variable[]): SummedGradients {
  const nClasses = model.outputs[0]?.shape[1] as number;
  return (x, labels) => {
    const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), nClasses).toFloat()) as tf.Tensor2D;
    let logits: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      logits = tf.keep(out);
      return tf.losses.softmaxCrossEntropy(onehot, out, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
    }, variables);
    const z = (logits as tf.Tensor | null)?.dataSync() as Float32Array;
    let correct = 0;
    for (let i = 0; i < labels.length; i++) {
      let arg = 0;
      for (let k = 1; k < nClasses; k++)
        if ((z[i * nClasses + k] as number) > (z[i * nClasses + arg] as number)) arg = k;
      if (arg === labels[i]) correct++;
    }
    const lossSum = value.dataSync()[0] as number;
    tf.dispose([onehot, value, logits as tf.Tensor | null].filter((t): t is tf.Tensor => t !== null));
    return { lossSum, correct, grads: variables.map((v) => grads[v.name] as tf.Tensor) };
  };
}

/**
 * The gradient of one micro-batch: rows `rows` of `x` (`[count][nMfcc][frames]`) with labels
 * `labels` (one per row of the micro-batch).
 *
 * @param buffer  scratch of at least rows.length*nMfcc*frames floats (reused between calls)
 */
export function microBatchGradient(
  gradients: SummedGradients,
  x: Float32Array,
  nMfcc: number,
  frames: number,
  rows: ArrayLike<number>,
  labels: Int32Array,
  buffer: Float32Array,
): MicroBatchGradient {
  const n = rows.length;
  const xb = modelInputTensor(x, nMfcc, frames, rows, buffer);
  const r = gradients(xb, labels);
  xb.dispose();
  const flat = tf.tidy(() => tf.concat(r.grads.map((g) => tf.reshape(g, [-1]))));
  tf.dispose(r.grads);
  // a copy we own (the cpu backend's dataSync may hand out its own storage)
  const grad = (flat.dataSync() as Float32Array).slice();
  flat.dispose();
  return { grad, lossSum: r.lossSum, correct: r.correct, rows: n };
}

/**
 * Adds micro-batch results in micro-batch order, whatever order they arrive in: a result that
 * arrives early waits (at most one per thread) until its predecessors are added.
 */
export class OrderedGradientSum {
  private readonly sum: Float64Array;
  private readonly waiting = new Map<number, MicroBatchGradient>();
  private next = 0;
  private lossSum = 0;
  private correct = 0;
  private rows = 0;

  constructor(private readonly paramCount: number) {
    this.sum = new Float64Array(paramCount);
  }

  /** Add micro-batch `index` (0-based, each index exactly once). */
  add(index: number, part: MicroBatchGradient): void {
    if (part.grad.length !== this.paramCount)
      throw new Error(`micro-batch ${index}: ${part.grad.length} gradient values for ${this.paramCount} parameters`);
    if (index < this.next || this.waiting.has(index)) throw new Error(`micro-batch ${index} added twice`);
    this.waiting.set(index, part);
    for (let p = this.waiting.get(this.next); p !== undefined; p = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      const g = p.grad;
      const s = this.sum;
      for (let i = 0; i < g.length; i++) s[i] = (s[i] as number) + (g[i] as number);
      this.lossSum += p.lossSum;
      this.correct += p.correct;
      this.rows += p.rows;
    }
  }

  /**
   * The step's mean gradient (float32) and mean loss, once micro-batches 0..count-1 are all in.
   * @param count  number of micro-batches in the step
   */
  mean(count: number): { grad: Float32Array; loss: number; correct: number } {
    if (this.next !== count || this.waiting.size > 0)
      throw new Error(`${this.next} of ${count} micro-batches were added in order`);
    const grad = new Float32Array(this.paramCount);
    for (let i = 0; i < grad.length; i++) grad[i] = (this.sum[i] as number) / this.rows;
    return { grad, loss: this.lossSum / this.rows, correct: this.correct };
  }
}
