/**
 * Long recordings: the clean stage on a one-hour 44.1 kHz stereo PCM16 WAV (635 MB), which it
 * reads, mixes, resamples and cuts block by block (src/pipeline/longRecording.ts), and, for
 * comparison, a 5-minute file cleaned whole in memory (the path every file under 32 MiB takes)
 * and block by block. Each row runs in a child process of its own, so its peak RSS (VmHWM) is
 * its own; the clean stage runs on one thread (workers: 1).
 *
 * The recordings are synthetic (seeded hum harmonics, a tone and noise), written to a temporary
 * folder that is removed afterwards.
 *
 * Usage: npm run bench:longwav [-- --minutes 60 --compare-minutes 5]
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodeWav, encodeWavHeader } from "../src/audio/wavCodec";
import { thesisConfig } from "../src/config/pipeline";
import { cleanAndSample } from "../src/pipeline/stages/cleanAndSample";
import { ConsoleReporter } from "../src/util/reporter";

const RATE_HZ = 44100;
const GOAL_PEAK_RSS_MB = 1024;

/**
 * Write `minutes` of seeded synthetic 44.1 kHz stereo PCM16 to `path`, 10 s at a time (the
 * generator itself never holds more than 10 s).
 */
function writeSyntheticWav(path: string, minutes: number, seed: number): void {
  const frames = Math.round(minutes * 60 * RATE_HZ);
  const head = encodeWavHeader(frames * 2, RATE_HZ, "pcm16"); // a mono header for 2x the samples...
  const view = new DataView(head.buffer);
  view.setUint16(22, 2, true); // ...made stereo: channels, byte rate, block align
  view.setUint32(28, RATE_HZ * 4, true);
  view.setUint16(32, 4, true);
  const fd = openSync(path, "w");
  try {
    writeSync(fd, head);
    let state = seed >>> 0;
    const block = 10 * RATE_HZ;
    const pcm = new Int16Array(2 * block);
    for (let start = 0; start < frames; start += block) {
      const n = Math.min(block, frames - start);
      for (let i = 0; i < n; i++) {
        const t = (start + i) / RATE_HZ;
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const noise = state / 2 ** 32 - 0.5;
        const hum =
          0.2 * Math.sin(2 * Math.PI * 50 * t) +
          0.1 * Math.sin(2 * Math.PI * 150 * t) +
          0.05 * Math.sin(2 * Math.PI * 1234 * t);
        pcm[2 * i] = Math.round(32767 * (hum + 0.2 * noise));
        pcm[2 * i + 1] = Math.round(32767 * (0.8 * hum - 0.15 * noise));
      }
      writeSync(fd, new Uint8Array(pcm.buffer, 0, 4 * n));
    }
  } finally {
    closeSync(fd);
  }
}

/** A data root with `recording` as its one broken recording and a short normal one. */
function dataRoot(dir: string, recording: string): string {
  mkdirSync(join(dir, "broken_audio"), { recursive: true });
  mkdirSync(join(dir, "normal_audio"), { recursive: true });
  linkSync(recording, join(dir, "broken_audio", "long.wav"));
  writeFileSync(
    join(dir, "normal_audio", "normal.wav"),
    encodeWav(
      Float32Array.from({ length: 3 * 22050 }, (_, i) => 0.3 * Math.sin(i * 0.05)),
      22050,
    ),
  );
  return dir;
}

interface ChildResult {
  wallSeconds: number;
  peakRssBytes: number;
  clips: number;
  progressLines: number;
}

