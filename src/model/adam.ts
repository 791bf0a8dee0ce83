/**
 * Adam as PyTorch's `torch.optim.Adam` computes it (no weight decay, no amsgrad), in float32:
 *
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
 *
 * tf.train.adam evaluates the same formula with ~12 tensor ops *per variable*; for this small
 * model (8 variables, 55k parameters) those op dispatches cost more than the arithmetic. Here all
 * variables are updated as one flat vector (concatenate, ~10 element-wise ops, split), so a step
 * costs the same few dozen kernel calls whatever the number of variables. Each update assigns
 * fresh tensors to the variables (never writes into the old ones), which keeps the wasm backend's
 * XNNPACK operator cache, keyed by tensor id, valid.
 */
import * as tf from "@tensorflow/tfjs";

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** PyTorch's defaults (tfjs's differ only in epsilon: 1e-7). */
export const PYTORCH_ADAM: Readonly<AdamConfig> = Object.freeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
});

export class FlatAdam {
  private readonly sizes: number[];
  private m: tf.Tensor1D;
  private v: tf.Tensor1D;
  private t = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly config: AdamConfig = PYTORCH_ADAM,
  ) {
    this.sizes = variables.map((x) => x.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.zeros([total]);
    this.v = tf.zeros([total]);
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.t;
  }

  /**
   * Apply one update.
   * @param grads  one gradient per variable, in the constructor's order, same shapes
   */
  step(grads: readonly tf.Tensor[]): void {
    this.variables.forEach((variable, i) => {
      if (grads[i]?.size !== variable.size)
        throw new Error(`Adam: no gradient of size ${variable.size} for ${variable.name}`);
    });
    this.update(() => tf.concat(grads.map((x) => tf.reshape(x, [-1]))) as tf.Tensor1D);
  }

  /**
   * Apply one update from a flat gradient: the variables' gradients concatenated in the
   * constructor's order, each flattened row-major (the layout of {@link parameters}).
   * @param grad  length = total number of parameters
   */
  stepFlat(grad: Float32Array): void {
    if (grad.length !== this.size)
      throw new Error(`Adam: flat gradient has ${grad.length} values, the variables ${this.size}`);
    this.update(() => tf.tensor1d(grad, "float32"));
  }

  /** Total number of parameters (length of the flat vector). */
  get size(): number {
    return this.sizes.reduce((a, b) => a + b, 0);
  }

  /** The variables' current values as one flat vector, in the layout {@link stepFlat} takes. */
  parameters(): Float32Array {
    const flat = tf.tidy(() => tf.concat(this.variables.map((x) => tf.reshape(x, [-1]))));
    const out = flat.dataSync() as Float32Array;
    flat.dispose();
    return out;
  }

  private update(gradient: () => tf.Tensor1D): void {
    const { learningRate, beta1, beta2, epsilon } = this.config;
    this.t++;
    const stepSize = learningRate / (1 - beta1 ** this.t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** this.t);
    const [m, v] = tf.tidy(() => {
      const g = gradient();
      const m1 = tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1)) as tf.Tensor1D;
      const v1 = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2)) as tf.Tensor1D;
      const update = tf.div(tf.mul(m1, stepSize), tf.add(tf.mul(tf.sqrt(v1), invSqrtBc2), epsilon));
      const p = tf.sub(tf.concat(this.variables.map((x) => tf.reshape(x, [-1]))), update);
      tf.split(p, this.sizes).forEach((part, i) => {
        const variable = this.variables[i] as tf.Variable;
        variable.assign(tf.reshape(part, variable.shape));
      });
      return [m1, v1];
    });
    this.m.dispose();
    this.v.dispose();
    this.m = m as tf.Tensor1D;
    this.v = v as tf.Tensor1D;
  }

  /** Free the moment estimates. */
  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
