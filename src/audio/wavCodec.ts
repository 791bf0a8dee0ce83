/**
 * WAV bytes <-> samples, with no file system access, so the browser app can bundle it; the file
 * functions `decodeWavFile` and `writeWavFile` are in wav.ts, which re-exports everything here.
 */
import { WaveFile } from "wavefile";
import { AudioDecodeError, SoundcheckError } from "../errors";
import { roundHalfEven } from "../util/rounding";
import type { DecodedAudio } from "./decodedAudio";

/** Lowest sample rate accepted when decoding, Hz (below this a header is taken as corrupt). */
export const MIN_SAMPLE_RATE_HZ = 100;
/** Highest sample rate accepted when decoding, Hz (768 kHz is the highest rate audio hardware uses). */
export const MAX_SAMPLE_RATE_HZ = 768_000;
/** Most channels accepted when decoding (libsndfile's own limit, SF_MAX_CHANNELS). */
export const MAX_CHANNELS = 1024;

const FIX_REEXPORT =
  "re-export the file as PCM WAV (e.g. `ffmpeg -i in.wav -c:a pcm_s16le out.wav`), or move it out of the data set";

/** The header fields {@link encodeWav} adjusts before wavefile writes the header. */
interface WaveFileWritable {
  fact: { chunkId: string; chunkSize: number; dwSampleLength: number };
}

/** How a WAV file stores one sample. */
export type WavSampleEncoding =
  { kind: "pcm"; bytes: 1 | 2 | 3 | 4 } | { kind: "float"; bytes: 4 | 8 } | { kind: "mulaw" } | { kind: "alaw" };

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

const CODEC_NAMES: Record<number, string> = {
  0x0002: "Microsoft ADPCM",
  0x0011: "IMA ADPCM",
  0x0031: "GSM 6.10",
  0x0050: "MPEG audio",
  0x0055: "MP3",
  0x0040: "G.721 ADPCM",
  0x0064: "G.726 ADPCM",
  0x0161: "Windows Media Audio",
  0x00ff: "AAC",
  0x1610: "AAC",
};

/**
 * Random access to the bytes of a file: a whole file in memory ({@link memoryByteSource}), or
 * an open file read on demand (src/audio/streamWav.ts), so long recordings are decoded block
 * by block with the same header checks as short ones.
 */
export interface ByteSource {
  /** Length of the whole file, bytes. */
  readonly length: number;
  /**
   * Up to `length` bytes starting at `position`: fewer only where the file ends. The result may
   * be a view into a shared buffer, valid until the next call; callers must not modify it.
   */
  read(position: number, length: number): Uint8Array;
}

/** A {@link ByteSource} over bytes already in memory (reads are views, no copies). */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  return {
    length: bytes.length,
    read: (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)),
  };
}

/** Where a WAV file keeps its samples and how they are stored, as read from its header. */
export interface WavLayout {
  /** Hz. */
  sampleRateHz: number;
  channelCount: number;
  /** Complete frames in the data chunk (a trailing partial frame is dropped, as libsndfile does). */
  frames: number;
  /** Offset of the first sample in the file, bytes. */
  dataStart: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** False for RIFX (big-endian) files. */
  littleEndian: boolean;
  encoding: WavSampleEncoding;
  /** What is decoded, for messages and reports, e.g. `"WAV PCM 16-bit"`. */
  format: string;
}

/**
 * Decode WAV bytes exactly as libsndfile 1.2 (through python-soundfile, as librosa does) reads
 * them as float32: integer PCM is scaled to [-1, 1) by 2^(bits-1) (8-bit PCM is unsigned:
 * (x - 128) / 128), IEEE float32 is passed through, float64 is rounded to float32, mu-law and
 * A-law are expanded with the G.711 tables and divided by 32768.
 *
 * Reads RIFF (little-endian), RIFX (big-endian) and RF64 containers, WAVE_FORMAT_EXTENSIBLE,
 * any channel count up to {@link MAX_CHANNELS}. The header is read by {@link readWavLayout};
 * the samples are then read straight from the data chunk with a DataView (wavefile's
 * `getSamples` unpacks one sample at a time through generic code, about 15x slower on a long
 * file, and returns raw integers that would still need scaling).
 *
 * @param bytes  the whole file
 * @param source  file name used in error messages
 * @throws AudioDecodeError  for anything that is not a complete, finite, supported WAV
 */
