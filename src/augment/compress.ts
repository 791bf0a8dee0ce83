/**
 * Soft saturation `np.tanh(drive * y)`, a memoryless compressor: small amplitudes are scaled by
 * about `drive`, large ones approach ±1. `drive * y` is the float32 product (as numpy computes it
 * for a float32 clip); tanh is evaluated in float64 and rounded to float32, which is within one
 * float32 ulp of numpy's float32 tanh.
 *
 * @param samples  mono signal, amplitude; not modified
 * @param _sampleRate  Hz; unused, kept so every augmentation has the same leading parameters
 * @param drive  gain before the tanh (thesis: 0.8)
 * @returns  new array, same length, values in (-1, 1)
 */
export function tanhCompress(samples: Float32Array, _sampleRate: number, drive: number): Float32Array {
  const drive32 = Math.fround(drive);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    out[i] = Math.tanh(Math.fround(drive32 * (samples[i] as number)));
  }
  return out;
}
