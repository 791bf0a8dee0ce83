import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { AudioDecodeError } from "../errors";
import { decodeWavFrames, readWavLayout, type ByteSource, type WavLayout } from "./wavCodec";

/** Bytes read from disk at a time when walking a header (chunk headers are 8 bytes apart or more). */
const HEADER_READ_BYTES = 64 * 1024;

/** A {@link ByteSource} over an open file, with a small read-ahead buffer; close it when done. */
export interface FileByteSource extends ByteSource {
  close(): void;
}

/**
 * Open a file for random-access reads. Short reads (headers) are served from a 64 KiB
 * read-ahead buffer; longer ones read exactly what is asked for.
 *
 * @throws AudioDecodeError  when the file cannot be opened
 */
export function openFileByteSource(path: string): FileByteSource {
  let fd: number;
  let length: number;
  try {
    fd = openSync(path, "r");
    length = fstatSync(fd).size;
  } catch (err) {
    throw new AudioDecodeError(
      path,
      `cannot read the file (${(err as Error).message})`,
      "check that the path exists and is readable",
    );
  }
  let cache = new Uint8Array(0);
  let cacheStart = 0;
  const readAt = (position: number, count: number): Uint8Array => {
    const out = new Uint8Array(Math.max(0, Math.min(count, length - position)));
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, position + done);
      if (n === 0) break; // the file shrank while we read it
      done += n;
    }
    return done === out.length ? out : out.subarray(0, done);
  };
  return {
    length,
    read(position, count) {
      if (count > HEADER_READ_BYTES) return readAt(position, count);
      if (position < cacheStart || position + Math.min(count, length - position) > cacheStart + cache.length) {
        cache = readAt(position, HEADER_READ_BYTES);
        cacheStart = position;
      }
      const from = position - cacheStart;
      return cache.subarray(from, Math.min(cache.length, from + count));
    },
    close() {
      closeSync(fd);
    },
  };
}

/** A WAV file opened for reading frame blocks, e.g. to process an hour-long recording in bounded memory. */
export interface WavStream {
  /** The header: rate, channels, frames, encoding. */
  readonly layout: WavLayout;
  /**
   * Decode `count` frames from frame `first` (clipped to the end of the data).
   *
   * @returns  one array per channel, scaled as {@link decodeWav} does
   * @throws AudioDecodeError  on NaN or infinite float samples, or when the file was cut short since it was opened
   */
  readFrames(first: number, count: number): Float32Array[];
  close(): void;
}

/**
 * Read a WAV file's header from a byte source and return a reader of frame blocks. Decoding all
 * blocks gives exactly what {@link decodeWav} gives for the whole file, and every header error
 * is the same AudioDecodeError.
 *
 * @param source  the file's bytes (closed by `close()` when it has a close method)
 * @param name  file name used in error messages
 */
export function openWavStream(source: ByteSource & { close?: () => void }, name: string): WavStream {
  let layout: WavLayout;
  try {
    layout = readWavLayout(source, name);
  } catch (err) {
    source.close?.();
    throw err;
  }
  return {
    layout,
    readFrames(first, count) {
      const n = Math.max(0, Math.min(count, layout.frames - first));
      const bytes = source.read(layout.dataStart + first * layout.blockAlign, n * layout.blockAlign);
      if (bytes.length < n * layout.blockAlign) {
        const endFrame = first + Math.floor(bytes.length / layout.blockAlign);
        throw new AudioDecodeError(
          name,
          `the file ended at frame ${endFrame} of ${layout.frames} while it was being read`,
          "make sure the file is not being written or moved during the run",
        );
      }
      return decodeWavFrames(layout, bytes, first, name);
    },
    close() {
      source.close?.();
    },
  };
}

/**
 * Open a WAV file on disk for block reads; see {@link openWavStream}.
 *
 * @throws AudioDecodeError  when the file cannot be read or its header is not a supported WAV
 */
export function openWavFile(path: string): WavStream {
  return openWavStream(openFileByteSource(path), path);
}

/**
 * True when the file starts like a WAV file (RIFF, RIFX or RF64 container of type WAVE), so it
 * can be read block by block. Reads 12 bytes; false for unreadable files.
 */
export function looksLikeWav(path: string): boolean {
  let source: FileByteSource;
  try {
    source = openFileByteSource(path);
  } catch {
    return false;
  }
  try {
    const head = source.read(0, 12);
    const text = String.fromCharCode(...head);
    return /^(RIFF|RIFX|RF64)....WAVE$/s.test(text);
  } finally {
    source.close();
  }
}