export function decodeWav(bytes: Uint8Array, source: string): DecodedAudio {
  const layout = readWavLayout(memoryByteSource(bytes), source);
  const data = bytes.subarray(layout.dataStart, layout.dataStart + layout.frames * layout.blockAlign);
  const channels = decodeWavFrames(layout, data, 0, source);
  return { sampleRateHz: layout.sampleRateHz, channels, frames: layout.frames, format: layout.format };
}

/**
 * Read and check a WAV header: container, chunk layout, fmt chunk, data chunk size. Only the
 * header bytes are read, never the samples, and nothing is allocated from sizes the header
 * claims, so a corrupt header costs neither time nor memory.
 *
 * @param source  the file's bytes
 * @param name  file name used in error messages
 * @throws AudioDecodeError  for anything that is not a complete, supported WAV with at least one frame
 */
export function readWavLayout(source: ByteSource, name: string): WavLayout {
  const head = source.read(0, 12);
  if (source.length < 12 || head.length < 12) {
    throw new AudioDecodeError(
      name,
      `file is ${source.length} bytes long, too short to hold a WAV header`,
      FIX_REEXPORT,
    );
  }
  const magic = latin1(head, 0, 4);
  if (magic !== "RIFF" && magic !== "RIFX" && magic !== "RF64") {
    throw new AudioDecodeError(
      name,
      `not a WAV file: it starts with ${JSON.stringify(magic)}, not "RIFF"`,
      "check the file type; FLAC, MP3 and OGG files go through decodeAudioFile",
    );
  }
  if (latin1(head, 8, 12) !== "WAVE") {
    throw new AudioDecodeError(
      name,
      `RIFF file of type ${JSON.stringify(latin1(head, 8, 12))}, not "WAVE"`,
      FIX_REEXPORT,
    );
  }
  const littleEndian = magic !== "RIFX";
  const chunks = scanChunks(source, littleEndian, name);
  const fmt = readFmt(source, chunks.fmt, littleEndian, name);
  if (chunks.data === undefined) throw new AudioDecodeError(name, "no data chunk", FIX_REEXPORT);
  if (magic === "RF64" && chunks.ds64 === undefined) {
    throw new AudioDecodeError(name, 'invalid WAV header (Could not find the "ds64" chunk)', FIX_REEXPORT);
  }
  const encoding = encodingOf(fmt, name);

  const channelCount = fmt.numChannels;
  if (channelCount < 1 || channelCount > MAX_CHANNELS) {
    throw new AudioDecodeError(
      name,
      `header says ${channelCount} channels (accepted: 1 to ${MAX_CHANNELS})`,
      FIX_REEXPORT,
    );
  }
  const sampleRateHz = fmt.sampleRate;
  if (!(sampleRateHz >= MIN_SAMPLE_RATE_HZ && sampleRateHz <= MAX_SAMPLE_RATE_HZ)) {
    throw new AudioDecodeError(
      name,
      `header says the sample rate is ${sampleRateHz} Hz (accepted: ${MIN_SAMPLE_RATE_HZ} to ${MAX_SAMPLE_RATE_HZ} Hz)`,
      FIX_REEXPORT,
    );
  }

  const size = dataSize(source, magic, chunks, name);
  const bytesPerSample = encoding.kind === "pcm" || encoding.kind === "float" ? encoding.bytes : 1;
  const blockAlign = bytesPerSample * channelCount;
  // like libsndfile, a trailing partial frame is dropped
  const frames = Math.floor(size / blockAlign);
  if (frames === 0) {
    throw new AudioDecodeError(
      name,
      `the data chunk holds ${size} bytes, not one complete frame of ${blockAlign} bytes`,
      "the recording is empty: remove it from the data set",
    );
  }
  return {
    sampleRateHz,
    channelCount,
    frames,
    dataStart: chunks.data.start,
    blockAlign,
    littleEndian,
    encoding,
    format: `WAV ${describe(encoding)}`,
  };
}

