import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { decodeAudioBytes } from "../src/audio/decodeBytes";
import { openWavStream } from "../src/audio/streamWav";
import { decodeWav, encodeWav, memoryByteSource, readWavLayout } from "../src/audio/wavCodec";
import { AudioDecodeError } from "../src/errors";
import { baseWavs, buildBaseWav, fuzzCase } from "./helpers/wavFuzz";
import type { FuzzSummary, FuzzWorkerInput } from "./helpers/wavFuzzWorker";

const SEED = 20251125;
/** Mutations per run: a fixed, seeded set of cases (the same on every machine, however busy). */
const CASES = 5000;
/**
 * A case still running after this long is a hang (cases take about a millisecond): the watchdog
 * names it instead of leaving the test runner to time out. Not a speed goal.
 */
const HANG_SECONDS = 60;
/** Memory the whole run may add (the inputs are a few kB each; a header-sized allocation would be GBs). */
const MAX_RSS_GROWTH_BYTES = 200 * 2 ** 20;
const MAX_ARRAY_BUFFER_GROWTH_BYTES = 64 * 2 ** 20;

/** Run the fuzz loop in a worker thread, so a case that hangs can be stopped and named. */
function runFuzzWorker(input: Omit<FuzzWorkerInput, "progress">): Promise<FuzzSummary> {
  const progress = new SharedArrayBuffer(4);
  const current = new Int32Array(progress);
  const entry = join(__dirname, "helpers", "wavFuzzWorker.ts");
  const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(entry)});`, {
    eval: true,
    workerData: { ...input, progress },
  });
  return new Promise((resolve, reject) => {
    let last = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(current, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > HANG_SECONDS * 1000) {
        clearInterval(watchdog);
        void worker.terminate();
        const c = fuzzCase(baseWavs(input.seed), input.seed, now - 1);
        reject(new Error(`case ${now - 1} (${c.base}: ${c.mutations.join("; ")}) ran for more than ${HANG_SECONDS} s`));
      }
    }, 200);
    worker.on("message", (msg: { summary?: FuzzSummary; error?: string }) => {
      clearInterval(watchdog);
      void worker.terminate();
      if (msg.summary) resolve(msg.summary);
      else reject(new Error(`fuzz worker failed: ${msg.error}`));
    });
    worker.on("error", (err) => {
      clearInterval(watchdog);
      reject(err);
    });
  });
}

test(`${CASES} mutated WAVs (seed ${SEED}) decode to sane finite audio or throw AudioDecodeError, whole and block by block, in bounded memory`, async (t) => {
  const summary = await runFuzzWorker({ seed: SEED, cases: CASES });
  t.diagnostic(
    `seed ${SEED}: ${summary.ran} mutations in ${summary.seconds.toFixed(1)} s: ${summary.decoded} decoded, ${summary.rejected} rejected with AudioDecodeError; peak growth RSS ${(summary.peakRssGrowth / 2 ** 20).toFixed(1)} MB, array buffers ${(summary.peakArrayBufferGrowth / 2 ** 20).toFixed(1)} MB`,
  );
  const top = Object.entries(summary.reasons)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8);
  t.diagnostic(`most frequent rejections: ${top.map(([k, n]) => `${n} x "${k}"`).join(", ")}`);
  assert.deepEqual(
    summary.failures,
    [],
    "every case must decode sanely or throw AudioDecodeError, the same whole and block by block",
  );
  // every case ran, with both outcomes well represented
  assert.equal(summary.ran, CASES);
  assert.ok(
    summary.decoded >= summary.ran / 20,
    `only ${summary.decoded} of ${summary.ran} cases decoded: the mutations are too destructive to test decoding`,
  );
  assert.ok(summary.rejected >= summary.ran / 4, `only ${summary.rejected} of ${summary.ran} cases were rejected`);
  assert.ok(summary.peakRssGrowth < MAX_RSS_GROWTH_BYTES, `RSS grew by ${summary.peakRssGrowth} bytes`);
  assert.ok(
    summary.peakArrayBufferGrowth < MAX_ARRAY_BUFFER_GROWTH_BYTES,
    `array buffers grew by ${summary.peakArrayBufferGrowth} bytes`,
  );
});

test("every base file of the fuzzer decodes (the mutations start from valid WAVs)", async () => {
  for (const base of baseWavs(SEED)) {
    const audio = await decodeAudioBytes(base.bytes, base.spec.name);
    assert.equal(audio.channels.length, base.spec.channels, base.spec.name);
    assert.equal(audio.frames, base.spec.frames, base.spec.name);
    assert.equal(audio.sampleRateHz, base.spec.rateHz, base.spec.name);
  }
});

/** A small PCM16 file whose data chunk claims `claimed` bytes; RF64 puts the claim in ds64. */
function claimingWav(container: "RIFF" | "RF64", claimed: number): Uint8Array {
  const base = buildBaseWav(
    {
      name: "claim",
      container,
      kind: "pcm",
      bits: 16,
      channels: 2,
      rateHz: 16000,
      frames: 100,
      extensible: false,
      extras: false,
    },
    1,
  );
  const bytes = Uint8Array.from(base.bytes);
  const view = new DataView(bytes.buffer);
  if (container === "RF64") {
    const low = base.fields.find((f) => f.name === "ds64.dataSizeLow")!;
    view.setUint32(low.offset, claimed % 2 ** 32, true);
    view.setUint32(low.offset + 4, Math.floor(claimed / 2 ** 32), true);
  } else {
    view.setUint32(base.fields.find((f) => f.name === "data.size")!.offset, claimed, true);
  }
  return bytes;
}

for (const [container, claimed, label] of [
  ["RIFF", 0xfffffff0, "4 GB"],
  ["RF64", 2 ** 40, "1 TB"],
] as const) {
  test(`a ${container} header claiming a ${label} data chunk is rejected without allocating it`, () => {
    const bytes = claimingWav(container, claimed);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(
      () => decodeWav(bytes, "claims.wav"),
      (err: unknown) =>
        err instanceof AudioDecodeError && /data chunk claims \d+ bytes but the file holds 400/.test(err.message),
    );
    assert.throws(() => openWavStream(memoryByteSource(bytes), "claims.wav"), AudioDecodeError);
    assert.ok(process.memoryUsage().arrayBuffers - before < 2 ** 20);
  });
}

/** `depth` LIST chunks, each holding the rest (list types INFO, adtl and LIST mixed). */
function nestedLists(depth: number): Uint8Array {
  const types = ["INFO", "adtl", "LIST"];
  const out = new Uint8Array(12 * depth);
  const view = new DataView(out.buffer);
  for (let i = 0; i < depth; i++) {
    const type = types[(i * 7 + (i >> 3)) % 3] as string;
    out.set(
      Array.from("LIST" + type, (ch) => ch.charCodeAt(0)),
      12 * i,
    );
    view.setUint32(12 * i + 4, 4 + 12 * (depth - i - 1), true);
  }
  return out;
}

// Found by the fuzz test: wavefile's chunk indexer re-walks nested LIST chunks over and over
// (6.5 s for 2057 + 702 levels in a 35 kB file, growing about with the cube of the depth). The
// header is now read without it.
test("a file with thousands of nested LIST chunks around its fmt chunk decodes, its header read without walking the nesting", () => {
  const wav = encodeWav(new Float32Array(100).fill(0.25), 16000);
  const outer = nestedLists(3000);
  const inner = nestedLists(1000);
  // RIFF header, LIST chain, fmt chunk (bytes 12..36 of a canonical file), LIST chain, data chunk
  const bytes = new Uint8Array(wav.length + outer.length + inner.length);
  bytes.set(wav.subarray(0, 12), 0);
  bytes.set(outer, 12);
  bytes.set(wav.subarray(12, 36), 12 + outer.length);
  bytes.set(inner, 36 + outer.length);
  bytes.set(wav.subarray(36), 36 + outer.length + inner.length);
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  const audio = decodeWav(bytes, "nested.wav");
  assert.equal(audio.frames, 100);
  assert.equal(audio.channels[0]![0], 0.25);
  // the work, counted: the header reader skips each LIST chain as one chunk, so it reads as few
  // bytes here as for a file with a single LIST chunk, not a walk that grows with the depth
  const counted = (file: Uint8Array): { reads: number; bytes: number } => {
    const source = memoryByteSource(file);
    const count = { reads: 0, bytes: 0 };
    readWavLayout(
      {
        length: source.length,
        read: (at, n) => {
          const b = source.read(at, n);
          count.reads++;
          count.bytes += b.length;
          return b;
        },
      },
      "nested.wav",
    );
    return count;
  };
  const shallow = new Uint8Array(wav.length + 12);
  shallow.set(wav.subarray(0, 12), 0);
  shallow.set(nestedLists(1), 12);
  shallow.set(wav.subarray(12), 24);
  new DataView(shallow.buffer).setUint32(4, shallow.length - 8, true);
  const deep = counted(bytes);
  assert.ok(deep.bytes <= counted(shallow).bytes + 12, `read ${deep.bytes} header bytes in ${deep.reads} reads`);
  assert.ok(deep.bytes < 256, `read ${deep.bytes} bytes of a ${bytes.length}-byte header`);
});
