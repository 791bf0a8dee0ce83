import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeWavFile } from "../src/audio/wav";
import { encodeWav } from "../src/audio/wavCodec";
import { thesisConfig } from "../src/config/pipeline";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import { cleanLongRecording, shouldStream } from "../src/pipeline/stages/longRecording";
import { CollectingReporter } from "../src/util/reporter";
import { cleanFile, type CleanFileTask } from "../src/pipeline/runtime/tasks";
import { TEMP_FILE_PATTERN } from "../src/util/atomicWrite";
import { folderHashes, makeTinyDataset, pcm16Wav, tone } from "./helpers/tinyDataset";

const work = mkdtempSync(join(tmpdir(), "soundcheck-long-"));
after(() => rmSync(work, { recursive: true, force: true }));

// a few minutes of 44.1 kHz stereo: a sweep-like mix of tones plus noise, different per channel
const MINUTES = 2;
const longFile = join(work, "two minutes.wav");
{
  const seconds = MINUTES * 60;
  const left = tone(seconds, 44100, 440, 0.3, 0.4, 1);
  const right = tone(seconds, 44100, 3000, 0.3, 0.4, 2);
  for (let i = 0; i < left.length; i++)
    left[i] = (left[i] as number) + 0.2 * Math.sin((2 * Math.PI * 9000 * i) / 44100);
  writeFileSync(longFile, pcm16Wav([left, right], 44100));
}

function task(
  file: string,
  outDir: string,
  chunkSamples: number | null,
  wavFormat: "pcm16" | "float32",
): CleanFileTask {
  mkdirSync(outDir, { recursive: true });
  return { file, sampleRateHz: 22050, chunkSamples, chunkSeconds: 3, outDir, wavFormat };
}

function tempFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => TEMP_FILE_PATTERN.test(f.split("/").pop()!));
}

test(`block-by-block cleaning of ${MINUTES} minutes of 44.1 kHz stereo equals whole-file cleaning within 1e-6 of full scale (float32 output)`, async () => {
  const whole = await cleanFile(task(longFile, join(work, "whole-f32"), null, "float32"));
  const progress: Array<[number, number]> = [];
  const streamed = await cleanLongRecording(task(longFile, join(work, "streamed-f32"), null, "float32"), {
    blockSeconds: 7,
    onProgress: (d, t) => progress.push([d, t]),
  });
  assert.ok(whole.ok && streamed.ok);
  const a = decodeWavFile(join(work, "whole-f32", "two minutes.wav")).channels[0]!;
  const b = decodeWavFile(join(work, "streamed-f32", "two minutes.wav")).channels[0]!;
  assert.equal(b.length, a.length);
  assert.equal(a.length, Math.ceil((MINUTES * 60 * 44100 * 22050) / 44100));
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    maxDiff = Math.max(maxDiff, d);
    if (d > 0) differing++;
  }
  assert.ok(maxDiff <= 1e-6, `max difference ${maxDiff}`);
  assert.ok(differing <= a.length * 1e-5, `${differing} samples differ`);
  // progress after every 7 s block, in seconds of output audio, ending at the total
  assert.equal(progress.length, Math.ceil(a.length / (7 * 22050)));
  assert.deepEqual(progress.at(-1), [a.length / 22050, a.length / 22050]);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] > progress[i - 1]![0]);
  assert.deepEqual(tempFilesUnder(work), []);
});

test("after PCM16 quantisation the streamed chunks are (nearly always) the same bytes as whole-file chunks", async () => {
  const whole = await cleanFile(task(longFile, join(work, "whole-pcm"), 3 * 22050, "pcm16"));
  const streamed = await cleanLongRecording(task(longFile, join(work, "streamed-pcm"), 3 * 22050, "pcm16"), {
    blockSeconds: 5,
  });
  assert.ok(whole.ok && streamed.ok);
  assert.deepEqual(
    streamed.clips,
    whole.clips.map((c) => ({ ...c, path: c.path.replace("whole-pcm", "streamed-pcm") })),
  );
  assert.equal(whole.clips.length, MINUTES * 20);
  let differing = 0;
  let total = 0;
  for (const clip of whole.clips) {
    const a = readFileSync(clip.path);
    const b = readFileSync(clip.path.replace("whole-pcm", "streamed-pcm"));
    assert.equal(b.length, a.length);
    for (let i = 44; i < a.length; i += 2) {
      total++;
      if (a.readInt16LE(i) !== b.readInt16LE(i)) differing++;
    }
  }
  assert.ok(differing <= total * 1e-5, `${differing} of ${total} PCM16 samples differ`);
});

