/**
 * Inference with the CNN: logits, class probabilities and predicted classes for a batch of MFCC
 * matrices. Runs in chunks so memory stays bounded for any number of clips.
 */
import * as tf from "@tensorflow/tfjs";
import { ShapeError } from "../errors";
import { modelInputShape, toModelInput } from "./cnn";
import { type InputStandardisation, standardiseInput } from "./standardise";

/** Clips per forward pass; bounds the activations held at once (~8 MB for the thesis model). */
export const PREDICT_CHUNK = 512;

function outputClasses(model: tf.LayersModel): number {
  const units = model.outputs[0]?.shape[1];
  if (units == null) throw new ShapeError("model", "output has no class dimension", "build the model with buildCnn");
  return units;
}

/**
 * Logits of clips already in the model's layout.
 *
 * @param xModel  `[count][frames][nMfcc]`, flat
 * @returns  `[count][nClasses]`, flat
 */
export function predictLogitsModelLayout(
  model: tf.LayersModel,
  xModel: Float32Array,
  count: number,
  chunk = PREDICT_CHUNK,
): Float32Array {
  const { frames, nMfcc } = modelInputShape(model);
  const per = frames * nMfcc;
  if (xModel.length !== count * per) {
    throw new ShapeError(
      "features",
      `${xModel.length} values do not make ${count} clips of [${frames}][${nMfcc}]`,
      "pass [count][frames][nMfcc] data",
    );
  }
  const nClasses = outputClasses(model);
  const out = new Float32Array(count * nClasses);
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const logits = tf.tidy(() => {
      const x = tf.tensor3d(xModel.subarray(start * per, (start + n) * per), [n, frames, nMfcc]);
      return model.apply(x, { training: false }) as tf.Tensor;
    });
    out.set(logits.dataSync() as Float32Array, start * nClasses);
    logits.dispose();
  }
  return out;
}

/** Row-wise softmax of `[count][nClasses]` logits, computed stably in float64. */
export function softmaxRows(logits: Float32Array, nClasses: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += nClasses) {
    let max = -Infinity;
    for (let k = 0; k < nClasses; k++) max = Math.max(max, logits[row + k] as number);
    let sum = 0;
    for (let k = 0; k < nClasses; k++) sum += Math.exp((logits[row + k] as number) - max);
    for (let k = 0; k < nClasses; k++) out[row + k] = Math.exp((logits[row + k] as number) - max) / sum;
  }
  return out;
}

/**
 * Class probabilities (softmax of the logits) for MFCC matrices: what every CNN prediction path
 * (evaluate, cv, unseen, predict, the browser app) calls.
 *
 * @param x  `[count][nMfcc][frames]` flat, the feature stage's layout (channels-first), as extracted
 * @param standardisation  the model's input standardisation (metadata.json `inputStandardisation`,
 *   or the one it was trained with), applied to a copy of `x`; null/absent = x as it is
 * @returns  `[count][nClasses]` flat; each row sums to 1
 */
export function predictProbabilities(
  model: tf.LayersModel,
  x: Float32Array,
  count: number,
  standardisation: InputStandardisation | null = null,
): Float32Array {
  const { frames, nMfcc } = modelInputShape(model);
  const clips = standardisation === null ? x : standardiseInput(x, nMfcc, frames, standardisation);
  const logits = predictLogitsModelLayout(model, toModelInput(clips, count, nMfcc, frames), count);
  return softmaxRows(logits, outputClasses(model));
}

/** Index of the largest value of each `[count][nClasses]` row (first one on ties). */
export function argmaxRows(scores: Float32Array, nClasses: number): Int32Array {
  const out = new Int32Array(scores.length / nClasses);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < nClasses; k++)
      if ((scores[i * nClasses + k] as number) > (scores[i * nClasses + best] as number)) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Predicted class index per clip.
 * @param x  `[count][nMfcc][frames]` flat
 * @returns  `[count]`
 */
export function predictClasses(model: tf.LayersModel, x: Float32Array, count: number): Int32Array {
  return argmaxRows(predictProbabilities(model, x, count), outputClasses(model));
}

/** Softmax cross-entropy of one row of logits against its label. */
export interface RowCrossEntropy {
  /** -log softmax(z)[label], nats. */
  loss: number;
  /** Index of the largest logit (the first on ties). */
  predicted: number;
  /** Largest logit, and Σ exp(z_k − max): softmax(z)_k = exp(z_k − max) / sum. */
  max: number;
  sum: number;
}

/**
 * Softmax cross-entropy of row `row` of `[rows][nClasses]` logits, with the log-sum-exp trick
 * (shared by the loss reports and the hand-written backward pass, so both see the same numbers).
 */
export function rowCrossEntropy(
  logits: ArrayLike<number>,
  row: number,
  nClasses: number,
  label: number,
): RowCrossEntropy {
  const at = row * nClasses;
  let max = -Infinity;
  let predicted = 0;
  for (let k = 0; k < nClasses; k++) {
    const z = logits[at + k] as number;
    if (z > max) {
      max = z;
      predicted = k;
    }
  }
  let sum = 0;
  for (let k = 0; k < nClasses; k++) sum += Math.exp((logits[at + k] as number) - max);
  return { loss: Math.log(sum) + max - (logits[at + label] as number), predicted, max, sum };
}

/** Mean softmax cross-entropy (nats) and accuracy of logits against integer labels. */
export function lossAndAccuracy(
  logits: Float32Array,
  labels: ArrayLike<number>,
  nClasses: number,
): { loss: number; accuracy: number } {
  const count = labels.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const r = rowCrossEntropy(logits, i, nClasses, labels[i] as number);
    loss += r.loss;
    if (r.predicted === labels[i]) correct++;
  }
  return { loss: count > 0 ? loss / count : NaN, accuracy: count > 0 ? correct / count : NaN };
}
