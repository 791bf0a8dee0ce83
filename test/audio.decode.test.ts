import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAudioFile, sniffAudioFormat } from "../src/audio/decode";
import { loadAudio, loadWavSync } from "../src/audio/load";
import { AudioDecodeError } from "../src/errors";
import { sineFit } from "./helpers/numeric";

// Made by test/fixtures/audio/generate.sh (sox + ffmpeg); libsndfile_reference.json holds how
// python-soundfile 0.12.1 / libsndfile 1.2.0 (librosa's reader) decodes each file.
const AUDIO = join(__dirname, "fixtures", "audio");
const REFERENCE = JSON.parse(readFileSync(join(AUDIO, "libsndfile_reference.json"), "utf8")) as {
  files: Record<
    string,
    { sampleRateHz: number; frames: number; channels: number; indices: number[]; samples: number[][]; maxAbs: number[] }
  >;
};
const tmp = mkdtempSync(join(tmpdir(), "audio-decode-test-"));

/** Largest difference from libsndfile's decode over the reference's sample indices. */
async function deviationFromLibsndfile(file: string): Promise<number> {
  const ref = REFERENCE.files[file];
  assert.ok(ref !== undefined, `no reference for ${file}`);
  const audio = await decodeAudioFile(join(AUDIO, file));
  assert.equal(audio.sampleRateHz, ref.sampleRateHz);
  assert.equal(audio.frames, ref.frames);
  assert.equal(audio.channels.length, ref.channels);
  let worst = 0;
  ref.samples.forEach((values, c) => {
    values.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(((audio.channels[c] as Float32Array)[ref.indices[k] as number] as number) - v));
    });
  });
  return worst;
}

test("recognises WAV, FLAC, MP3 and Ogg Vorbis by their first bytes", () => {
  const kinds = ["sine440_16k.wav", "sine440_16k.flac", "sine440_16k.mp3", "sine440_16k.ogg"].map((f) =>
    sniffAudioFormat(readFileSync(join(AUDIO, f)), f),
  );
  assert.deepEqual(kinds, ["wav", "flac", "mp3", "ogg-vorbis"]);
});

test("decodes by content, not by file name extension", async () => {
  const misnamed = join(tmp, "really-a-flac.wav");
  copyFileSync(join(AUDIO, "sine440_16k.flac"), misnamed);
  const audio = await decodeAudioFile(misnamed);
  assert.equal(audio.format, "FLAC");
  assert.equal(audio.frames, 8000);
});

test("decodes lossless FLAC exactly as the WAV it was made from", async () => {
  const wav = await decodeAudioFile(join(AUDIO, "sine440_16k.wav"));
  const flac = await decodeAudioFile(join(AUDIO, "sine440_16k.flac"));
  assert.equal(flac.sampleRateHz, 16000);
  assert.deepEqual(flac.channels, wav.channels);
});

test("decodes the FLAC files exactly as libsndfile does (int / 2^(bits-1))", async () => {
  assert.equal(await deviationFromLibsndfile("sine440_16k.flac"), 0);
  assert.equal(await deviationFromLibsndfile("stereo_24bit_8k.flac"), 0);
});

test("keeps the two channels of a 24-bit stereo FLAC apart: 440 Hz at 0.5 left, 660 Hz at 0.25 right", async () => {
  const audio = await decodeAudioFile(join(AUDIO, "stereo_24bit_8k.flac"));
  assert.equal(audio.channels.length, 2);
  const left = sineFit(audio.channels[0] as Float32Array, 8000, 440, 0, audio.frames);
  const right = sineFit(audio.channels[1] as Float32Array, 8000, 660, 0, audio.frames);
  // (sox's synth leaves a residual of ~4e-4 around its pure sine; a swapped channel would leave ~0.3)
  assert.ok(Math.abs(left.amplitude - 0.5) < 1e-4 && left.residualRms < 2e-3, JSON.stringify(left));
  assert.ok(Math.abs(right.amplitude - 0.25) < 1e-4 && right.residualRms < 2e-3, JSON.stringify(right));
});

test("decodes MP3 within 2e-6 of libsndfile, as one channel, encoder delay trimmed", async () => {
  assert.ok((await deviationFromLibsndfile("sine440_16k.mp3")) < 2e-6);
});

