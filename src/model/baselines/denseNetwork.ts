/**
 * A small fully connected network in plain TypeScript (Float32Array, one thread): ReLU hidden
 * layers, a linear output layer, mean-squared-error backpropagation on mini-batches, and Adam.
 * Every sum runs in a fixed order, so training is bit-for-bit reproducible under a seed on any
 * machine (no backend, no threads, and only +, *, / and sqrt, which IEEE 754 rounds exactly).
 */
import { SeededRandom } from "../../util/random";

/** Weights of a dense network. Layer l maps `sizes[l]` inputs to `sizes[l + 1]` outputs. */
export interface DenseLayers {
  /** Units per layer, input first, output last. */
  sizes: number[];
  /** Per layer, `[sizes[l + 1]][sizes[l]]` row-major (output-major, as PyTorch's Linear). */
  weights: Float32Array[];
  /** Per layer, `[sizes[l + 1]]`. */
  biases: Float32Array[];
}

/**
 * Glorot (Xavier) uniform weights, U(-a, a) with a = sqrt(6 / (fanIn + fanOut)), and zero
 * biases: Keras's default for Dense layers, which the DCASE autoencoder baseline uses.
 */
export function glorotUniformLayers(sizes: readonly number[], seed: number): DenseLayers {
  const rng = new SeededRandom(seed);
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l] as number;
    const fanOut = sizes[l + 1] as number;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
    weights.push(w);
    biases.push(new Float32Array(fanOut));
  }
  return { sizes: [...sizes], weights, biases };
}

/**
 * `c[i][j] = (bias ? bias[j] : 0) + sum_p a[i][p] * b[j][p]`, i.e. C = A Bᵀ (+ bias), with
 * `a` `[m][k]`, `b` `[n][k]`, `c` `[m][n]`, all row-major. Each sum runs over p in order, in
 * double precision, and is rounded to float32 once; the 4 x 2 blocks only share loads, so the
 * result does not depend on the blocking. (About 3x faster than the plain triple loop in V8.)
 */
export function multiplyTransposed(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  bias: Float32Array | null = null,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      const init0 = bias === null ? 0 : (bias[j] as number);
      const init1 = bias === null ? 0 : (bias[j + 1] as number);
      let s00 = init0,
        s01 = init1,
        s10 = init0,
        s11 = init1,
        s20 = init0,
        s21 = init1,
        s30 = init0,
        s31 = init1;
      for (let p = 0; p < k; p++) {
        const c0 = b[b0 + p] as number;
        const c1 = b[b1 + p] as number;
        let x = a[a0 + p] as number;
        s00 += x * c0;
        s01 += x * c1;
        x = a[a1 + p] as number;
        s10 += x * c0;
        s11 += x * c1;
        x = a[a2 + p] as number;
        s20 += x * c0;
        s21 += x * c1;
        x = a[a3 + p] as number;
        s30 += x * c0;
        s31 += x * c1;
      }
      const o = i * n + j;
      c[o] = s00;
      c[o + 1] = s01;
      c[o + n] = s10;
      c[o + n + 1] = s11;
      c[o + 2 * n] = s20;
      c[o + 2 * n + 1] = s21;
      c[o + 3 * n] = s30;
      c[o + 3 * n + 1] = s31;
    }
    for (; j < n; j++)
      for (let r = i; r < i + 4; r++)
        c[r * n + j] = dot(a, r * k, b, j * k, k, bias === null ? 0 : (bias[j] as number));
  }
  for (; i < m; i++)
    for (let j = 0; j < n; j++) c[i * n + j] = dot(a, i * k, b, j * k, k, bias === null ? 0 : (bias[j] as number));
}

/** `init + sum_p a[aFrom + p] * b[bFrom + p]`, p = 0..k-1 in order. */
function dot(a: Float32Array, aFrom: number, b: Float32Array, bFrom: number, k: number, init: number): number {
  let s = init;
  for (let p = 0; p < k; p++) s += (a[aFrom + p] as number) * (b[bFrom + p] as number);
  return s;
}

/** `dst[c][r] = src[r][c]` for a `[rows][cols]` source. */
export function transpose(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c] as number;
}

/**
 * Forward and backward passes of one network on mini-batches of up to `maxRows` rows, with the
 * activation and gradient buffers allocated once.
 */
export class DenseWorkspace {
  /** `activations[l]`: output of layer l (after ReLU for hidden layers), `[maxRows][sizes[l + 1]]`. */
  private readonly activations: Float32Array[];
  /** `deltas[l]`: gradient of the loss with respect to layer l's pre-activation output, `[maxRows][sizes[l + 1]]`. */
  private readonly deltas: Float32Array[];
  /** Scratch for transposes: `[max units][maxRows]` twice and `[max weights]`. */
  private readonly deltaT: Float32Array;
  private readonly inputT: Float32Array;
  private readonly weightT: Float32Array;
  /** Gradients of the last {@link backwardMse}, same layout as the layers. */
  readonly weightGradients: Float32Array[];
  readonly biasGradients: Float32Array[];

  constructor(
    readonly layers: DenseLayers,
    readonly maxRows: number,
  ) {
    const outs = layers.sizes.slice(1);
    const widest = Math.max(...layers.sizes);
    this.activations = outs.map((n) => new Float32Array(maxRows * n));
    this.deltas = outs.map((n) => new Float32Array(maxRows * n));
    this.deltaT = new Float32Array(maxRows * widest);
    this.inputT = new Float32Array(maxRows * widest);
    this.weightT = new Float32Array(Math.max(...layers.weights.map((w) => w.length)));
    this.weightGradients = layers.weights.map((w) => new Float32Array(w.length));
    this.biasGradients = layers.biases.map((b) => new Float32Array(b.length));
  }

