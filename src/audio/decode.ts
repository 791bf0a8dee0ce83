import { readFile } from "node:fs/promises";
import { AudioDecodeError } from "../errors";
import type { DecodedAudio } from "./decodedAudio";
import { decodeAudioBytes } from "./decodeBytes";

// Sniffing and decoding (no file system) live in decodeBytes.ts so the browser app can bundle them.
export * from "./decodeBytes";

/**
 * Decode any supported audio file, choosing the decoder from the file's first bytes:
 * WAV (src/audio/wav.ts, libsndfile-exact), FLAC (@wasm-audio-decoders/flac), MP3
 * (mpg123-decoder) and Ogg Vorbis (@wasm-audio-decoders/ogg-vorbis). The three WebAssembly
 * decoders are ES modules, loaded on first use.
 *
 * @param path  file to read
 * @returns  every channel at the file's own rate
 * @throws AudioDecodeError  when the file cannot be read, is not a supported format, or the
 *   decoder reports errors or returns no samples
 */
export async function decodeAudioFile(path: string): Promise<DecodedAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AudioDecodeError(
      path,
      `cannot read the file (${(err as Error).message})`,
      "check that the path exists and is readable",
    );
  }
  return decodeAudioBytes(bytes, path);
}
