/**
 * Time reversal, `y[::-1]`.
 *
 * @param samples  mono signal; not modified
 * @param _sampleRate  Hz; unused, kept so every augmentation has the same leading parameters
 * @returns  new array, same length, `out[i] = samples[n - 1 - i]`
 */
export function reverseSamples(samples: Float32Array, _sampleRate: number): Float32Array {
  return samples.slice().reverse();
}