  /**
   * Network output for `rows` rows of `input` (`[rows][sizes[0]]`): a view into the workspace,
   * valid until the next call.
   */
  forward(input: Float32Array, rows: number): Float32Array {
    const { sizes, weights, biases } = this.layers;
    const last = weights.length - 1;
    let x = input;
    for (let l = 0; l <= last; l++) {
      const n = sizes[l + 1] as number;
      const out = this.activations[l] as Float32Array;
      multiplyTransposed(x, weights[l] as Float32Array, out, rows, n, sizes[l] as number, biases[l] as Float32Array);
      if (l < last) for (let i = 0; i < rows * n; i++) if ((out[i] as number) < 0) out[i] = 0;
      x = out;
    }
    return (this.activations[last] as Float32Array).subarray(0, rows * (sizes[last + 1] as number));
  }

  /**
   * Squared error of each row of the last {@link forward} against `target` (`[rows][output]`):
   * the mean over the row's values, written to `out[b]`.
   */
  rowErrors(target: Float32Array, rows: number, out: Float64Array): void {
    const n = this.layers.sizes[this.layers.sizes.length - 1] as number;
    const y = this.activations[this.activations.length - 1] as Float32Array;
    for (let b = 0; b < rows; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const d = (y[b * n + j] as number) - (target[b * n + j] as number);
        s += d * d;
      }
      out[b] = s / n;
    }
  }

  /**
   * Gradients of the mean squared error (over all rows and outputs) of the last forward pass,
   * on `input` against `target`, into {@link weightGradients} / {@link biasGradients}.
   *
   * @returns  the mean squared error
   */
  backwardMse(input: Float32Array, target: Float32Array, rows: number): number {
    const { sizes, weights } = this.layers;
    const last = weights.length - 1;
    const nOut = sizes[last + 1] as number;
    const y = this.activations[last] as Float32Array;
    const top = this.deltas[last] as Float32Array;
    const scale = 2 / (rows * nOut);
    let loss = 0;
    for (let i = 0; i < rows * nOut; i++) {
      const d = (y[i] as number) - (target[i] as number);
      loss += d * d;
      top[i] = scale * d;
    }
    for (let l = last; l >= 0; l--) {
      const nIn = sizes[l] as number;
      const n = sizes[l + 1] as number;
      const delta = this.deltas[l] as Float32Array;
      const x = l === 0 ? input : (this.activations[l - 1] as Float32Array);
      // weight gradient [n][nIn] = deltaᵀ x: as C = A Bᵀ with A = deltaᵀ [n][rows], B = xᵀ [nIn][rows]
      transpose(delta, this.deltaT, rows, n);
      transpose(x, this.inputT, rows, nIn);
      multiplyTransposed(this.deltaT, this.inputT, this.weightGradients[l] as Float32Array, n, nIn, rows);
      const gb = this.biasGradients[l] as Float32Array;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let b = 0; b < rows; b++) s += this.deltaT[j * rows + b] as number;
        gb[j] = s;
      }
      if (l === 0) break;
      // delta of the layer below [rows][nIn] = delta w, as C = A Bᵀ with B = wᵀ [nIn][n],
      // then zero where that layer's ReLU was inactive (its output is 0)
      transpose(weights[l] as Float32Array, this.weightT, n, nIn);
      const below = this.deltas[l - 1] as Float32Array;
      multiplyTransposed(delta, this.weightT, below, rows, nIn, n);
      for (let i = 0; i < rows * nIn; i++) if ((x[i] as number) === 0) below[i] = 0;
    }
    return loss / (rows * nOut);
  }
}

/** Adam's settings (PyTorch's defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-8). */
export interface DenseAdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam over the weights and biases of a {@link DenseLayers}, in place, as `torch.optim.Adam`. */
export class DenseAdam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private beta1Power = 1;
  private beta2Power = 1;

  constructor(
    private readonly layers: DenseLayers,
    private readonly config: DenseAdamConfig,
  ) {
    const params = [...layers.weights, ...layers.biases];
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** One update from gradients laid out as the layers' weights and biases. */
  step(weightGradients: readonly Float32Array[], biasGradients: readonly Float32Array[]): void {
    const { learningRate, beta1, beta2, epsilon } = this.config;
    // powers by repeated multiplication (Math.pow need not round the same on every engine)
    this.beta1Power *= beta1;
    this.beta2Power *= beta2;
    const stepSize = learningRate / (1 - this.beta1Power);
    const correction2 = Math.sqrt(1 - this.beta2Power);
    const params = [...this.layers.weights, ...this.layers.biases];
    const grads = [...weightGradients, ...biasGradients];
    params.forEach((p, i) => {
      const g = grads[i] as Float32Array;
      const m = this.m[i] as Float32Array;
      const v = this.v[i] as Float32Array;
      for (let k = 0; k < p.length; k++) {
        const gk = g[k] as number;
        m[k] = beta1 * (m[k] as number) + (1 - beta1) * gk;
        v[k] = beta2 * (v[k] as number) + (1 - beta2) * gk * gk;
        p[k] = (p[k] as number) - (stepSize * (m[k] as number)) / (Math.sqrt(v[k] as number) / correction2 + epsilon);
      }
    });
  }
}
