/**
 * How recordings are cut into the fixed-length clips the model sees. No file system access, so
 * the browser app uses the very same rules as the clean stage and `soundcheck predict`.
 */

/**
 * Cut a signal into consecutive chunks of `chunkSamples` samples, dropping the short remainder.
 *
 * @returns  views into `samples` (not copies), floor(samples.length / chunkSamples) of them
 */
export function cutIntoChunks(samples: Float32Array, chunkSamples: number): Float32Array[] {
  const count = Math.floor(samples.length / chunkSamples);
  return Array.from({ length: count }, (_, i) => samples.subarray(i * chunkSamples, (i + 1) * chunkSamples));
}

/**
 * The windows a recording is classified in (`soundcheck predict`, the browser app): its
 * consecutive chunks of `chunkSamples` samples, or the whole recording when it is shorter than
 * one chunk (the feature function then pads it to the model's frame count).
 *
 * @returns  at least one window; views into `samples`
 */
export function predictionWindows(samples: Float32Array, chunkSamples: number): Float32Array[] {
  const chunks = cutIntoChunks(samples, chunkSamples);
  return chunks.length > 0 ? chunks : [samples];
}
