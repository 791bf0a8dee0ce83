import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WaveFile } from "wavefile";
import { decodeWav, decodeWavFile, encodeWav, writeWavFile } from "../src/audio/wav";
import { toMono } from "../src/audio/mono";
import { loadNpyFloat32 } from "../src/data/npy";
import { AudioDecodeError } from "../src/errors";

const FIXTURES = join(__dirname, "fixtures", "librosa");
const INDEX = JSON.parse(readFileSync(join(FIXTURES, "index.json"), "utf8")) as {
  signals: Array<{
    id: string;
    wav: { sr: number; channels: number; frames: number };
    y_native_mono: { first16: number[]; sum: number };
  }>;
};
const signal = (id: string) => INDEX.signals.find((s) => s.id === id) as (typeof INDEX.signals)[number];
const tmp = mkdtempSync(join(tmpdir(), "audio-wav-test-"));

/** Write bytes to a fresh file in the temp folder and return its path. */
function fileWith(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

/** A WAV file built with wavefile. */
function wavefileBytes(
  channels: number,
  rate: number,
  bitDepth: string,
  samples: ArrayLike<number> | ArrayLike<number>[],
  options?: object,
): Uint8Array {
  const wav = new WaveFile();
  wav.fromScratch(channels, rate, bitDepth, samples as number[], options);
  return wav.toBuffer();
}

interface Spec {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  data?: Uint8Array;
  dataSize?: number; // declared size, default data.length
  omitFmt?: boolean;
  omitData?: boolean;
  before?: Uint8Array; // extra chunk bytes between fmt and data
}

/** A hand-made RIFF/WAVE file, for the broken cases wavefile will not write. */
function craftWav(spec: Spec): Uint8Array {
  const channels = spec.channels ?? 1;
  const bits = spec.bits ?? 16;
  const rate = spec.rate ?? 8000;
  const data = spec.data ?? new Uint8Array(32);
  const parts: Uint8Array[] = [];
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return b;
  };
  const u16 = (v: number) => {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    return b;
  };
  const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (spec.omitFmt !== true) {
    const block = channels * Math.ceil(bits / 8);
    parts.push(
      ascii("fmt "),
      u32(16),
      u16(spec.tag ?? 1),
      u16(channels),
      u32(rate),
      u32(rate * block),
      u16(block),
      u16(bits),
    );
  }
  if (spec.before) parts.push(spec.before);
  if (spec.omitData !== true) parts.push(ascii("data"), u32(spec.dataSize ?? data.length), data);
  const body = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(12 + body);
  out.set(ascii("RIFF"), 0);
  out.set(u32(4 + body), 4);
  out.set(ascii("WAVE"), 8);
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function assertDecodeError(path: string, pattern: RegExp): void {
  assert.throws(
    () => decodeWavFile(path),
    (err: unknown) => {
      assert.ok(err instanceof AudioDecodeError, `expected AudioDecodeError, got ${String(err)}`);
      assert.equal(err.subject, path);
      assert.ok(err.message.includes(path));
      assert.match(err.problem, pattern);
      return true;
    },
  );
}

// --- librosa fixtures -------------------------------------------------------------------

test("decodes the PCM16 fixture a_tones_clicks bit-exactly as librosa.load", () => {
  const audio = decodeWavFile(join(FIXTURES, "a_tones_clicks.wav"));
  const y = loadNpyFloat32(join(FIXTURES, "a_tones_clicks.y.npy")).data;
  assert.equal(audio.sampleRateHz, 22050);
  assert.equal(audio.channels.length, 1);
  assert.deepEqual(audio.channels[0], y);
});

test("decodes the float32 fixture b_noise bit-exactly as librosa.load", () => {
  const audio = decodeWavFile(join(FIXTURES, "b_noise.wav"));
  const y = loadNpyFloat32(join(FIXTURES, "b_noise.y.npy")).data;
  assert.equal(audio.format, "WAV IEEE float 32-bit");
  assert.deepEqual(audio.channels[0], y);
});

test("reads the stereo fixture c_sweep_stereo as two 44.1 kHz channels of 88200 frames", () => {
  const audio = decodeWavFile(join(FIXTURES, "c_sweep_stereo.wav"));
  const wav = signal("c_sweep_stereo").wav;
  assert.equal(audio.sampleRateHz, wav.sr);
  assert.equal(audio.channels.length, wav.channels);
  assert.equal(audio.frames, wav.frames);
  assert.equal((audio.channels[1] as Float32Array).length, wav.frames);
});

test("mixes c_sweep_stereo to mono as (L + R) / 2, matching librosa's first 16 samples and sum", () => {
  const audio = decodeWavFile(join(FIXTURES, "c_sweep_stereo.wav"));
  const mono = toMono(audio.channels);
  const ref = signal("c_sweep_stereo").y_native_mono;
  assert.deepEqual(Array.from(mono.subarray(0, 16)), ref.first16);
  const [l, r] = audio.channels as [Float32Array, Float32Array];
  for (let i = 0; i < mono.length; i += 997)
    assert.equal(mono[i], Math.fround((l[i] as number) + (r[i] as number)) / 2);
  const sum = mono.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - ref.sum) < 1e-6 * Math.abs(ref.sum), `sum ${sum} vs ${ref.sum}`);
});