/**
 * Decode consecutive frames of a WAV file's data chunk: de-interleave, scale as
 * {@link decodeWav} does, and reject NaN and infinite float samples.
 *
 * @param layout  the file's header, from {@link readWavLayout}
 * @param data  the frames' bytes: a whole number of frames (`layout.blockAlign` bytes each)
 * @param firstFrame  index of the first of these frames in the file (for error messages)
 * @param source  file name used in error messages
 * @returns  one array per channel, data.length / blockAlign samples each
 * @throws AudioDecodeError  on a NaN or infinite sample
 */
export function decodeWavFrames(
  layout: WavLayout,
  data: Uint8Array,
  firstFrame: number,
  source: string,
): Float32Array[] {
  const frames = Math.floor(data.length / layout.blockAlign);
  const view = new DataView(data.buffer, data.byteOffset, frames * layout.blockAlign);
  const channels = readSamples(view, layout.encoding, layout.channelCount, frames, layout.littleEndian);
  if (layout.encoding.kind === "float") assertFinite(channels, firstFrame, source);
  return channels;
}

/**
 * Sample encodings {@link encodeWav} can write: `"pcm16"` (python-soundfile's default WAV subtype)
 * or `"float32"` (IEEE float, lossless for float32 samples).
 */
export type WavWriteEncoding = "pcm16" | "float32";

const headerCache = new Map<string, Uint8Array>();

/**
 * wavefile's header for a mono file of this rate and encoding, sizes left at zero (cached: the
 * header is the same for every clip of a run, and building it costs more than packing a clip).
 */
function wavHeader(sampleRateHz: number, encoding: WavWriteEncoding): Uint8Array {
  const key = `${sampleRateHz}/${encoding}`;
  let head = headerCache.get(key);
  if (head === undefined) {
    const float = encoding === "float32";
    const wav = new WaveFile();
    wav.fromScratch(1, sampleRateHz, float ? "32f" : "16", float ? new Float32Array(0) : new Int16Array(0));
    if (float) {
      // libsndfile 1.2 writes float WAV with a fact chunk (and a PEAK chunk, left out here)
      const header = wav as unknown as WaveFileWritable;
      header.fact = { chunkId: "fact", chunkSize: 4, dwSampleLength: 0 };
    }
    head = wav.toBuffer();
    headerCache.set(key, head);
  }
  return head;
}

/**
 * Encode a mono signal as a WAV file's bytes: a canonical 44-byte header for PCM16; for float32
 * a 16-byte fmt chunk (format tag 3) followed by a fact chunk, as libsndfile 1.2 writes it.
 *
 * PCM16 quantises like python-soundfile 0.12 / libsndfile 1.2 `soundfile.write`: each sample
 * is scaled to 32-bit (x * 2^31, rounded to nearest, clipped to the int32 range) and the top
 * 16 bits are kept, i.e. floor(x * 32768) for all but a few values within 2^-16 of a step, with
 * +1.0 clipped to 32767 and -1.0 written as -32768. Reading back gives int16 / 32768, so a
 * round trip moves a sample down by at most 1/32768.
 *
 * @param samples  mono signal, float, nominally in [-1, 1]; must be finite
 * @param sampleRateHz  sample rate to record in the header, Hz (positive integer)
 * @param encoding  sample format, default `"pcm16"`
 * @returns  the file's bytes
 */
