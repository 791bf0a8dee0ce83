import { mkdirSync, writeFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { WaveFile } from "wavefile";

/** Interleaved-free PCM16 WAV bytes of one or more channels. */
export function pcm16Wav(channels: Float32Array[], sampleRateHz: number): Uint8Array {
  const wav = new WaveFile();
  const ints = channels.map((c) => Int16Array.from(c, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32767)));
  wav.fromScratch(channels.length, sampleRateHz, "16", channels.length === 1 ? ints[0]! : ints);
  return wav.toBuffer();
}

/** A sine plus deterministic pseudo-noise, `seconds` long at `rate`. */
export function tone(
  seconds: number,
  rate: number,
  freqHz: number,
  amplitude: number,
  noise: number,
  seed: number,
): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / rate) + noise * (s / 2 ** 32 - 0.5);
  }
  return out;
}

/**
 * A tiny data root: 2 broken recordings of 6.5 s at 16 kHz mono (2 chunks each), 1 broken of
 * 1 s (too short for a chunk), a text file named .wav, a hidden file; 3 normal recordings of
 * 3.2 s at 44.1 kHz stereo.
 */
export function makeTinyDataset(root: string): void {
  const broken = join(root, "broken_audio");
  const normal = join(root, "normal_audio");
  mkdirSync(broken, { recursive: true });
  mkdirSync(normal, { recursive: true });
  writeFileSync(join(broken, "pump a.wav"), pcm16Wav([tone(6.5, 16000, 1000, 0.3, 0.4, 1)], 16000));
  writeFileSync(join(broken, "pump_b.wav"), pcm16Wav([tone(6.5, 16000, 1200, 0.3, 0.4, 2)], 16000));
  writeFileSync(join(broken, "short.wav"), pcm16Wav([tone(1, 16000, 1000, 0.3, 0.4, 3)], 16000));
  writeFileSync(join(broken, "notes.wav"), "this is not audio\n");
  writeFileSync(join(broken, ".DS_Store"), "junk");
  for (let i = 0; i < 3; i++) {
    const left = tone(3.2, 44100, 300 + 20 * i, 0.4, 0.02, 10 + i);
    const right = tone(3.2, 44100, 300 + 20 * i, 0.2, 0.02, 20 + i);
    writeFileSync(join(normal, `normal_${i}.wav`), pcm16Wav([left, right], 44100));
  }
}

/** sha256 of every file in a folder, by name. */
export function folderHashes(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) {
    const p = join(folder, name);
    if (statSync(p).isFile()) out[name] = createHash("sha256").update(readFileSync(p)).digest("hex");
  }
  return out;
}