test("reads d_short_16k at 16 kHz with librosa's first 16 samples", () => {
  const audio = decodeWavFile(join(FIXTURES, "d_short_16k.wav"));
  assert.equal(audio.sampleRateHz, 16000);
  assert.deepEqual(
    Array.from((audio.channels[0] as Float32Array).subarray(0, 16)),
    signal("d_short_16k").y_native_mono.first16,
  );
});

// --- every sample format, via wavefile ----------------------------------------------------

test("decodes unsigned 8-bit PCM as (x - 128) / 128", () => {
  const codes = [0, 1, 64, 127, 128, 129, 200, 255];
  const audio = decodeWav(wavefileBytes(1, 8000, "8", codes), "u8.wav");
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    codes.map((c) => (c - 128) / 128),
  );
});

test("decodes 16-bit PCM as int / 32768", () => {
  const ints = [-32768, -32767, -1, 0, 1, 12345, 32767];
  const audio = decodeWav(wavefileBytes(1, 8000, "16", ints), "s16.wav");
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    ints.map((v) => v / 32768),
  );
});

test("decodes 24-bit PCM as int / 2^23", () => {
  const ints = [-8388608, -8388607, -65536, -1, 0, 1, 4660, 8388607];
  const bytes = wavefileBytes(1, 8000, "24", ints);
  const audio = decodeWav(bytes, "s24.wav");
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    ints.map((v) => Math.fround(v / 8388608)),
  );
});

test("decodes 32-bit PCM as float32(int) / 2^31, as libsndfile's cast rounds", () => {
  const ints = [-2147483648, -2147483647, -123456789, -1, 0, 1, 123456789, 2147483647];
  const audio = decodeWav(wavefileBytes(1, 8000, "32", ints), "s32.wav");
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    ints.map((v) => Math.fround(v / 2147483648)),
  );
});

test("passes IEEE float32 samples through unchanged, including values beyond +-1", () => {
  const values = Float32Array.from([-1.5, -1, -0.123456789, 0, 1e-30, 0.5, 1, 2.25]);
  const audio = decodeWav(wavefileBytes(1, 8000, "32f", values), "f32.wav");
  assert.deepEqual(audio.channels[0], values);
});

test("rounds IEEE float64 samples to the nearest float32", () => {
  const values = [0.1, -0.2, 1 / 3, 0.123456789012345, -1];
  const audio = decodeWav(wavefileBytes(1, 8000, "64", values), "f64.wav");
  assert.equal(audio.format, "WAV IEEE float 64-bit");
  assert.deepEqual(Array.from(audio.channels[0] as Float32Array), values.map(Math.fround));
});

