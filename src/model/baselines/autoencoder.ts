/**
 * The unsupervised baseline of DCASE task 2, scaled down: a dense autoencoder learns to
 * reconstruct short windows of MFCC frames of NORMAL clips only; a clip it reconstructs badly
 * sounds unlike anything normal, so its mean reconstruction error is its anomaly score (higher =
 * more likely broken). No broken clip is needed to train it.
 *
 * A window is `contextFrames` consecutive MFCC frames concatenated frame by frame
 * (`[contextFrames][nMfcc]`, 5 x 40 = 200 inputs by default), standardised per coefficient with
 * the mean and standard deviation of the training clips. Plain TypeScript (./denseNetwork), one
 * thread: the same seed gives the same weights and scores on every machine.
 */
import { ConfigError, ShapeError } from "../../errors";
import { SeededRandom } from "../../util/random";
import { type DenseLayers, DenseAdam, DenseWorkspace, glorotUniformLayers } from "./denseNetwork";

export interface AutoencoderOptions {
  /** Consecutive frames per window. Default 5 (as the DCASE baseline). */
  contextFrames?: number;
  /** Hidden layer widths, encoder to decoder; ReLU on each. Default [64, 64, 8, 64, 64]. */
  hiddenUnits?: number[];
  /** Passes over the sampled windows. Default 20. */
  epochs?: number;
  /** Windows per Adam step. Default 128. */
  batchSize?: number;
  /** Adam's learning rate. Default 1e-3. */
  learningRate?: number;
  /**
   * Windows drawn (uniformly, with replacement) from each clip per epoch; null = every window of
   * every clip each epoch. Default 8: with 100 frames a clip has 96 windows, so 20 epochs draw
   * 160 windows per clip (each window about 1.7 times) at a sixth of the cost of 20 full epochs.
   */
  windowsPerClip?: number | null;
  /** Seed of the initial weights and of the window sampling and order. Default 0. */
  seed?: number;
}

/** Defaults of {@link AutoencoderOptions}. */
export const AUTOENCODER_DEFAULTS: Readonly<Required<AutoencoderOptions>> = Object.freeze({
  contextFrames: 5,
  hiddenUnits: [64, 64, 8, 64, 64],
  epochs: 20,
  batchSize: 128,
  learningRate: 1e-3,
  windowsPerClip: 8,
  seed: 0,
});

/** A trained autoencoder, plain JSON. */
export interface AutoencoderModel {
  kind: "autoencoder";
  nMfcc: number;
  contextFrames: number;
  /** Units per layer: input (contextFrames * nMfcc), hidden..., output (= input). */
  layerSizes: number[];
  /** Per MFCC coefficient: mean over all frames of the training clips. */
  mean: number[];
  /** Per MFCC coefficient: population standard deviation over those frames (1 if constant). */
  scale: number[];
  /** Per layer, `[in][out]` row-major, float32 values. */
  weights: number[][];
  /** Per layer, `[out]`. */
  biases: number[][];
  training: Required<AutoencoderOptions> & {
    /** Training clips (all normal). */
    clips: number;
    /** Mean squared reconstruction error (standardised units) of each epoch's windows. */
    lossHistory: number[];
  };
}

function checkClips(
  who: string,
  x: Float32Array,
  count: number,
  nMfcc: number,
  frames: number,
  contextFrames: number,
): void {
  if (!(count >= 1 && nMfcc >= 1 && frames >= 1) || x.length !== count * nMfcc * frames) {
    throw new ShapeError(
      who,
      `${x.length} values do not form [${count}][${nMfcc}][${frames}]`,
      "pass the features as [clips][nMfcc][frames], at least one clip",
    );
  }
  if (frames < contextFrames) {
    throw new ShapeError(
      who,
      `clips have ${frames} frames, fewer than the ${contextFrames}-frame window`,
      "use longer clips or fewer context frames",
    );
  }
}