/** Peak resident set size of this process, bytes: VmHWM from /proc, else getrusage's maxrss. */
function peakRssBytes(): number {
  if (existsSync("/proc/self/status")) {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** In the child: run the clean stage on one data root and print the figures as JSON. */
async function child(root: string, streamAboveBytes: number): Promise<void> {
  const config = thesisConfig(root);
  config.dataRoot = root;
  config.workers = 1;
  const consoleReporter = new ConsoleReporter({ stream: process.stderr });
  let progressLines = 0;
  const start = performance.now();
  const report = await cleanAndSample(
    config,
    {
      info: (m) => consoleReporter.info(m),
      warn: (m) => consoleReporter.warn(m),
      skip: (f, r) => consoleReporter.skip(f, r),
      progress: (l, d, t) => {
        if (l.startsWith("clean long")) progressLines++;
        consoleReporter.progress(l, d, t);
      },
    },
    { streamAboveBytes },
  );
  const result: ChildResult = {
    wallSeconds: (performance.now() - start) / 1000,
    peakRssBytes: peakRssBytes(),
    clips: report.samples.length,
    progressLines,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

interface Row {
  path: "streaming" | "in-memory";
  minutes: number;
  fileBytes: number;
  result: ChildResult;
}

function runChild(root: string, streamAboveBytes: number): ChildResult {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", __filename, "--child", root, "--stream-above", String(streamAboveBytes)],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 16 * 2 ** 20,
    },
  );
  if (r.status !== 0) throw new Error(`child on ${root} exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as ChildResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      "stream-above": { type: "string" },
      minutes: { type: "string" },
      "compare-minutes": { type: "string" },
    },
  });
  if (values.child !== undefined) return child(values.child, Number(values["stream-above"]));
  const minutes = Number(values.minutes ?? 60);
  const compareMinutes = Number(values["compare-minutes"] ?? 5);
  const tmp = mkdtempSync(join(tmpdir(), "soundcheck-bench-longwav-"));
  try {
    const long = join(tmp, "long.wav");
    const short = join(tmp, "short.wav");
    let t = performance.now();
    writeSyntheticWav(long, minutes, 1);
    writeSyntheticWav(short, compareMinutes, 2);
    process.stderr.write(
      `wrote ${minutes} + ${compareMinutes} min of synthetic 44.1 kHz stereo PCM16 in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );
    const rows: Row[] = [];
    const cases: Array<[Row["path"], string, number, number]> = [
      ["streaming", long, minutes, 2 ** 20],
      ["streaming", short, compareMinutes, 2 ** 20],
      ["in-memory", short, compareMinutes, Number.MAX_SAFE_INTEGER],
    ];
    for (const [path, file, mins, threshold] of cases) {
      const root = dataRoot(join(tmp, `root-${rows.length}`), file);
      process.stderr.write(`\n${path}, ${mins} min:\n`);
      t = performance.now();
      rows.push({ path, minutes: mins, fileBytes: statSync(file).size, result: runChild(root, threshold) });
      rmSync(root, { recursive: true, force: true });
    }

    console.log("");
    console.log(
      "Clean stage on long recordings (44.1 kHz stereo PCM16 -> 22.05 kHz mono, 3 s chunks), one thread, one child process per row",
    );
    console.log("");
    console.log("path        recording          file MiB    wall s   x real time  peak RSS MiB   clips");
    for (const r of rows) {
      const rtf = (r.minutes * 60) / r.result.wallSeconds;
      console.log(
        `${r.path.padEnd(12)}${`${r.minutes} min`.padEnd(20)}${(r.fileBytes / 2 ** 20).toFixed(0).padStart(7)}${r.result.wallSeconds.toFixed(1).padStart(10)}${rtf.toFixed(0).padStart(14)}${(r.result.peakRssBytes / 2 ** 20).toFixed(0).padStart(14)}${String(r.result.clips).padStart(8)}`,
      );
    }
    const longRow = rows[0] as Row;
    const peakMb = longRow.result.peakRssBytes / 2 ** 20;
    console.log("");
    console.log(
      `goal: peak RSS under ${GOAL_PEAK_RSS_MB} MiB on the ${minutes}-minute file: ${peakMb < GOAL_PEAK_RSS_MB ? "met" : "NOT met"} (${peakMb.toFixed(0)} MiB; ${longRow.result.progressLines} progress updates)`,
    );
    console.log(
      JSON.stringify({
        bench: "longwav",
        goalPeakRssMb: GOAL_PEAK_RSS_MB,
        rows: rows.map((r) => ({
          path: r.path,
          minutes: r.minutes,
          fileBytes: r.fileBytes,
          wallSeconds: Number(r.result.wallSeconds.toFixed(2)),
          realTimeFactor: Number(((r.minutes * 60) / r.result.wallSeconds).toFixed(1)),
          peakRssMb: Number((r.result.peakRssBytes / 2 ** 20).toFixed(1)),
          clips: r.result.clips,
          progressUpdates: r.result.progressLines,
        })),
        goalMet: peakMb < GOAL_PEAK_RSS_MB,
      }),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
