/**
 * Constant gain, `gain * y`, computed as the float32 product numpy forms for a float32 clip
 * (`fround(gain) * y`, rounded once to float32).
 *
 * @param samples  mono signal, amplitude; not modified
 * @param _sampleRate  Hz; unused, kept so every augmentation has the same leading parameters
 * @param gain  linear amplitude factor (thesis: 0.8)
 * @returns  new array, same length
 */
export function applyGain(samples: Float32Array, _sampleRate: number, gain: number): Float32Array {
  const gain32 = Math.fround(gain);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = gain32 * (samples[i] as number);
  return out;
}