/** Per-coefficient mean and population standard deviation over every frame of every clip. */
function coefficientStatistics(
  x: Float32Array,
  count: number,
  nMfcc: number,
  frames: number,
): { mean: number[]; scale: number[] } {
  const mean: number[] = [];
  const scale: number[] = [];
  const n = count * frames;
  for (let m = 0; m < nMfcc; m++) {
    let sum = 0;
    for (let c = 0; c < count; c++)
      for (let t = 0, o = (c * nMfcc + m) * frames; t < frames; t++) sum += x[o + t] as number;
    const mu = sum / n;
    let squares = 0;
    for (let c = 0; c < count; c++) {
      for (let t = 0, o = (c * nMfcc + m) * frames; t < frames; t++) {
        const d = (x[o + t] as number) - mu;
        squares += d * d;
      }
    }
    const sd = Math.sqrt(squares / n);
    mean.push(mu);
    scale.push(sd > 1e-12 * Math.max(1, Math.abs(mu)) ? sd : 1);
  }
  return { mean, scale };
}

/**
 * The clips standardised and transposed to `[count][frames][nMfcc]`, so the window starting at
 * frame t of clip c is the contiguous slice from `(c * frames + t) * nMfcc`, of length
 * `contextFrames * nMfcc`.
 */
function frameMajorStandardised(
  x: Float32Array,
  count: number,
  nMfcc: number,
  frames: number,
  mean: readonly number[],
  scale: readonly number[],
): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < count; c++) {
    for (let m = 0; m < nMfcc; m++) {
      const mu = mean[m] as number;
      const sd = scale[m] as number;
      const from = (c * nMfcc + m) * frames;
      for (let t = 0; t < frames; t++) out[(c * frames + t) * nMfcc + m] = ((x[from + t] as number) - mu) / sd;
    }
  }
  return out;
}

function layersOf(model: AutoencoderModel): DenseLayers {
  return {
    sizes: model.layerSizes,
    weights: model.weights.map((w) => Float32Array.from(w)),
    biases: model.biases.map((b) => Float32Array.from(b)),
  };
}

/**
 * Train on NORMAL clips only (select them before calling).
 *
 * @param x  `[count][nMfcc][frames]` flat, as features.npy
 * @param onEpoch  called after each epoch with its number (1-based) and mean loss
 */
