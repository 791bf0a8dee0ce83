/**
 * The CNN's weights in PyTorch's layout, both ways: what scripts/reference/thesis_cnn.py's
 * `model.parameters()` holds for the same network, so weights can move between soundcheck-ts and
 * PyTorch (the parity test, importing a PyTorch-trained thesis model).
 *
 * Our 8 trainable weights (cnn.ts, tf.layers) and PyTorch's, in the same order:
 *   conv kernel  ours `[k][in][out]`            PyTorch Conv1d.weight `[out][in][k]`
 *   dense kernel ours `[t*C + c][units]`        PyTorch Linear.weight `[units][c*T + t]` (flatten
 *                                               orders differ, see flattenIndexFromTorch)
 *   logits       ours `[units][classes]`        PyTorch Linear.weight `[classes][units]`
 *   biases       `[out]` in both
 */
import { flattenIndexFromTorch, type CnnConfig, flattenedSize, THESIS_CNN } from "./cnn";

/** One parameter: its shape and row-major values. */
export interface LayoutTensor {
  shape: number[];
  data: Float32Array;
}

/** Transpose a row-major 3-D array `[a][b][c]` to `[c][b][a]`. */
function reverse3(data: Float32Array, [a, b, c]: [number, number, number]): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      for (let k = 0; k < c; k++) out[(k * b + j) * a + i] = data[(i * b + j) * c + k] as number;
  return out;
}

/** Transpose a row-major `[rows][cols]` matrix. */
function transpose2(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

function expectShape(what: string, got: readonly number[], want: readonly number[]): void {
  if (got.join() !== want.join()) throw new Error(`${what}: shape [${got.join(", ")}], expected [${want.join(", ")}]`);
}

/** The CNN's 8 tensors: conv1 kernel and bias, conv2 kernel and bias, dense, logits (kernel, bias each). */
type CnnTensors = [
  LayoutTensor,
  LayoutTensor,
  LayoutTensor,
  LayoutTensor,
  LayoutTensor,
  LayoutTensor,
  LayoutTensor,
  LayoutTensor,
];

/**
 * Our 8 trainable weights (in `model.trainableWeights` order, row-major) as PyTorch's parameters.
 * @param weights  as `model.getWeights()` gives them (shape and values)
 */
export function toTorchLayout(weights: readonly LayoutTensor[], config: CnnConfig = THESIS_CNN): LayoutTensor[] {
  if (weights.length !== 8) throw new Error(`expected the CNN's 8 weights, got ${weights.length}`);
  const [w1, b1, w2, b2, wd, bd, wo, bo] = weights as CnnTensors;
  const k = config.kernelSize;
  const flat = flattenedSize(config);
  expectShape("conv1 kernel", w1.shape, [k, config.nMfcc, config.conv1Filters]);
  expectShape("conv2 kernel", w2.shape, [k, config.conv1Filters, config.conv2Filters]);
  expectShape("dense kernel", wd.shape, [flat, config.denseUnits]);
  expectShape("logits kernel", wo.shape, [config.denseUnits, config.nClasses]);
  const dense = new Float32Array(flat * config.denseUnits);
  for (let i = 0; i < flat; i++) {
    const ours = flattenIndexFromTorch(i, config);
    for (let u = 0; u < config.denseUnits; u++) dense[u * flat + i] = wd.data[ours * config.denseUnits + u] as number;
  }
  return [
    { shape: [config.conv1Filters, config.nMfcc, k], data: reverse3(w1.data, [k, config.nMfcc, config.conv1Filters]) },
    { shape: [...b1.shape], data: b1.data.slice() },
    {
      shape: [config.conv2Filters, config.conv1Filters, k],
      data: reverse3(w2.data, [k, config.conv1Filters, config.conv2Filters]),
    },
    { shape: [...b2.shape], data: b2.data.slice() },
    { shape: [config.denseUnits, flat], data: dense },
    { shape: [...bd.shape], data: bd.data.slice() },
    { shape: [config.nClasses, config.denseUnits], data: transpose2(wo.data, config.denseUnits, config.nClasses) },
    { shape: [...bo.shape], data: bo.data.slice() },
  ];
}

/** PyTorch's 8 parameters (thesis_cnn.py's `model.parameters()` order) as our trainable weights. */
export function fromTorchLayout(params: readonly LayoutTensor[], config: CnnConfig = THESIS_CNN): LayoutTensor[] {
  if (params.length !== 8) throw new Error(`expected the CNN's 8 parameters, got ${params.length}`);
  const [w1, b1, w2, b2, wd, bd, wo, bo] = params as CnnTensors;
  const k = config.kernelSize;
  const flat = flattenedSize(config);
  expectShape("Conv1d 1 weight", w1.shape, [config.conv1Filters, config.nMfcc, k]);
  expectShape("Conv1d 2 weight", w2.shape, [config.conv2Filters, config.conv1Filters, k]);
  expectShape("Linear 1 weight", wd.shape, [config.denseUnits, flat]);
  expectShape("Linear 2 weight", wo.shape, [config.nClasses, config.denseUnits]);
  const dense = new Float32Array(flat * config.denseUnits);
  for (let i = 0; i < flat; i++) {
    const ours = flattenIndexFromTorch(i, config);
    for (let u = 0; u < config.denseUnits; u++) dense[ours * config.denseUnits + u] = wd.data[u * flat + i] as number;
  }
  return [
    { shape: [k, config.nMfcc, config.conv1Filters], data: reverse3(w1.data, [config.conv1Filters, config.nMfcc, k]) },
    { shape: [...b1.shape], data: b1.data.slice() },
    {
      shape: [k, config.conv1Filters, config.conv2Filters],
      data: reverse3(w2.data, [config.conv2Filters, config.conv1Filters, k]),
    },
    { shape: [...b2.shape], data: b2.data.slice() },
    { shape: [flat, config.denseUnits], data: dense },
    { shape: [...bd.shape], data: bd.data.slice() },
    { shape: [config.denseUnits, config.nClasses], data: transpose2(wo.data, config.nClasses, config.denseUnits) },
    { shape: [...bo.shape], data: bo.data.slice() },
  ];
}
