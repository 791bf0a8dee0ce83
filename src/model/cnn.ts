/**
 * The thesis's 1D CNN, built with tf.layers so it saves in the standard tfjs format.
 *
 * PyTorch original (channels-first input `[batch][40 MFCC][100 frames]`):
 *   Conv1d(40→16, k=3, pad=1) → ReLU → MaxPool1d(2) → Conv1d(16→32, k=3, pad=1) → ReLU →
 *   MaxPool1d(2) → Flatten (32*25 = 800) → Linear(800→64) → ReLU → Linear(64→2) (logits).
 * With timePooling "global-max" the second pool is MaxPool1d(50) (AdaptiveMaxPool1d(1)): Flatten
 * gives 32 values and the first Linear is 32→64.
 *
 * tfjs's conv1d is channels-last, so the model here takes `[batch][100 frames][40 MFCC]`: feed it
 * the MFCC matrices transposed ({@link toModelInput} does that). `padding: "same"` with kernel 3 and
 * stride 1 is PyTorch's `padding=1`.
 *
 * Flatten order differs: our flatten sees `[25 time steps][32 channels]` and produces index
 * `t*32 + c`; PyTorch's sees `[32][25]` and produces `c*25 + t`. The first Dense kernel's rows are
 * therefore permuted relative to PyTorch's `Linear(800, 64).weight.T`; {@link flattenIndexFromTorch}
 * gives the mapping for anyone importing PyTorch weights.
 *
 * Initialisation is PyTorch's default, seeded: every weight and bias ~ U(-1/√fanIn, 1/√fanIn)
 * (kaiming_uniform with a=√5 for weights, and PyTorch's bias rule), where fanIn = inChannels*kernel
 * for a conv and inputs for a dense layer. tfjs draws these in JS from the seed, so the initial
 * weights are identical on every backend.
 */
import * as tf from "@tensorflow/tfjs";
import { ShapeError } from "../errors";
import { SeededRandom } from "../util/random";

/** Architecture hyper-parameters; the defaults ({@link THESIS_CNN}) are the thesis's. */
export interface CnnConfig {
  /** MFCC coefficients per frame (input channels). */
  nMfcc: number;
  /** Frames per clip (input length). Must be divisible by poolSize². */
  frames: number;
  /** Output channels of the first and second convolution. */
  conv1Filters: number;
  conv2Filters: number;
  /** Convolution kernel length, frames (odd, "same" padding). */
  kernelSize: number;
  /** Max-pool window and stride, frames. */
  poolSize: number;
  /**
   * What the second pooling does over time: "flatten" (the thesis: MaxPool(poolSize), then
   * flatten frames/poolSize² steps x conv2Filters), or "global-max" (the second MaxPool spans all
   * frames/poolSize steps left, so the dense layer sees one maximum per conv2 channel: conv2Filters
   * values, whatever the clip length, and where in the clip a click falls no longer matters).
   */
  timePooling: "flatten" | "global-max";
  /** Units of the hidden dense layer. */
  denseUnits: number;
  /** Number of classes (logits). */
  nClasses: number;
}

export const THESIS_CNN: Readonly<CnnConfig> = Object.freeze({
  nMfcc: 40,
  frames: 100,
  conv1Filters: 16,
  conv2Filters: 32,
  kernelSize: 3,
  poolSize: 2,
  timePooling: "flatten",
  denseUnits: 64,
  nClasses: 2,
});

/** Names of the layers, stable so saved weights are named the same for every model built. */
export const CNN_LAYER_NAMES = Object.freeze({
  conv1: "conv1",
  pool1: "pool1",
  conv2: "conv2",
  pool2: "pool2",
  flatten: "flatten",
  dense: "dense1",
  logits: "logits",
});

/**
 * Window (= stride) of the second max-pool, in frames after the first pool: poolSize, or all of
 * them (frames / poolSize) for timePooling "global-max".
 */
export function secondPoolSize(config: CnnConfig): number {
  return config.timePooling === "global-max" ? Math.floor(config.frames / config.poolSize) : config.poolSize;
}

/**
 * Length of the flattened feature vector: (frames / poolSize²) * conv2Filters (800 for the thesis),
 * or conv2Filters with timePooling "global-max".
 */
export function flattenedSize(config: CnnConfig): number {
  return Math.floor(Math.floor(config.frames / config.poolSize) / secondPoolSize(config)) * config.conv2Filters;
}

/**
 * Map a PyTorch flatten index (`c*T + t`) to ours (`t*C + c`), with T = frames/poolSize², C =
 * conv2Filters. Row `flattenIndexFromTorch(i)` of our first Dense kernel is PyTorch's
 * `Linear.weight[:, i]`.
 */
export function flattenIndexFromTorch(torchIndex: number, config: CnnConfig = THESIS_CNN): number {
  const steps = flattenedSize(config) / config.conv2Filters;
  const c = Math.floor(torchIndex / steps);
  const t = torchIndex % steps;
  return t * config.conv2Filters + c;
}

