import { readFileSync } from "node:fs";
import { AudioDecodeError } from "../errors";
import { writeFileAtomic } from "../util/atomicWrite";
import type { DecodedAudio } from "./decodedAudio";
import { decodeWav, encodeWav, type WavWriteEncoding } from "./wavCodec";

// The codec itself (no file system) lives in wavCodec.ts so the browser app can bundle it.
export * from "./wavCodec";

/**
 * Read and decode a WAV file; see {@link decodeWav}.
 *
 * @param path  file to read
 * @throws AudioDecodeError  when the file cannot be read or decoded
 */
export function decodeWavFile(path: string): DecodedAudio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new AudioDecodeError(
      path,
      `cannot read the file (${(err as Error).message})`,
      "check that the path exists and is readable",
    );
  }
  return decodeWav(bytes, path);
}

/**
 * Write a mono signal as a WAV file, atomically (see {@link encodeWav} for the format).
 *
 * @param path  destination file; folders are created as needed
 * @param samples  mono signal, float, nominally in [-1, 1]
 * @param sampleRateHz  Hz
 * @param encoding  sample format, default `"pcm16"`
 */
export function writeWavFile(
  path: string,
  samples: Float32Array,
  sampleRateHz: number,
  encoding: WavWriteEncoding = "pcm16",
): void {
  writeFileAtomic(path, encodeWav(samples, sampleRateHz, encoding));
}