test("reads a WAVE_FORMAT_EXTENSIBLE 24-bit stereo file", () => {
  const left = [100, -200, 8388607];
  const right = [-8388608, 5, 0];
  const bytes = wavefileBytes(2, 48000, "24", [left, right]);
  // wavefile writes 24-bit as plain PCM; rewrite the header as EXTENSIBLE the way other tools do
  const ext = new WaveFile(bytes);
  const fmt = ext.fmt as {
    audioFormat: number;
    chunkSize: number;
    cbSize: number;
    validBitsPerSample: number;
    dwChannelMask: number;
    subformat: number[];
  };
  Object.assign(fmt, {
    audioFormat: 0xfffe,
    chunkSize: 40,
    cbSize: 22,
    validBitsPerSample: 24,
    dwChannelMask: 3,
    subformat: [1, 0x00100000, 0xaa000080, 0x719b3800],
  });
  const extBytes = ext.toBuffer();
  assert.equal(new DataView(extBytes.buffer).getUint16(20, true), 0xfffe);
  const audio = decodeWav(extBytes, "ext24.wav");
  assert.equal(audio.sampleRateHz, 48000);
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    left.map((v) => v / 8388608),
  );
  assert.deepEqual(
    Array.from(audio.channels[1] as Float32Array),
    right.map((v) => v / 8388608),
  );
});

test("reads a 6-channel WAVE_FORMAT_EXTENSIBLE file into 6 separate channels", () => {
  const channels = Array.from({ length: 6 }, (_, c) =>
    Array.from({ length: 50 }, (_, i) => (((c + 1) * 1000 + i * 37) % 32768) - 16384),
  );
  // wavefile writes the 40-byte extensible fmt chunk for > 2 channels but keeps format tag 1
  const wav = new WaveFile(wavefileBytes(6, 16000, "16", channels));
  (wav.fmt as { audioFormat: number }).audioFormat = 0xfffe;
  const bytes = wav.toBuffer();
  assert.equal(new DataView(bytes.buffer).getUint16(20, true), 0xfffe);
  const audio = decodeWav(bytes, "six.wav");
  assert.equal(audio.channels.length, 6);
  audio.channels.forEach((ch, c) =>
    assert.deepEqual(
      Array.from(ch),
      (channels[c] as number[]).map((v) => v / 32768),
    ),
  );
});

test("mixes 6 channels to mono with numpy's float32 running sum, then / 6", () => {
  const channels = Array.from({ length: 6 }, (_, c) =>
    Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * (c + 1) * 0.37) * 0.3),
  );
  const mono = toMono(channels);
  for (let i = 0; i < 200; i++) {
    let s = 0;
    for (const ch of channels) s = Math.fround(s + (ch[i] as number));
    assert.equal(mono[i], Math.fround(s / 6));
  }
});

test("reads a big-endian RIFX file", () => {
  const ints = [-32768, -5, 0, 7, 32767];
  const audio = decodeWav(wavefileBytes(1, 8000, "16", ints, { container: "RIFX" }), "rifx.wav");
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    ints.map((v) => v / 32768),
  );
});

test("reads an RF64 file, taking the data size from its ds64 chunk", () => {
  const ints = [1, -2, 3, -4, 32767];
  const pcm = new Uint8Array(ints.length * 2);
  ints.forEach((v, i) => new DataView(pcm.buffer).setInt16(2 * i, v, true));
  const ds64 = new Uint8Array(8 + 28);
  const d = new DataView(ds64.buffer);
  ds64.set([0x64, 0x73, 0x36, 0x34], 0); // "ds64"
  d.setUint32(4, 28, true);
  d.setUint32(16, pcm.length, true); // data size, low word (EBU Tech 3306 order)
  d.setUint32(24, ints.length, true); // sample count, low word
  const bytes = craftWav({ data: pcm, dataSize: 0xffffffff, before: undefined });
  // RF64: "RF64" magic with -1 sizes, ds64 first
  const rf = new Uint8Array(bytes.length + ds64.length);
  rf.set(bytes.subarray(0, 12), 0);
  rf.set([0x52, 0x46, 0x36, 0x34], 0); // "RF64"
  new DataView(rf.buffer).setUint32(4, 0xffffffff, true);
  rf.set(ds64, 12);
  rf.set(bytes.subarray(12), 12 + ds64.length);
  const audio = decodeWav(rf, "rf64.wav");
  assert.deepEqual(
    Array.from(audio.channels[0] as Float32Array),
    ints.map((v) => v / 32768),
  );
});

