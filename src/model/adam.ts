/**
 * Adam, computed in JS on float32 copies of the parameters, exactly as PyTorch's `torch.optim.Adam`
 * (no weight decay, no amsgrad):
 *
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)   (PyTorch's order of operations)
 *
 * tf.train.adam computes the same formula with ~12 tensor ops per variable; for this small model
 * (55k parameters) those op dispatches cost more than the arithmetic, so doing it in one JS loop
 * per variable makes a mini-batch step noticeably faster on every backend. Each update assigns a
 * fresh tensor to the variable (never writes into the old one), which keeps the wasm backend's
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
export const PYTORCH_ADAM: Readonly<AdamConfig> = Object.freeze({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

export class JsAdam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(private readonly variables: readonly tf.Variable[], private readonly config: AdamConfig = PYTORCH_ADAM) {
    this.m = variables.map((x) => new Float32Array(x.size));
    this.v = variables.map((x) => new Float32Array(x.size));
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
    const { learningRate, beta1, beta2, epsilon } = this.config;
    this.t++;
    // PyTorch's arrangement: p -= (lr / bc1) · m / (√v / √bc2 + ε)
    const stepSize = learningRate / (1 - beta1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.t);
    const oneMinusBeta1 = 1 - beta1;
    const oneMinusBeta2 = 1 - beta2;
    this.variables.forEach((variable, i) => {
      const grad = grads[i];
      if (grad === undefined || grad.size !== variable.size) throw new Error(`JsAdam: no gradient of size ${variable.size} for ${variable.name}`);
      const g = grad.dataSync() as Float32Array;
      // a copy: on the cpu backend dataSync returns the tensor's own storage
      const p = (variable.dataSync() as Float32Array).slice();
      const m = this.m[i] as Float32Array;
      const v = this.v[i] as Float32Array;
      for (let k = 0; k < p.length; k++) {
        const gk = g[k] as number;
        const mk = (m[k] = beta1 * (m[k] as number) + oneMinusBeta1 * gk);
        const vk = (v[k] = beta2 * (v[k] as number) + oneMinusBeta2 * gk * gk);
        p[k] = (p[k] as number) - (stepSize * mk) / (Math.sqrt(vk) / sqrtBc2 + epsilon);
      }
      const next = tf.tensor(p, variable.shape, "float32");
      variable.assign(next);
      next.dispose();
    });
  }
}
