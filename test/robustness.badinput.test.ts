import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WaveFile } from "wavefile";
import { encodeWav } from "../src/audio/wavCodec";
import { decodeWavFile } from "../src/audio/wav";
import { thesisConfig } from "../src/config/pipeline";
import { readCsv } from "../src/data/csv";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import { augmentAndExtract } from "../src/pipeline/stages/augmentAndExtract";
import { CollectingReporter, ConsoleReporter, type Reporter } from "../src/util/reporter";
import { readSkippedCsv, SKIPPED_CSV, writeSkippedCsv } from "../src/pipeline/reports/skipped";
import { buildBaseWav } from "./helpers/wavFuzz";
import { pcm16Wav, tone } from "./helpers/tinyDataset";

// A data root mixing good recordings with every kind of bad input the issue lists, generated
// here; one clean run (and one preprocess run) over it, then one assertion group per property.

const root = mkdtempSync(join(tmpdir(), "soundcheck-bad-input-"));
after(() => rmSync(root, { recursive: true, force: true }));
const broken = join(root, "broken_audio");
const normal = join(root, "normal_audio");
mkdirSync(broken);
mkdirSync(normal);

const u32 = (bytes: Uint8Array, at: number, value: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
const u16 = (bytes: Uint8Array, at: number, value: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, true);
const good = (seconds: number, rate: number, seed: number) =>
  encodeWav(tone(seconds, rate, 700 + seed * 50, 0.3, 0.3, seed), rate);

/** Bad inputs: file name -> [bytes or a symlink target, the reason skipped.csv must give]. */
interface BadInput {
  bytes?: Uint8Array | string;
  linkTo?: string;
  reason: RegExp;
}
const bad: Record<string, BadInput> = {};
/** Good inputs (some odd but readable): file name -> bytes or symlink target, and the clips expected. */
const goodInputs: Record<string, { bytes?: Uint8Array; linkTo?: string; clips: string[] }> = {};

// --- broken class (cut into 3 s chunks) ---
goodInputs["pump 1 (1).wav"] = {
  bytes: good(6.5, 16000, 1),
  clips: ["pump 1 (1)_chunk_0.wav", "pump 1 (1)_chunk_1.wav"],
};
goodInputs["pompe é [2].wav"] = {
  bytes: pcm16Wav([tone(3.5, 44100, 500, 0.4, 0.1, 2), tone(3.5, 44100, 500, 0.2, 0.1, 3)], 44100),
  clips: ["pompe é [2]_chunk_0.wav"],
};
goodInputs["機械 3.wav"] = {
  bytes: buildBaseWav(
    {
      name: "x",
      container: "RIFF",
      kind: "pcm",
      bits: 24,
      channels: 2,
      rateHz: 48000,
      frames: 48000 * 4,
      extensible: true,
      extras: true,
    },
    3,
  ).bytes,
  clips: ["機械 3_chunk_0.wav"],
};
{
  const mu = new WaveFile();
  mu.fromScratch(
    1,
    8000,
    "16",
    Int16Array.from(tone(3.2, 8000, 400, 0.5, 0.1, 4), (v) => Math.round(v * 32767)),
  );
  mu.toMuLaw();
  goodInputs["mulaw.wav"] = { bytes: mu.toBuffer(), clips: ["mulaw_chunk_0.wav"] }; // G.711 mu-law is read, as libsndfile does
}
{
  const riff = good(3.1, 16000, 5);
  u32(riff, 4, 12345); // a wrong RIFF size is harmless: libsndfile reads the chunks anyway
  goodInputs["wrong riff size.wav"] = { bytes: riff, clips: ["wrong riff size_chunk_0.wav"] };
}
goodInputs["link to pump.wav"] = {
  linkTo: "pump 1 (1).wav",
  clips: ["link to pump_chunk_0.wav", "link to pump_chunk_1.wav"],
};

{
  const truncated = good(6.5, 16000, 6);
  bad["truncated.wav"] = {
    bytes: truncated.subarray(0, 40000),
    reason: /data chunk claims 208000 bytes but the file holds 39956.*re-export or re-copy/,
  };
}
{
  const claims = good(3.2, 16000, 7);
  u32(claims, 40, 0x7ffffff0);
  bad["claims 2 GB.wav"] = { bytes: claims, reason: /data chunk claims 2147483632 bytes/ };
}
bad["zero length.wav"] = { bytes: new Uint8Array(0), reason: /0 bytes long, too short to be audio/ };
bad["header only.wav"] = {
  bytes: encodeWav(new Float32Array(0), 16000),
  reason: /data chunk holds 0 bytes.*the recording is empty/,
};
bad["notes.wav"] = {
  bytes: "these are my notes, not audio\n",
  reason: /not a supported audio file.*convert it to WAV/,
};
{
  const adpcm = good(3.2, 16000, 8);
  u16(adpcm, 20, 0x0011);
  bad["adpcm.wav"] = { bytes: adpcm, reason: /unsupported WAV codec: IMA ADPCM.*re-export the file as PCM WAV/ };
}
{
  const nan = encodeWav(tone(3.5, 22050, 300, 0.3, 0.1, 9), 22050, "float32");
  new DataView(nan.buffer).setFloat32(nan.length - 4 * 1000, Number.NaN, true);
  bad["nan samples.wav"] = { bytes: nan, reason: /sample \d+ of channel 0 is NaN.*NaN or infinite/ };
  const inf = encodeWav(tone(3.5, 22050, 300, 0.3, 0.1, 10), 22050, "float32");
  new DataView(inf.buffer).setFloat32(inf.length - 4 * 7, Number.POSITIVE_INFINITY, true);
  bad["inf samples.wav"] = { bytes: inf, reason: /is Infinity/ };
}
{
  const zeroRate = good(3.2, 16000, 11);
  u32(zeroRate, 24, 0);
  bad["0 Hz.wav"] = { bytes: zeroRate, reason: /sample rate is 0 Hz \(accepted: 100 to 768000 Hz\)/ };
  const absurd = good(3.2, 16000, 12);
  u32(absurd, 24, 5_000_000);
  bad["5 MHz.wav"] = { bytes: absurd, reason: /sample rate is 5000000 Hz/ };
}
bad["short.wav"] = {
  bytes: good(1, 16000, 13),
  reason: /1\.00 s is shorter than one 3 s chunk; use longer recordings/,
};
bad["silence.wav"] = { bytes: encodeWav(new Float32Array(16000 * 6.5), 16000), reason: /digital silence/ };
{
  const many = good(3.2, 16000, 14);
  u16(many, 22, 65535);
  bad["65535 channels.wav"] = { bytes: many, reason: /header says 65535 channels \(accepted: 1 to 1024\)/ };
}
bad["dangling link.wav"] = {
  linkTo: "no such file.wav",
  reason: /cannot be read \(broken link or no permission\); fix or remove it/,
};

// --- normal class (kept whole) ---
const goodNormal: Record<string, { bytes: Uint8Array; clips: string[] }> = {
  "normal 0.wav": { bytes: good(3.2, 22050, 20), clips: ["normal 0.wav"] },
  "normal (1).wav": {
    bytes: pcm16Wav([tone(3.2, 44100, 320, 0.3, 0.02, 21), tone(3.2, 44100, 320, 0.2, 0.02, 22)], 44100),
    clips: ["normal (1).wav"],
  },
  "short normal.wav": { bytes: good(1, 16000, 23), clips: ["short normal.wav"] }, // whole recordings may be short
};
const badNormal: Record<string, BadInput> = {
  "empty normal.wav": { bytes: new Uint8Array(0), reason: /too short to be audio/ },
  "silent normal.wav": { bytes: encodeWav(new Float32Array(22050 * 2), 22050), reason: /digital silence/ },
};

for (const [name, input] of Object.entries({ ...bad, ...goodInputs })) {
  if (input.linkTo !== undefined) symlinkSync(input.linkTo, join(broken, name));
  else writeFileSync(join(broken, name), input.bytes as Uint8Array | string);
}
for (const [name, input] of Object.entries({ ...goodNormal, ...badNormal }))
  writeFileSync(join(normal, name), input.bytes as Uint8Array);
writeFileSync(join(broken, ".DS_Store"), "finder junk"); // hidden: reported, but not a problem for skipped.csv

// An unreadable file (chmod 000) is tested in test/robustness.permissions.test.ts, as a non-root
// user: chmod does not bind root, and CI runs as root.

/** A fingerprint of a folder that needs no read permission on its files: content hash when readable, else size and mtime; link targets. */
function fingerprint(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    const st = lstatSync(path);
    let what = `mode ${st.mode} size ${st.size} mtime ${st.mtimeMs}`;
    if (st.isSymbolicLink()) what += ` -> ${readlinkSync(path)}`;
    else {
      try {
        what += ` sha256 ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
      } catch {
        what += " (unreadable)";
      }
    }
    out[name] = what;
  }
  return out;
}
const rawBefore = { broken: fingerprint(broken), normal: fingerprint(normal) };

/** Records what a ConsoleReporter prints, and everything a CollectingReporter keeps. */
let consoleText = "";
const collecting = new CollectingReporter();
const consoleReporter = new ConsoleReporter({
  stream: { isTTY: false, write: (s: string) => ((consoleText += s), true) } as unknown as NodeJS.WriteStream,
});
const reporter: Reporter = {
  info: (m) => (collecting.info(m), consoleReporter.info(m)),
  warn: (m) => (collecting.warn(m), consoleReporter.warn(m)),
  skip: (f, r) => (collecting.skip(f, r), consoleReporter.skip(f, r)),
  progress: (l, d, t) => (collecting.progress(l, d, t), consoleReporter.progress(l, d, t)),
};
const config = thesisConfig(root);
config.dataRoot = root;
config.workers = 2;
const skippedCsv = join(root, "processed_data", SKIPPED_CSV);
const expectedBad = {
  ...Object.fromEntries(Object.entries(bad).map(([n, b]) => [`broken_audio/${n}`, b.reason])),
  ...Object.fromEntries(Object.entries(badNormal).map(([n, b]) => [`normal_audio/${n}`, b.reason])),
};

test("a clean run over good and bad files together completes", async () => {
  const report = await cleanAndSample(config, reporter);
  assert.equal(report.recordings.broken, Object.keys(goodInputs).length);
  assert.equal(report.recordings.normal, Object.keys(goodNormal).length);
});

test("writes every good recording's clips, names with spaces, brackets and non-ASCII characters included", () => {
  const expectedBroken = Object.values(goodInputs)
    .flatMap((g) => g.clips)
    .sort();
  assert.deepEqual(readdirSync(join(root, "broken_audio_samples")).sort(), expectedBroken);
  assert.deepEqual(
    readdirSync(join(root, "normal_audio_samples")).sort(),
    Object.values(goodNormal)
      .flatMap((g) => g.clips)
      .sort(),
  );
  for (const clip of expectedBroken) {
    const audio = decodeWavFile(join(root, "broken_audio_samples", clip));
    assert.equal(audio.sampleRateHz, 22050);
    assert.equal(audio.frames, 3 * 22050, clip);
  }
});

test("a symlink to a good file is used like the file itself", () => {
  const viaLink = readFileSync(join(root, "broken_audio_samples", "link to pump_chunk_1.wav"));
  assert.ok(viaLink.equals(readFileSync(join(root, "broken_audio_samples", "pump 1 (1)_chunk_1.wav"))));
});

test("skipped.csv lists each bad file once, with the stage and a reason that says what is wrong and what to do", () => {
  const rows = readSkippedCsv(skippedCsv);
  assert.deepEqual(Object.keys(readCsv(skippedCsv)[0]!), ["stage", "file", "reason"]);
  assert.deepEqual(rows.map((r) => r.file).sort(), Object.keys(expectedBad).sort());
  for (const row of rows) {
    assert.equal(row.stage, "clean");
    assert.match(row.reason, expectedBad[row.file]!, row.file);
    assert.match(row.reason, /; \S/, `${row.file}: the reason should end with what to do`);
  }
});

test("the reporter prints one skip line per bad file (and one for the hidden file), naming it", () => {
  const lines = consoleText.split("\n").filter((l) => l.startsWith("skipped "));
  for (const file of Object.keys(expectedBad)) {
    assert.equal(lines.filter((l) => l.startsWith(`skipped ${join(root, file)}: `)).length, 1, file);
  }
  assert.equal(lines.length, Object.keys(expectedBad).length + 1);
  assert.ok(lines.some((l) => l.includes(".DS_Store: hidden file")));
});

test("never writes to the raw folders", () => {
  assert.deepEqual(fingerprint(broken), rawBefore.broken);
  assert.deepEqual(fingerprint(normal), rawBefore.normal);
});

test("preprocess keeps the clean stage's rows of skipped.csv and adds its own", async () => {
  // a cleaned clip damaged after the clean stage: preprocess skips it and says so
  const damaged = join(root, "broken_audio_samples", "wrong riff size_chunk_0.wav");
  writeFileSync(damaged, "overwritten by mistake");
  await augmentAndExtract(config, new CollectingReporter());
  const rows = readSkippedCsv(skippedCsv);
  assert.equal(rows.filter((r) => r.stage === "clean").length, Object.keys(expectedBad).length);
  const pre = rows.filter((r) => r.stage === "preprocess");
  assert.deepEqual(
    pre.map((r) => r.file),
    ["broken_audio_samples/wrong riff size_chunk_0.wav"],
  );
  assert.match(pre[0]!.reason, /not a supported audio file.*convert it/);
  // and a second preprocess run replaces its own rows instead of adding them again
  await augmentAndExtract(config, new CollectingReporter());
  assert.equal(readSkippedCsv(skippedCsv).filter((r) => r.stage === "preprocess").length, 1);
});

test("writeSkippedCsv and readSkippedCsv round-trip commas, quotes and non-ASCII names", () => {
  const path = join(root, "round-trip.csv");
  const rows = [
    { stage: "clean", file: 'broken_audio/a, "b" é.wav', reason: "data chunk claims 9 bytes, but; re-copy it" },
    { stage: "preprocess", file: "x\ny.wav", reason: "two\nlines" },
  ];
  writeSkippedCsv(path, rows);
  assert.deepEqual(readSkippedCsv(path), rows);
  writeSkippedCsv(path, []);
  assert.deepEqual(readSkippedCsv(path), []);
});