export function trainAutoencoder(
  x: Float32Array,
  count: number,
  nMfcc: number,
  frames: number,
  options: AutoencoderOptions = {},
  onEpoch?: (epoch: number, loss: number) => void,
): AutoencoderModel {
  const o: Required<AutoencoderOptions> = {
    ...AUTOENCODER_DEFAULTS,
    ...options,
    hiddenUnits: [...(options.hiddenUnits ?? AUTOENCODER_DEFAULTS.hiddenUnits)],
  };
  const positiveInteger = (v: number) => Number.isInteger(v) && v >= 1;
  if (
    !positiveInteger(o.contextFrames) ||
    !positiveInteger(o.batchSize) ||
    !(Number.isInteger(o.epochs) && o.epochs >= 0) ||
    !o.hiddenUnits.every(positiveInteger) ||
    !(o.learningRate > 0) ||
    !(o.windowsPerClip === null || positiveInteger(o.windowsPerClip))
  ) {
    throw new ConfigError(
      "trainAutoencoder",
      `unusable options ${JSON.stringify(options)}`,
      "use whole numbers >= 1 for sizes and counts, and a learning rate > 0",
    );
  }
  checkClips("trainAutoencoder", x, count, nMfcc, frames, o.contextFrames);
  const inputSize = o.contextFrames * nMfcc;
  const sizes = [inputSize, ...o.hiddenUnits, inputSize];
  const { mean, scale } = coefficientStatistics(x, count, nMfcc, frames);
  const data = frameMajorStandardised(x, count, nMfcc, frames, mean, scale);

  const layers = glorotUniformLayers(sizes, o.seed);
  const workspace = new DenseWorkspace(layers, o.batchSize);
  const adam = new DenseAdam(layers, { learningRate: o.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const rng = new SeededRandom((o.seed ^ 0x5eed) >>> 0);
  const windowsPerClip = frames - o.contextFrames + 1;
  const perEpoch = o.windowsPerClip === null ? windowsPerClip : o.windowsPerClip;
  const starts = new Int32Array(count * perEpoch); // offset of each window's first value in `data`
  const batch = new Float32Array(o.batchSize * inputSize);
  const lossHistory: number[] = [];

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let k = 0;
    for (let c = 0; c < count; c++) {
      for (let w = 0; w < perEpoch; w++) {
        const t = o.windowsPerClip === null ? w : rng.nextInt(windowsPerClip);
        starts[k++] = (c * frames + t) * nMfcc;
      }
    }
    for (let i = starts.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const tmp = starts[i] as number;
      starts[i] = starts[j] as number;
      starts[j] = tmp;
    }
    let lossSum = 0;
    for (let from = 0; from < starts.length; from += o.batchSize) {
      const rows = Math.min(o.batchSize, starts.length - from);
      for (let b = 0; b < rows; b++) {
        const s = starts[from + b] as number;
        batch.set(data.subarray(s, s + inputSize), b * inputSize);
      }
      workspace.forward(batch, rows);
      lossSum += workspace.backwardMse(batch, batch, rows) * rows;
      adam.step(workspace.weightGradients, workspace.biasGradients);
    }
    const loss = lossSum / starts.length;
    lossHistory.push(loss);
    onEpoch?.(epoch, loss);
  }
  return {
    kind: "autoencoder",
    nMfcc,
    contextFrames: o.contextFrames,
    layerSizes: sizes,
    mean,
    scale,
    weights: layers.weights.map((w) => Array.from(w)),
    biases: layers.biases.map((b) => Array.from(b)),
    training: { ...o, clips: count, lossHistory },
  };
}

/** Windows forwarded per call when scoring. */
const SCORE_BATCH = 512;

/**
 * Anomaly score of each clip: the mean over all its windows (every start frame) of the mean
 * squared reconstruction error, in the standardised units of training. Higher = less like the
 * normal training clips.
 *
 * @param x  `[count][nMfcc][frames]` flat; nMfcc must be the model's
 * @returns  `[count]`
 */
export function scoreAutoencoder(
  model: AutoencoderModel,
  x: Float32Array,
  count: number,
  nMfcc: number,
  frames: number,
): Float64Array {
  if (nMfcc !== model.nMfcc) {
    throw new ShapeError(
      "scoreAutoencoder",
      `clips have ${nMfcc} MFCC coefficients, the model was trained on ${model.nMfcc}`,
      "compute the features with the training's settings",
    );
  }
  const scores = new Float64Array(count);
  if (count === 0) return scores;
  checkClips("scoreAutoencoder", x, count, nMfcc, frames, model.contextFrames);
  const data = frameMajorStandardised(x, count, nMfcc, frames, model.mean, model.scale);
  const inputSize = model.contextFrames * nMfcc;
  const windowsPerClip = frames - model.contextFrames + 1;
  const workspace = new DenseWorkspace(layersOf(model), SCORE_BATCH);
  const batch = new Float32Array(SCORE_BATCH * inputSize);
  const errors = new Float64Array(SCORE_BATCH);
  for (let c = 0; c < count; c++) {
    let sum = 0;
    for (let t0 = 0; t0 < windowsPerClip; t0 += SCORE_BATCH) {
      const rows = Math.min(SCORE_BATCH, windowsPerClip - t0);
      for (let b = 0; b < rows; b++) {
        const s = (c * frames + t0 + b) * nMfcc;
        batch.set(data.subarray(s, s + inputSize), b * inputSize);
      }
      workspace.forward(batch, rows);
      workspace.rowErrors(batch, rows, errors);
      for (let b = 0; b < rows; b++) sum += errors[b] as number;
    }
    scores[c] = sum / windowsPerClip;
  }
  return scores;
}
