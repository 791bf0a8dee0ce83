/**
 * Worker-thread half of test/audio.fuzz.test.ts: decodes a fixed number of seeded fuzz cases,
 * publishing the index of the case it is on in shared memory (so the test's
 * watchdog can name a case that hangs), and posts a summary.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeAudioBytes } from "../../src/audio/decodeBytes";
import { AudioDecodeError } from "../../src/errors";
import { baseWavs, fuzzCase, type FuzzCase } from "./wavFuzz";
import { checkWavStreamAgrees } from "./wavStreamCheck";

export interface FuzzWorkerInput {
  seed: number;
  /** Cases 0 .. cases-1 of the seed's sequence are decoded, every one. */
  cases: number;
  /** Int32Array view target: [0] = index + 1 of the case being decoded. */
  progress: SharedArrayBuffer;
}

export interface FuzzFailure {
  index: number;
  base: string;
  mutations: string[];
  problem: string;
}

export interface FuzzSummary {
  ran: number;
  decoded: number;
  rejected: number;
  /** Rejections by the first words of the problem, for the log. */
  reasons: Record<string, number>;
  failures: FuzzFailure[];
  /** Largest growth over the start, bytes. */
  peakRssGrowth: number;
  peakArrayBufferGrowth: number;
  seconds: number;
}

/** Why a decoded result is not sane, or null. */
function insane(audio: { sampleRateHz: number; channels: Float32Array[]; frames: number }): string | null {
  if (!(audio.sampleRateHz >= 100 && audio.sampleRateHz <= 768000)) return `rate ${audio.sampleRateHz}`;
  if (audio.channels.length < 1 || audio.channels.length > 1024) return `${audio.channels.length} channels`;
  if (!(audio.frames > 0)) return `${audio.frames} frames`;
  for (const ch of audio.channels) {
    if (ch.length !== audio.frames) return `channel of ${ch.length} samples for ${audio.frames} frames`;
    for (let i = 0; i < ch.length; i++) if (!Number.isFinite(ch[i] as number)) return `sample ${i} is ${ch[i]}`;
  }
  return null;
}

async function run(input: FuzzWorkerInput): Promise<FuzzSummary> {
  const progress = new Int32Array(input.progress);
  const bases = baseWavs(input.seed);
  const start = performance.now();
  const mem0 = process.memoryUsage();
  const summary: FuzzSummary = {
    ran: 0,
    decoded: 0,
    rejected: 0,
    reasons: {},
    failures: [],
    peakRssGrowth: 0,
    peakArrayBufferGrowth: 0,
    seconds: 0,
  };
  const fail = (c: FuzzCase, problem: string) => {
    if (summary.failures.length < 20)
      summary.failures.push({ index: c.index, base: c.base, mutations: c.mutations, problem });
  };
  for (let i = 0; i < input.cases; i++) {
    const c = fuzzCase(bases, input.seed, i);
    Atomics.store(progress, 0, i + 1);
    try {
      const audio = await decodeAudioBytes(c.bytes, `case${i}.wav`);
      const problem = insane(audio);
      if (problem === null) summary.decoded++;
      else fail(c, `decoded to an insane result: ${problem}`);
    } catch (err) {
      if (err instanceof AudioDecodeError) {
        summary.rejected++;
        const key = err.problem.replace(/-?\d+(\.\d+)?/g, "N").slice(0, 48);
        summary.reasons[key] = (summary.reasons[key] ?? 0) + 1;
      } else fail(c, `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    const streamProblem = checkWavStreamAgrees(c.bytes, `case${i}.wav`);
    if (streamProblem !== null) fail(c, `streaming reader: ${streamProblem}`);
    summary.ran++;
    const mem = process.memoryUsage();
    summary.peakRssGrowth = Math.max(summary.peakRssGrowth, mem.rss - mem0.rss);
    summary.peakArrayBufferGrowth = Math.max(summary.peakArrayBufferGrowth, mem.arrayBuffers - mem0.arrayBuffers);
  }
  summary.seconds = (performance.now() - start) / 1000;
  return summary;
}

run(workerData as FuzzWorkerInput).then(
  (summary) => parentPort?.postMessage({ summary }),
  (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
);
