/**
 * Audio bytes -> samples for every supported container, with no file system access, so the
 * browser app can bundle it; `decodeAudioFile` (read + decode) is in decode.ts, which
 * re-exports everything here.
 */
import { AudioDecodeError } from "../errors";
import type { DecodedAudio } from "./decodedAudio";
import { decodeWav } from "./wavCodec";

/** Containers {@link sniffAudioFormat} recognises. */
export type AudioContainer = "wav" | "flac" | "mp3" | "ogg-vorbis";

const FIX_CONVERT =
  "convert it to WAV or FLAC (e.g. `ffmpeg -i in.xyz -c:a pcm_s16le out.wav`), or remove it from the data set";

/**
 * Recognise an audio file by its first bytes (never by its name): RIFF/RIFX/RF64 WAVE, FLAC
 * (`fLaC`, also behind an ID3v2 tag), MPEG audio layer I-III (an ID3v2 tag or a frame sync),
 * and Ogg Vorbis (`OggS` whose first packet is a Vorbis identification header).
 *
 * @param bytes  the start of the file (the first few kB are enough, unless an ID3 tag is large)
 * @param source  file name for error messages
 * @throws AudioDecodeError  naming what the file seems to be when it is none of these
 */
export function sniffAudioFormat(bytes: Uint8Array, source: string): AudioContainer {
  const ascii = (start: number, length: number): string => {
    let s = "";
    for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
    return s;
  };
  if (bytes.length < 4) {
    throw new AudioDecodeError(source, `file is ${bytes.length} bytes long, too short to be audio`, FIX_CONVERT);
  }
  const head = ascii(0, 4);
  if ((head === "RIFF" || head === "RIFX" || head === "RF64") && ascii(8, 4) === "WAVE") return "wav";
  if (head === "fLaC") return "flac";
  if (head === "OggS") {
    // the first page's segment table starts at byte 27; its first packet follows the table
    const segments = bytes[26] ?? 0;
    const packet = 27 + segments;
    if (bytes[packet] === 0x01 && ascii(packet + 1, 6) === "vorbis") return "ogg-vorbis";
    const codec = ascii(packet, 8).startsWith("OpusHead")
      ? "Opus"
      : ascii(packet + 1, 4) === "FLAC"
        ? "FLAC"
        : "an unknown codec";
    throw new AudioDecodeError(source, `Ogg file holding ${codec}; only Ogg Vorbis is supported`, FIX_CONVERT);
  }
  const offset = id3v2Length(bytes);
  if (offset > 0) {
    if (ascii(offset, 4) === "fLaC") return "flac";
    if (offset >= bytes.length) return "mp3"; // only the tag was given: MP3 is what carries ID3 tags
  }
  const b0 = bytes[offset];
  const b1 = bytes[offset + 1];
  if (b0 === 0xff && b1 !== undefined && (b1 & 0xe0) === 0xe0) {
    // frame sync; layer bits 00 are reserved in MPEG audio and mean AAC in ADTS
    if ((b1 & 0x06) !== 0) return "mp3";
    throw new AudioDecodeError(source, "AAC (ADTS) audio is not supported", FIX_CONVERT);
  }
  throw new AudioDecodeError(
    source,
    `not a supported audio file (${describeUnknown(ascii(0, 4), ascii(4, 4), ascii(8, 4))})`,
    FIX_CONVERT,
  );
}

/** Length of a leading ID3v2 tag, bytes (0 when there is none). */
function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0; // "ID3"
  // 10-byte header, then a "syncsafe" 28-bit size (7 bits per byte), plus a 10-byte footer when flagged
  const size =
    (((bytes[6] as number) & 0x7f) << 21) |
    (((bytes[7] as number) & 0x7f) << 14) |
    (((bytes[8] as number) & 0x7f) << 7) |
    ((bytes[9] as number) & 0x7f);
  return 10 + size + (((bytes[5] as number) & 0x10) !== 0 ? 10 : 0);
}

function describeUnknown(head: string, second: string, third: string): string {
  if (head === "FORM" && (third === "AIFF" || third === "AIFC")) return "AIFF";
  if (second === "ftyp") return "MP4/M4A";
  if (head === "caff") return "Core Audio Format";
  if (head === "RIFF") return "a RIFF file that is not WAVE";
  return `starts with bytes ${Array.from(head, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(" ")}`;
}

/**
 * Decode a whole audio file held in memory, choosing the decoder from its first bytes: WAV
 * (wavCodec.ts, libsndfile-exact), FLAC (@wasm-audio-decoders/flac), MP3 (mpg123-decoder) and
 * Ogg Vorbis (@wasm-audio-decoders/ogg-vorbis). The three WebAssembly decoders are ES modules,
 * loaded on first use. `decodeAudioFile` (decode.ts) reads a file and calls this.
 *
 * @param bytes  the file's bytes
 * @param source  file name for error messages
 * @returns  every channel at the file's own rate
 * @throws AudioDecodeError  when the bytes are not a supported format, or the decoder reports
 *   errors or returns no samples
 */