test("decodes the MP3 sine with its frequency and level (0.5 at 440 Hz, within 64 kbit/s loss)", async () => {
  const audio = await decodeAudioFile(join(AUDIO, "sine440_16k.mp3"));
  const fit = sineFit(audio.channels[0] as Float32Array, 16000, 440, 1000, 7000);
  assert.ok(Math.abs(fit.amplitude - 0.5) < 0.03, JSON.stringify(fit));
  assert.ok(fit.residualRms < 0.02, JSON.stringify(fit));
});

test("decodes Ogg Vorbis within 1e-6 of libsndfile", async () => {
  assert.ok((await deviationFromLibsndfile("sine440_16k.ogg")) < 1e-6);
});

test("decodes the Ogg Vorbis sine with its frequency and level", async () => {
  const audio = await decodeAudioFile(join(AUDIO, "sine440_16k.ogg"));
  const fit = sineFit(audio.channels[0] as Float32Array, 16000, 440, 1000, 7000);
  assert.ok(Math.abs(fit.amplitude - 0.5) < 0.02, JSON.stringify(fit));
  assert.ok(fit.residualRms < 0.01, JSON.stringify(fit));
});

test("loadAudio gives mono at 22050 Hz with ceil(frames * 22050 / rate) samples", async () => {
  const loaded = await loadAudio(join(AUDIO, "stereo_24bit_8k.flac"));
  assert.equal(loaded.sampleRateHz, 22050);
  assert.equal(loaded.sourceRateHz, 8000);
  assert.equal(loaded.sourceChannels, 2);
  assert.equal(loaded.samples.length, Math.ceil((2000 * 22050) / 8000));
  assert.equal(loaded.durationSeconds, loaded.samples.length / 22050);
});

test("loadAudio keeps a file already at the target rate bit-identical (librosa skips resampling)", async () => {
  const loaded = await loadAudio(join(AUDIO, "sine440_16k.wav"), 16000);
  const sync = loadWavSync(join(AUDIO, "sine440_16k.wav"), 16000);
  const wav = await decodeAudioFile(join(AUDIO, "sine440_16k.wav"));
  assert.deepEqual(loaded.samples, wav.channels[0]);
  assert.deepEqual(sync.samples, loaded.samples);
});

async function assertRejects(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(decodeAudioFile(path), (err: unknown) => {
    assert.ok(err instanceof AudioDecodeError, `expected AudioDecodeError, got ${String(err)}`);
    assert.equal(err.subject, path);
    assert.match(err.problem, pattern);
    return true;
  });
}

test("rejects a truncated FLAC file with an AudioDecodeError naming it", async () => {
  const bytes = readFileSync(join(AUDIO, "sine440_16k.flac"));
  const path = join(tmp, "cut.flac");
  writeFileSync(path, bytes.subarray(0, 40));
  await assertRejects(path, /FLAC/);
});

test("rejects an MP3 file holding only garbage after its frame sync", async () => {
  const path = join(tmp, "garbage.mp3");
  const bytes = new Uint8Array(4000).map((_, i) => (i * 7919) % 251);
  bytes.set([0xff, 0xfb, 0x90, 0x00], 0);
  writeFileSync(path, bytes);
  await assertRejects(path, /MP3/);
});

test("rejects Ogg Opus as an unsupported codec", async () => {
  const path = join(tmp, "opus.ogg");
  const page = new Uint8Array(64);
  page.set(
    Array.from("OggS", (c) => c.charCodeAt(0)),
    0,
  );
  page[26] = 1; // one segment
  page[27] = 19;
  page.set(
    Array.from("OpusHead", (c) => c.charCodeAt(0)),
    28,
  );
  writeFileSync(path, page);
  await assertRejects(path, /Opus; only Ogg Vorbis/);
});

test("rejects AIFF, naming the format", async () => {
  const path = join(tmp, "sound.aiff");
  writeFileSync(path, new Uint8Array([0x46, 0x4f, 0x52, 0x4d, 0, 0, 0, 4, 0x41, 0x49, 0x46, 0x46]));
  await assertRejects(path, /AIFF/);
});

test("rejects a missing file with an AudioDecodeError", async () => {
  await assertRejects(join(tmp, "nope.flac"), /cannot read the file/);
});