export function encodeWav(
  samples: Float32Array,
  sampleRateHz: number,
  encoding: WavWriteEncoding = "pcm16",
): Uint8Array {
  const head = encodeWavHeader(samples.length, sampleRateHz, encoding);
  const body = encodeWavSamples(samples, encoding);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/**
 * The header {@link encodeWav} writes for a mono file of `sampleCount` samples: the bytes that
 * precede the samples. With {@link encodeWavSamples} of consecutive blocks appended, a long file
 * can be written block by block, byte-identical to encoding it whole.
 *
 * @param sampleCount  number of samples the file will hold
 * @param sampleRateHz  Hz (positive integer)
 * @param encoding  sample format, default `"pcm16"`
 */
export function encodeWavHeader(
  sampleCount: number,
  sampleRateHz: number,
  encoding: WavWriteEncoding = "pcm16",
): Uint8Array {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 1 || sampleRateHz > 0xffffffff) {
    throw new SoundcheckError(
      "encodeWav",
      `sample rate ${sampleRateHz} Hz is not a positive integer`,
      "pass the rate in whole Hz, e.g. 22050",
    );
  }
  const float = encoding === "float32";
  const dataBytes = sampleCount * (float ? 4 : 2);
  const head = wavHeader(sampleRateHz, encoding).slice(); // ends with the data chunk's id and (zero) size
  if (head.length + dataBytes - 8 > 0xffffffff) {
    throw new SoundcheckError(
      "encodeWav",
      `${sampleCount} samples do not fit in a WAV file (4 GB at most)`,
      "cut the recording into shorter files",
    );
  }
  const view = new DataView(head.buffer);
  if (float) view.setUint32(head.length - 12, sampleCount, true); // the fact chunk's sample count
  view.setUint32(4, head.length + dataBytes - 8, true);
  view.setUint32(head.length - 4, dataBytes, true);
  return head;
}

/**
 * The sample bytes {@link encodeWav} writes after the header (PCM16 quantised as libsndfile
 * does, or float32), little-endian.
 *
 * @param samples  mono signal, float, nominally in [-1, 1]; must be finite
 * @param encoding  sample format, default `"pcm16"`
 */
export function encodeWavSamples(samples: Float32Array, encoding: WavWriteEncoding = "pcm16"): Uint8Array {
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i] as number)) {
      throw new SoundcheckError(
        "encodeWav",
        `sample ${i} is ${samples[i]}`,
        "remove NaN and infinite values before writing audio",
      );
    }
  }
  // the samples are packed with typed arrays: wavefile's own per-sample packing takes about 9 s
  // for an hour of 16 kHz audio
  const float = encoding === "float32";
  const out = new Uint8Array(samples.length * (float ? 4 : 2));
  const view = new DataView(out.buffer);
  if (float) {
    for (let i = 0; i < samples.length; i++) view.setFloat32(4 * i, samples[i] as number, true);
  } else {
    const pcm = quantizePcm16(samples);
    if (LITTLE_ENDIAN_HOST) new Int16Array(out.buffer, 0, pcm.length).set(pcm);
    else for (let i = 0; i < pcm.length; i++) view.setInt16(2 * i, pcm[i] as number, true);
  }
  return out;
}

/** Whether typed arrays on this machine are little-endian, as WAV data is. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float -> int16 the way libsndfile 1.2 writes PCM16 (via int32, keeping the top 16 bits). */
function quantizePcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] as number;
    // x is float32, so v = x·2^15 is exact. floor(round(x·2^31) / 2^16) is floor(v) unless the
    // rounding carries into the next step (fraction of v within 2^-17 of 1) or v is out of the
    // int16 range: those few take the exact path.
    const v = x * 32768;
    const f = Math.floor(v);
    out[i] = v - f < 0.99998 && f >= -32768 && f <= 32766 ? f : exactPcm16(x);
  }
  return out;
}

