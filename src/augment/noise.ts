import type { SeededRandom } from "../util/random";

/**
 * Additive white Gaussian noise, as the thesis does with
 * `y + noise_std * np.random.randn(len(y))`: one N(0, 1) draw per sample from `rng`, in sample
 * order, scaled by `std`. The sum is formed in float64 and rounded to float32 once.
 *
 * @param samples  mono signal, amplitude (full scale = 1); not modified
 * @param _sampleRate  Hz; unused, kept so every augmentation has the same leading parameters
 * @param std  noise standard deviation, amplitude (thesis: 0.010)
 * @param rng  seeded source of the noise; advanced by `samples.length` Gaussian draws
 * @returns  new array, same length as `samples`
 */
export function addGaussianNoise(
  samples: Float32Array,
  _sampleRate: number,
  std: number,
  rng: SeededRandom,
): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    out[i] = (samples[i] as number) + std * rng.gaussian();
  }
  return out;
}
