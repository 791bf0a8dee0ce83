/**
 * Hard clipping, `np.clip(y, -level, level)`. The bounds are the float32 nearest to ±level
 * (numpy casts the Python floats to the clip's float32 dtype), e.g. 0.95 -> 0.949999988.
 *
 * @param samples  mono signal, amplitude; not modified
 * @param _sampleRate  Hz; unused, kept so every augmentation has the same leading parameters
 * @param level  clipping threshold, amplitude ≥ 0 (thesis: 0.95)
 * @returns  new array, same length, values in [-level, level]
 */
export function hardClip(samples: Float32Array, _sampleRate: number, level: number): Float32Array {
  const hi = Math.fround(level);
  const lo = -hi;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] as number;
    out[i] = x > hi ? hi : x < lo ? lo : x;
  }
  return out;
}