/** One sample as libsndfile quantises it: round half to even to int32 (clipped), top 16 bits. */
function exactPcm16(x: number): number {
  const scaled = x * 2147483648;
  const int32 = scaled >= 2147483647 ? 2147483647 : scaled <= -2147483648 ? -2147483648 : roundHalfEven(scaled);
  return Math.floor(int32 / 65536);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

interface ChunkLocation {
  /** Offset of the chunk's body in the file, bytes. */
  start: number;
  /** Size the chunk header declares, bytes. */
  size: number;
}

interface ChunkIndex {
  fmt?: ChunkLocation;
  data?: ChunkLocation;
  ds64?: ChunkLocation;
}

function u32(bytes: Uint8Array, at: number, littleEndian: boolean): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, littleEndian);
}

/**
 * Walk the top-level chunks to find the fmt, data and ds64 chunks (the first of each), reading
 * only chunk headers.
 *
 * It also rejects corrupt `cue ` and `smpl` counts (more entries than the chunk has room for),
 * as earlier versions did when wavefile parsed those chunks; they are not read otherwise.
 */
function scanChunks(source: ByteSource, littleEndian: boolean, name: string): ChunkIndex {
  const found: ChunkIndex = {};
  let offset = 12;
  while (offset + 8 <= source.length) {
    const header = source.read(offset, 8);
    const id = latin1(header, 0, 4);
    const size = u32(header, 4, littleEndian);
    const start = offset + 8;
    const available = Math.min(size, source.length - start);
    if (id === "fmt " && found.fmt === undefined) found.fmt = { start, size };
    else if (id === "data" && found.data === undefined) found.data = { start, size };
    else if (id === "ds64" && found.ds64 === undefined) found.ds64 = { start, size };
    else if (id === "cue " && available >= 4) {
      const count = u32(source.read(start, 4), 0, littleEndian);
      if (4 + count * 24 > available) {
        throw new AudioDecodeError(
          name,
          `its cue chunk lists ${count} cue points but has room for ${Math.floor((available - 4) / 24)}`,
          FIX_REEXPORT,
        );
      }
    } else if (id === "smpl" && available >= 36) {
      const count = u32(source.read(start + 28, 4), 0, littleEndian);
      if (36 + count * 24 > available) {
        throw new AudioDecodeError(
          name,
          `its smpl chunk lists ${count} loops but has room for ${Math.floor((available - 36) / 24)}`,
          FIX_REEXPORT,
        );
      }
    }
    offset = start + size + (size & 1);
  }
  return found;
}

/** The fmt chunk's fields (as wavefile names them). */
interface FmtChunk {
  /** Size the chunk header declares, bytes. */
  chunkSize: number;
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** The sub-format GUID as four 32-bit words (WAVE_FORMAT_EXTENSIBLE), or empty. */
  subformat: number[];
}