test("a NaN part-way through a long file skips it and removes the clips already written", async () => {
  const samples = tone(30, 22050, 500, 0.3, 0.2, 3);
  samples[25 * 22050] = Number.NaN;
  const bytes = encodeWav(
    samples.map((v) => (Number.isNaN(v) ? 0 : v)),
    22050,
    "float32",
  );
  new DataView(bytes.buffer).setFloat32(bytes.length - 4 * (samples.length - 25 * 22050), Number.NaN, true);
  const file = join(work, "nan late.wav");
  writeFileSync(file, bytes);
  const out = join(work, "nan-out");
  const progress: number[] = [];
  const result = await cleanLongRecording(task(file, out, 3 * 22050, "pcm16"), {
    blockSeconds: 4,
    onProgress: (d) => progress.push(d),
  });
  assert.deepEqual(result, {
    ok: false,
    reason: `sample ${25 * 22050} of channel 0 is NaN; the file holds NaN or infinite values: regenerate it, or remove it from the data set`,
  });
  assert.ok(progress.length >= 5, "chunks were written before the NaN was reached");
  assert.deepEqual(readdirSync(out), []);
});

test("a silent long recording is skipped and its partly written file removed", async () => {
  const file = join(work, "silent long.wav");
  writeFileSync(file, encodeWav(new Float32Array(22050 * 12), 22050));
  const out = join(work, "silent-out");
  const result = await cleanLongRecording(task(file, out, null, "pcm16"), { blockSeconds: 5 });
  assert.equal(result.ok, false);
  assert.match((result as { reason: string }).reason, /digital silence/);
  assert.deepEqual(readdirSync(out), []);
});

test("a truncated or too short file is reported with the same reason as whole-file cleaning", async () => {
  const short = join(work, "short long.wav");
  writeFileSync(short, encodeWav(tone(2, 16000, 500, 0.3, 0.1, 4), 16000));
  const cut = join(work, "cut long.wav");
  writeFileSync(cut, encodeWav(tone(8, 16000, 500, 0.3, 0.1, 5), 16000).subarray(0, 100000));
  for (const file of [short, cut]) {
    const a = await cleanFile(task(file, join(work, "reason-a"), 3 * 22050, "pcm16"));
    const b = await cleanLongRecording(task(file, join(work, "reason-b"), 3 * 22050, "pcm16"));
    assert.equal(a.ok, false);
    assert.deepEqual(b, a);
  }
});

test("only WAV files above the size threshold are streamed", () => {
  const text = join(work, "big text.wav");
  writeFileSync(text, "x".repeat(5000));
  assert.equal(shouldStream(longFile), false); // 21 MB: below the default 32 MiB
  assert.equal(shouldStream(longFile, 1000), true);
  assert.equal(shouldStream(text, 1000), false);
  assert.equal(shouldStream(join(work, "missing.wav"), 1000), false);
});

test("the clean stage streams files above the threshold, reports their progress per file, and writes the same clips", async () => {
  const runs: Array<{ root: string; reporter: CollectingReporter }> = [];
  for (const streamAboveBytes of [undefined, 1000]) {
    const root = join(work, `stage-${streamAboveBytes ?? "default"}`);
    makeTinyDataset(root);
    const config = thesisConfig(root);
    config.dataRoot = root;
    config.workers = 1;
    const reporter = new CollectingReporter();
    await cleanAndSample(config, reporter, streamAboveBytes === undefined ? {} : { streamAboveBytes });
    runs.push({ root, reporter });
  }
  const [pooled, streamed] = runs as [(typeof runs)[0], (typeof runs)[0]];
  for (const folder of ["broken_audio_samples", "normal_audio_samples"])
    assert.deepEqual(folderHashes(join(streamed.root, folder)), folderHashes(join(pooled.root, folder)), folder);
  assert.equal(
    readFileSync(join(streamed.root, "processed_data", "clean_manifest.csv"), "utf8"),
    readFileSync(join(pooled.root, "processed_data", "clean_manifest.csv"), "utf8"),
  );
  assert.deepEqual(
    streamed.reporter.skipped.map((s) => [s.file.replace(streamed.root, ""), s.reason]),
    pooled.reporter.skipped.map((s) => [s.file.replace(pooled.root, ""), s.reason]),
  );
  const labels = new Set(streamed.reporter.progressUpdates.map((p) => p.label));
  assert.ok(labels.has("clean pump a.wav") && labels.has("clean normal_2.wav"), [...labels].join(", "));
  const last = streamed.reporter.progressUpdates.filter((p) => p.label === "clean pump_b.wav").at(-1)!;
  assert.deepEqual([last.done, last.total], [6, 6]); // seconds of 22.05 kHz audio
  assert.ok(!pooled.reporter.progressUpdates.some((p) => p.label.startsWith("clean ") && p.label !== "clean"));
});
