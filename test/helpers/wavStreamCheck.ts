import { openWavStream } from "../../src/audio/streamWav";
import { decodeWav, memoryByteSource } from "../../src/audio/wavCodec";
import type { DecodedAudio } from "../../src/audio/decodedAudio";

/** Frames per block when reading through the streaming reader (odd, to cross frame boundaries often). */
const BLOCK_FRAMES = 97;

function outcome(read: () => DecodedAudio): { audio: DecodedAudio } | { error: unknown } {
  try {
    return { audio: read() };
  } catch (error) {
    return { error };
  }
}

function streamed(bytes: Uint8Array, name: string): DecodedAudio {
  const stream = openWavStream(memoryByteSource(bytes), name);
  const { frames, channelCount, sampleRateHz, format } = stream.layout;
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let first = 0; first < frames; first += BLOCK_FRAMES) {
    stream.readFrames(first, BLOCK_FRAMES).forEach((block, c) => (channels[c] as Float32Array).set(block, first));
  }
  return { sampleRateHz, channels, frames, format };
}

/**
 * Decode WAV bytes whole and block by block through the streaming reader, and say how the two
 * differ (null when they agree: the same samples, or the same error message).
 */
export function checkWavStreamAgrees(bytes: Uint8Array, name: string): string | null {
  const whole = outcome(() => decodeWav(bytes, name));
  const blocks = outcome(() => streamed(bytes, name));
  if ("error" in whole && "error" in blocks) {
    const a = String(whole.error);
    const b = String(blocks.error);
    return a === b ? null : `whole-file error "${a}" but streaming error "${b}"`;
  }
  if ("error" in whole) return `streaming decoded what decodeWav rejects (${String(whole.error)})`;
  if ("error" in blocks) return `streaming rejects what decodeWav decodes (${String(blocks.error)})`;
  const [a, b] = [whole.audio, blocks.audio];
  if (
    a.sampleRateHz !== b.sampleRateHz ||
    a.frames !== b.frames ||
    a.channels.length !== b.channels.length ||
    a.format !== b.format
  ) {
    return `header differs: ${a.sampleRateHz} Hz ${a.frames} frames ${a.channels.length} ch vs ${b.sampleRateHz} Hz ${b.frames} frames ${b.channels.length} ch`;
  }
  for (let c = 0; c < a.channels.length; c++) {
    const x = a.channels[c] as Float32Array;
    const y = b.channels[c] as Float32Array;
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return `channel ${c} sample ${i}: ${x[i]} vs ${y[i]}`;
  }
  return null;
}