/** Read the fmt chunk: 16 bytes of basic fields, and the 40-byte WAVE_FORMAT_EXTENSIBLE form. */
function readFmt(source: ByteSource, chunk: ChunkLocation | undefined, littleEndian: boolean, name: string): FmtChunk {
  const body = chunk === undefined ? new Uint8Array(0) : source.read(chunk.start, Math.min(chunk.size, 40));
  if (chunk === undefined || chunk.size < 16 || body.length < 16) {
    throw new AudioDecodeError(
      name,
      "the fmt chunk is missing, shorter than 16 bytes or cut off by the end of the file",
      FIX_REEXPORT,
    );
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const subformat: number[] = [];
  if (chunk.size >= 40 && body.length >= 40)
    for (let i = 0; i < 4; i++) subformat.push(view.getUint32(24 + 4 * i, littleEndian));
  return {
    chunkSize: chunk.size,
    audioFormat: view.getUint16(0, littleEndian),
    numChannels: view.getUint16(2, littleEndian),
    sampleRate: view.getUint32(4, littleEndian),
    bitsPerSample: view.getUint16(14, littleEndian),
    subformat,
  };
}

function encodingOf(fmt: FmtChunk, source: string): WavSampleEncoding {
  let tag = fmt.audioFormat;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.chunkSize < 40 || fmt.subformat.length < 4) {
      throw new AudioDecodeError(
        source,
        `WAVE_FORMAT_EXTENSIBLE header with a ${fmt.chunkSize}-byte fmt chunk (40 needed)`,
        FIX_REEXPORT,
      );
    }
    // sub-format GUID {xxxxxxxx-0000-0010-8000-00aa00389b71}: the first 32 bits are the format tag
    const [code, d2, d3, d4] = fmt.subformat as [number, number, number, number];
    if (d2 !== 0x00100000 || d3 !== 0xaa000080 || d4 !== 0x719b3800) {
      throw new AudioDecodeError(
        source,
        "WAVE_FORMAT_EXTENSIBLE with a sub-format GUID that is not a standard audio format",
        FIX_REEXPORT,
      );
    }
    tag = code;
  }
  const bits = fmt.bitsPerSample;
  switch (tag) {
    case WAVE_FORMAT_PCM: {
      const bytes = Math.ceil(bits / 8);
      if (bits < 1 || bytes > 4) {
        throw new AudioDecodeError(
          source,
          `integer PCM with ${bits} bits per sample (supported: 8, 16, 24, 32)`,
          FIX_REEXPORT,
        );
      }
      return { kind: "pcm", bytes: bytes as 1 | 2 | 3 | 4 };
    }
    case WAVE_FORMAT_IEEE_FLOAT:
      if (bits !== 32 && bits !== 64) {
        throw new AudioDecodeError(source, `IEEE float with ${bits} bits per sample (supported: 32, 64)`, FIX_REEXPORT);
      }
      return { kind: "float", bytes: bits === 32 ? 4 : 8 };
    case WAVE_FORMAT_MULAW:
    case WAVE_FORMAT_ALAW:
      if (bits !== 8)
        throw new AudioDecodeError(
          source,
          `G.711 ${tag === WAVE_FORMAT_MULAW ? "mu-law" : "A-law"} with ${bits} bits per sample (must be 8)`,
          FIX_REEXPORT,
        );
      return { kind: tag === WAVE_FORMAT_MULAW ? "mulaw" : "alaw" };
    default: {
      const name = CODEC_NAMES[tag] ?? "unknown codec";
      throw new AudioDecodeError(
        source,
        `unsupported WAV codec: ${name} (format tag 0x${tag.toString(16).padStart(4, "0")})`,
        FIX_REEXPORT,
      );
    }
  }
}

/** Bytes of sample data the header declares, checked against what the file holds. */
function dataSize(source: ByteSource, container: string, chunks: ChunkIndex, name: string): number {
  const chunk = chunks.data as ChunkLocation;
  const available = source.length - chunk.start;
  let size = chunk.size;
  if (container === "RF64" && size === 0xffffffff) {
    // EBU Tech 3306: the 64-bit data size sits at bytes 8..15 of ds64, low word first
    const ds64 = chunks.ds64 as ChunkLocation;
    const body = source.read(ds64.start, 16);
    if (ds64.size < 16 || body.length < 16)
      throw new AudioDecodeError(name, "the RF64 ds64 chunk is shorter than 16 bytes", FIX_REEXPORT);
    size = u32(body, 8, true) + u32(body, 12, true) * 2 ** 32;
  } else if (size === 0xffffffff) {
    // streaming writers that could not seek back leave the size at -1: read to the end, as libsndfile does
    size = available;
  }
  if (size > available) {
    throw new AudioDecodeError(
      name,
      `data chunk claims ${size} bytes but the file holds ${available} after its header (truncated file)`,
      "re-export or re-copy the file, or remove it from the data set",
    );
  }
  return size;
}