test("expands G.711 mu-law and A-law with the standard tables, / 32768", () => {
  const mu = decodeWav(wavefileBytes(1, 8000, "8m", [0x00, 0x80, 0xff, 0x7f, 0xf0]), "mu.wav");
  assert.deepEqual(
    Array.from(mu.channels[0] as Float32Array),
    [-32124, 32124, 0, 0, 120].map((v) => v / 32768),
  );
  const a = decodeWav(wavefileBytes(1, 8000, "8a", [0xd5, 0x55, 0xaa, 0x2a]), "alaw.wav");
  assert.deepEqual(
    Array.from(a.channels[0] as Float32Array),
    [8, -8, 32256, -32256].map((v) => v / 32768),
  );
});

test("drops a trailing partial frame, as libsndfile does", () => {
  const data = new Uint8Array(4 * 3 + 2); // 3 stereo 16-bit frames + half a frame
  const audio = decodeWav(craftWav({ channels: 2, data }), "partial.wav");
  assert.equal(audio.frames, 3);
});

test("reads a data chunk whose size is 0xFFFFFFFF (streamed) up to the end of the file", () => {
  const data = new Uint8Array(10);
  const audio = decodeWav(craftWav({ data, dataSize: 0xffffffff }), "streamed.wav");
  assert.equal(audio.frames, 5);
});

// --- writing --------------------------------------------------------------------------------

test("writes PCM16 like soundfile.write: floor(x * 32768) via int32, clipped at +1", () => {
  // expected values measured with python-soundfile 0.12.1 / libsndfile 1.2.0
  const x = Float32Array.from([
    0,
    1,
    -1,
    0.5,
    -0.5,
    1.5 / 32767,
    2.5 / 32767,
    -0.5 / 32767,
    0.99999,
    1.00001,
    1.2,
    -1.2,
    2,
    0.999993 / 32768,
    0.99999 / 32768,
    -1e-6 / 32768,
  ]);
  const expected = [0, 32767, -32768, 16384, -16384, 1, 2, -1, 32767, 32767, 32767, -32768, 32767, 1, 0, 0];
  const bytes = encodeWav(x, 8000);
  assert.equal(bytes.length, 44 + 2 * x.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.deepEqual(
    Array.from({ length: x.length }, (_, i) => view.getInt16(44 + 2 * i, true)),
    expected,
  );
});

test("round-trips float32 samples exactly through a float32 WAV with a fact chunk", () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.01) * 1.3);
  const path = join(tmp, "f32-roundtrip.wav");
  writeWavFile(path, x, 22050, "float32");
  const bytes = readFileSync(path);
  assert.equal(bytes.toString("latin1", 36, 40), "fact");
  const audio = decodeWavFile(path);
  assert.equal(audio.sampleRateHz, 22050);
  assert.deepEqual(audio.channels[0], x);
});

test("round-trips PCM16 within one step below the input", () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.013) * 0.9);
  const back = decodeWav(encodeWav(x, 16000), "rt16.wav").channels[0] as Float32Array;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] as number) - (back[i] as number);
    assert.ok(d >= -1e-9 && d <= 1 / 32768 + 1e-9, `sample ${i}: ${x[i]} -> ${back[i]}`);
  }
});

test("writes atomically, leaving no temporary file behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "audio-wav-atomic-"));
  writeWavFile(join(dir, "a.wav"), new Float32Array(10), 8000);
  assert.deepEqual(readdirSync(dir), ["a.wav"]);
});

test("refuses to write NaN samples", () => {
  assert.throws(() => encodeWav(Float32Array.from([0, NaN]), 8000), /sample 1 is NaN/);
});

// --- broken files: each one an AudioDecodeError naming the file ----------------------------

test("rejects an empty file", () => {
  assertDecodeError(fileWith("empty.wav", new Uint8Array(0)), /0 bytes long/);
});

test("rejects a file that is not RIFF", () => {
  assertDecodeError(
    fileWith("text.wav", new TextEncoder().encode("hello, this is not audio at all")),
    /not a WAV file/,
  );
});

test("rejects a RIFF file that is not WAVE", () => {
  const bytes = craftWav({});
  bytes.set([0x41, 0x56, 0x49, 0x20], 8); // "AVI "
  assertDecodeError(fileWith("avi.wav", bytes), /not "WAVE"/);
});

test("rejects a file cut off inside the fmt chunk", () => {
  assertDecodeError(fileWith("cut-fmt.wav", craftWav({}).subarray(0, 30)), /fmt chunk/);
});