export async function decodeAudioBytes(bytes: Uint8Array, source: string): Promise<DecodedAudio> {
  const container = sniffAudioFormat(bytes, source);
  switch (container) {
    case "wav":
      return decodeWav(bytes, source);
    case "flac":
      return decodeFlac(bytes, source);
    case "mp3":
      return decodeMp3(bytes, source);
    case "ogg-vorbis":
      return decodeOggVorbis(bytes, source);
  }
}

/** What the three WebAssembly decoders return. */
interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: Array<{ message: string; frameNumber: number }>;
}

async function decodeFlac(bytes: Uint8Array, source: string): Promise<DecodedAudio> {
  const { FLACDecoder } = await import("@wasm-audio-decoders/flac");
  const decoder = new FLACDecoder();
  try {
    await decoder.ready;
    const result = await decoder.decodeFile(bytes);
    return rescaleFlac(checked(result, "FLAC", source), result.bitDepth);
  } catch (err) {
    throw wrap(err, "FLAC", source);
  } finally {
    decoder.free();
  }
}

async function decodeMp3(bytes: Uint8Array, source: string): Promise<DecodedAudio> {
  const { MPEGDecoder } = await import("mpg123-decoder");
  const decoder = new MPEGDecoder();
  try {
    await decoder.ready;
    const audio = checked(decoder.decode(bytes), "MP3", source);
    // mpg123-decoder always returns two channels; libsndfile returns one for a mono stream
    if (audio.channels.length === 2 && isMonoMpeg(bytes)) audio.channels = audio.channels.slice(0, 1);
    return audio;
  } catch (err) {
    throw wrap(err, "MP3", source);
  } finally {
    decoder.free();
  }
}

async function decodeOggVorbis(bytes: Uint8Array, source: string): Promise<DecodedAudio> {
  const { OggVorbisDecoder } = await import("@wasm-audio-decoders/ogg-vorbis");
  const decoder = new OggVorbisDecoder();
  try {
    await decoder.ready;
    return checked(await decoder.decodeFile(bytes), "Ogg Vorbis", source);
  } catch (err) {
    throw wrap(err, "Ogg Vorbis", source);
  } finally {
    decoder.free();
  }
}

/**
 * @wasm-audio-decoders/flac divides b-bit integers by 2^(b-1) - 1; libsndfile (so librosa)
 * divides by 2^(b-1). The integers are recovered exactly (for b <= 24 the float32 error is
 * below a quarter step) and rescaled, so FLAC decodes exactly like the same audio in a WAV.
 */
function rescaleFlac(audio: DecodedAudio, bitDepth: number): DecodedAudio {
  if (!(bitDepth >= 4 && bitDepth <= 32)) return audio;
  const decoderScale = 2 ** (bitDepth - 1) - 1;
  const libsndfileScale = 2 ** (bitDepth - 1);
  for (const ch of audio.channels) {
    for (let i = 0; i < ch.length; i++) ch[i] = Math.round((ch[i] as number) * decoderScale) / libsndfileScale;
  }
  return audio;
}

/** True when the first MPEG audio frame (after any ID3v2 tag) is in single-channel mode. */
function isMonoMpeg(bytes: Uint8Array): boolean {
  const offset = id3v2Length(bytes);
  for (let i = offset; i + 3 < bytes.length && i < offset + 65536; i++) {
    if (bytes[i] === 0xff && ((bytes[i + 1] as number) & 0xe0) === 0xe0 && ((bytes[i + 1] as number) & 0x06) !== 0) {
      return (((bytes[i + 3] as number) >> 6) & 0x03) === 3;
    }
  }
  return false;
}

function wrap(err: unknown, codec: string, source: string): AudioDecodeError {
  if (err instanceof AudioDecodeError) return err;
  return new AudioDecodeError(
    source,
    `the ${codec} decoder failed (${(err as Error)?.message ?? String(err)})`,
    FIX_CONVERT,
  );
}

/** Turn a decoder's result into DecodedAudio, or throw if it reports errors or holds nothing. */
function checked(result: WasmDecoded, codec: string, source: string): DecodedAudio {
  if (result.errors.length > 0) {
    const first = result.errors[0] as { message: string; frameNumber: number };
    const count = `${result.errors.length} ${codec} frame(s) failed to decode`;
    throw new AudioDecodeError(source, `${count} (first, frame ${first.frameNumber}: ${first.message})`, FIX_CONVERT);
  }
  const frames = result.samplesDecoded;
  const channels = result.channelData.map((ch) => (ch.length === frames ? ch : ch.slice(0, frames)));
  if (frames === 0 || channels.length === 0) {
    throw new AudioDecodeError(source, `the ${codec} decoder found no audio in the file`, FIX_CONVERT);
  }
  if (!(result.sampleRate > 0)) {
    throw new AudioDecodeError(
      source,
      `the ${codec} stream reports a sample rate of ${result.sampleRate} Hz`,
      FIX_CONVERT,
    );
  }
  for (let c = 0; c < channels.length; c++) {
    const ch = channels[c] as Float32Array;
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i] as number)) {
        throw new AudioDecodeError(source, `sample ${i} of channel ${c} decodes to ${ch[i]}`, FIX_CONVERT);
      }
    }
  }
  return { sampleRateHz: result.sampleRate, channels, frames, format: codec };
}