function describe(encoding: WavSampleEncoding): string {
  switch (encoding.kind) {
    case "pcm":
      return `PCM ${encoding.bytes * 8}-bit`;
    case "float":
      return `IEEE float ${encoding.bytes * 8}-bit`;
    case "mulaw":
      return "G.711 mu-law";
    case "alaw":
      return "G.711 A-law";
  }
}

/** De-interleave and scale every sample; one tight loop per encoding. */
function readSamples(
  view: DataView,
  encoding: WavSampleEncoding,
  channelCount: number,
  frames: number,
  le: boolean,
): Float32Array[] {
  const channels: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) channels.push(new Float32Array(frames));
  const n = frames * channelCount;
  const out = channelCount === 1 ? (channels[0] as Float32Array) : new Float32Array(n);
  switch (encoding.kind) {
    case "pcm":
      switch (encoding.bytes) {
        case 1:
          for (let i = 0; i < n; i++) out[i] = (view.getUint8(i) - 128) / 128;
          break;
        case 2:
          if (le && LITTLE_ENDIAN_HOST && view.byteOffset % 2 === 0) {
            const ints = new Int16Array(view.buffer, view.byteOffset, n);
            for (let i = 0; i < n; i++) out[i] = (ints[i] as number) / 32768;
          } else {
            for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, le) / 32768;
          }
          break;
        case 3:
          for (let i = 0, p = 0; i < n; i++, p += 3) {
            const value = le
              ? view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)
              : (view.getInt8(p) << 16) | (view.getUint8(p + 1) << 8) | view.getUint8(p + 2);
            out[i] = value / 8388608;
          }
          break;
        case 4:
          // the float32 store rounds int32 to 24 significant bits, as libsndfile's (float) cast does
          for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, le) / 2147483648;
          break;
      }
      break;
    case "float":
      if (encoding.bytes === 4) for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, le);
      else for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, le);
      break;
    case "mulaw":
    case "alaw": {
      const table = g711Table(encoding.kind);
      for (let i = 0; i < n; i++) out[i] = table[view.getUint8(i)] as number;
      break;
    }
  }
  if (channelCount > 1) {
    for (let c = 0; c < channelCount; c++) {
      const ch = channels[c] as Float32Array;
      for (let f = 0, i = c; f < frames; f++, i += channelCount) ch[f] = out[i] as number;
    }
  }
  return channels;
}

const g711Tables: Partial<Record<"mulaw" | "alaw", Float32Array>> = {};

/** The 256 G.711 code words expanded to float (int16 / 32768), using wavefile's codec. */
function g711Table(kind: "mulaw" | "alaw"): Float32Array {
  let table = g711Tables[kind];
  if (table === undefined) {
    const codes = new Uint8Array(256).map((_, i) => i);
    const wav = new WaveFile();
    wav.fromScratch(1, 8000, kind === "mulaw" ? "8m" : "8a", codes);
    if (kind === "mulaw") wav.fromMuLaw("16");
    else wav.fromALaw("16");
    table = Float32Array.from(wav.getSamples(false, Int16Array) as unknown as Int16Array, (v) => v / 32768);
    g711Tables[kind] = table;
  }
  return table;
}

/** Reject the first NaN or infinite sample in file order (frame by frame, channels within a frame). */
function assertFinite(channels: Float32Array[], firstFrame: number, source: string): void {
  let frame = Infinity;
  for (const ch of channels) {
    for (let i = 0; i < ch.length && i < frame; i++) {
      if (!Number.isFinite(ch[i] as number)) {
        frame = i;
        break;
      }
    }
  }
  if (frame === Infinity) return;
  const c = channels.findIndex((ch) => !Number.isFinite(ch[frame] as number));
  const value = (channels[c] as Float32Array)[frame];
  throw new AudioDecodeError(
    source,
    `sample ${firstFrame + frame} of channel ${c} is ${value}`,
    "the file holds NaN or infinite values: regenerate it, or remove it from the data set",
  );
}