function pytorchUniform(fanIn: number, seed: number): ReturnType<typeof tf.initializers.randomUniform> {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

/**
 * Build the CNN (untrained, weights initialised from `seed`).
 *
 * @param seed  integer; the same seed gives the same initial weights on every backend
 * @returns  a LayersModel mapping `[batch][frames][nMfcc]` to logits `[batch][nClasses]`
 */
export function buildCnn(config: Partial<CnnConfig> = {}, seed = 0): tf.LayersModel {
  const c: CnnConfig = { ...THESIS_CNN, ...config };
  if (c.timePooling !== "flatten" && c.timePooling !== "global-max")
    throw new ShapeError(
      "CnnConfig",
      `timePooling is ${JSON.stringify(c.timePooling)}`,
      'use "flatten" (the thesis) or "global-max"',
    );
  const pool2 = secondPoolSize(c);
  const steps = Math.floor(Math.floor(c.frames / c.poolSize) / pool2);
  if (steps < 1)
    throw new ShapeError(
      "CnnConfig",
      `frames=${c.frames} is too short for two pools of ${c.poolSize}`,
      "use at least poolSize² frames",
    );
  const rng = new SeededRandom(seed);
  const nextSeed = (): number => rng.nextInt(2 ** 31);
  const conv1FanIn = c.nMfcc * c.kernelSize;
  const conv2FanIn = c.conv1Filters * c.kernelSize;
  const denseFanIn = flattenedSize(c);
  const model = tf.sequential({ name: "soundcheck_cnn" });
  model.add(
    tf.layers.conv1d({
      name: CNN_LAYER_NAMES.conv1,
      inputShape: [c.frames, c.nMfcc],
      filters: c.conv1Filters,
      kernelSize: c.kernelSize,
      padding: "same",
      activation: "relu",
      kernelInitializer: pytorchUniform(conv1FanIn, nextSeed()),
      biasInitializer: pytorchUniform(conv1FanIn, nextSeed()),
    }),
  );
  model.add(tf.layers.maxPooling1d({ name: CNN_LAYER_NAMES.pool1, poolSize: c.poolSize, strides: c.poolSize }));
  model.add(
    tf.layers.conv1d({
      name: CNN_LAYER_NAMES.conv2,
      filters: c.conv2Filters,
      kernelSize: c.kernelSize,
      padding: "same",
      activation: "relu",
      kernelInitializer: pytorchUniform(conv2FanIn, nextSeed()),
      biasInitializer: pytorchUniform(conv2FanIn, nextSeed()),
    }),
  );
  model.add(tf.layers.maxPooling1d({ name: CNN_LAYER_NAMES.pool2, poolSize: pool2, strides: pool2 }));
  model.add(tf.layers.flatten({ name: CNN_LAYER_NAMES.flatten }));
  model.add(
    tf.layers.dense({
      name: CNN_LAYER_NAMES.dense,
      units: c.denseUnits,
      activation: "relu",
      kernelInitializer: pytorchUniform(denseFanIn, nextSeed()),
      biasInitializer: pytorchUniform(denseFanIn, nextSeed()),
    }),
  );
  model.add(
    tf.layers.dense({
      name: CNN_LAYER_NAMES.logits,
      units: c.nClasses,
      kernelInitializer: pytorchUniform(c.denseUnits, nextSeed()),
      biasInitializer: pytorchUniform(c.denseUnits, nextSeed()),
    }),
  );
  return model;
}

/** Input geometry of a model: `[frames, nMfcc]` (its input is `[batch][frames][nMfcc]`). */
export function modelInputShape(model: tf.LayersModel): { frames: number; nMfcc: number } {
  const shape = model.inputs[0]?.shape;
  if (shape === undefined || shape.length !== 3 || shape[1] == null || shape[2] == null) {
    throw new ShapeError(
      "model",
      `expected an input of shape [batch, frames, nMfcc], found [${String(shape)}]`,
      "build the model with buildCnn",
    );
  }
  return { frames: shape[1], nMfcc: shape[2] };
}

/**
 * Transpose clips from the feature layout `[count][nMfcc][frames]` (PyTorch's channels-first, as
 * the feature stage stores them) to the model's `[count][frames][nMfcc]`.
 *
 * @param x  flat, length count*nMfcc*frames
 * @param out  optional destination of the same length (must not alias `x`)
 */
export function toModelInput(
  x: Float32Array,
  count: number,
  nMfcc: number,
  frames: number,
  out?: Float32Array,
): Float32Array {
  const per = nMfcc * frames;
  if (x.length !== count * per) {
    throw new ShapeError(
      "features",
      `${x.length} values do not make ${count} clips of [${nMfcc}][${frames}]`,
      "pass a [count][nMfcc][frames] array",
    );
  }
  const dst = out ?? new Float32Array(x.length);
  for (let i = 0; i < count; i++) {
    const base = i * per;
    for (let m = 0; m < nMfcc; m++) {
      const src = base + m * frames;
      for (let t = 0; t < frames; t++) dst[base + t * nMfcc + m] = x[src + t] as number;
    }
  }
  return dst;
}