test("rejects a file whose data chunk claims more bytes than the file holds", () => {
  const full = craftWav({ data: new Uint8Array(1000) });
  assertDecodeError(
    fileWith("truncated.wav", full.subarray(0, 500)),
    /data chunk claims 1000 bytes but the file holds 456/,
  );
});

test("rejects a data chunk claiming 2^31 - 1 bytes", () => {
  assertDecodeError(fileWith("huge-claim.wav", craftWav({ dataSize: 2147483647 })), /claims 2147483647 bytes/);
});

test("rejects a file with zero frames", () => {
  assertDecodeError(fileWith("empty-data.wav", craftWav({ data: new Uint8Array(0) })), /not one complete frame/);
});

test("rejects a file without a data chunk", () => {
  assertDecodeError(fileWith("no-data.wav", craftWav({ omitData: true })), /no data chunk/);
});

test("rejects a file without a fmt chunk", () => {
  assertDecodeError(fileWith("no-fmt.wav", craftWav({ omitFmt: true })), /fmt chunk/);
});

test("rejects IMA ADPCM as an unsupported codec, naming it", () => {
  assertDecodeError(
    fileWith("adpcm.wav", craftWav({ tag: 0x0011, bits: 4 })),
    /unsupported WAV codec: IMA ADPCM \(format tag 0x0011\)/,
  );
});

test("rejects MP3-in-WAV as an unsupported codec", () => {
  assertDecodeError(fileWith("mp3.wav", craftWav({ tag: 0x0055 })), /MP3/);
});

test("rejects a float file holding NaN", () => {
  const data = new Uint8Array(16);
  new DataView(data.buffer).setFloat32(8, NaN, true);
  assertDecodeError(fileWith("nan.wav", craftWav({ tag: 3, bits: 32, data })), /sample 2 of channel 0 is NaN/);
});

test("rejects a float file holding infinity", () => {
  const data = new Uint8Array(16);
  new DataView(data.buffer).setFloat32(4, -Infinity, true);
  assertDecodeError(fileWith("inf.wav", craftWav({ tag: 3, bits: 32, data })), /is -Infinity/);
});

test("rejects a sample rate of 0 Hz", () => {
  assertDecodeError(fileWith("0hz.wav", craftWav({ rate: 0 })), /sample rate is 0 Hz/);
});

test("rejects an absurd sample rate", () => {
  assertDecodeError(fileWith("fast.wav", craftWav({ rate: 4294967295 })), /sample rate is 4294967295 Hz/);
});

test("rejects zero channels", () => {
  assertDecodeError(fileWith("0ch.wav", craftWav({ channels: 0 })), /0 channels/);
});

test("rejects a huge channel count", () => {
  assertDecodeError(fileWith("many-ch.wav", craftWav({ channels: 5000 })), /5000 channels/);
});

test("rejects integer PCM with more than 32 bits per sample", () => {
  assertDecodeError(fileWith("40bit.wav", craftWav({ bits: 40 })), /40 bits per sample/);
});

test("rejects IEEE float with 16 bits per sample", () => {
  assertDecodeError(fileWith("f16.wav", craftWav({ tag: 3, bits: 16 })), /IEEE float with 16 bits/);
});

test("rejects a WAVE_FORMAT_EXTENSIBLE file whose sub-format GUID is not audio", () => {
  const ext = new WaveFile(wavefileBytes(3, 8000, "16", [[1], [2], [3]]));
  Object.assign(ext.fmt, { audioFormat: 0xfffe, subformat: [1, 2, 3, 4] });
  assertDecodeError(fileWith("guid.wav", ext.toBuffer()), /sub-format GUID/);
});

test("rejects a corrupt cue chunk count instead of hanging", () => {
  const cue = new Uint8Array(8 + 4);
  cue.set([0x63, 0x75, 0x65, 0x20], 0); // "cue "
  new DataView(cue.buffer).setUint32(4, 4, true);
  new DataView(cue.buffer).setUint32(8, 0xfffffff0, true);
  assertDecodeError(fileWith("cue.wav", craftWav({ before: cue })), /cue chunk lists 4294967280 cue points/);
});

test("reports a missing file as an AudioDecodeError naming it", () => {
  assertDecodeError(join(tmp, "does-not-exist.wav"), /cannot read the file/);
});
