import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { decodeWavFile } from "../src/audio/wav";
import { readCsv } from "../src/data/csv";
import { loadNpy } from "../src/data/npy";
import { TEMP_FILE_PATTERN } from "../src/util/atomicWrite";
import { folderHashes, pcm16Wav, tone } from "./helpers/tinyDataset";

// Runs the real executable (bin/soundcheck.js -> dist/, built by `npm test`), interrupts it with
// SIGINT mid-clean and SIGTERM mid-preprocess, then checks what it left and that a rerun gives
// the same features as a run that was never interrupted.

const BIN = join(__dirname, "..", "bin", "soundcheck.js");
const RUN_TIMEOUT_MS = 180_000;
const work = mkdtempSync(join(tmpdir(), "soundcheck-signals-"));
after(() => rmSync(work, { recursive: true, force: true })); // five copies of a 34 MB data set

/** 16 broken recordings of 12 s (44.1 kHz stereo, 4 chunks each) and 8 normal ones of 3.2 s. */
function makeDataset(root: string): void {
  mkdirSync(join(root, "broken_audio"), { recursive: true });
  mkdirSync(join(root, "normal_audio"), { recursive: true });
  for (let i = 0; i < 16; i++) {
    const left = tone(12, 44100, 400 + 37 * i, 0.3, 0.3, 100 + i);
    const right = tone(12, 44100, 410 + 37 * i, 0.2, 0.3, 200 + i);
    writeFileSync(join(root, "broken_audio", `pump ${i}.wav`), pcm16Wav([left, right], 44100));
  }
  for (let i = 0; i < 8; i++)
    writeFileSync(
      join(root, "normal_audio", `normal ${i}.wav`),
      pcm16Wav([tone(3.2, 16000, 300 + 20 * i, 0.4, 0.05, 300 + i)], 16000),
    );
}
const dataset = join(work, "dataset");
makeDataset(dataset);

/** A fresh copy of the dataset with its own model and reports folders. */
function freshRoot(name: string): string {
  const root = join(work, name);
  cpSync(dataset, root, { recursive: true });
  return root;
}

function pipelineArgs(root: string): string[] {
  return [
    BIN,
    "pipeline",
    "--data",
    root,
    "--model",
    join(root, "model"),
    "--reports",
    join(root, "reports"),
    "--epochs",
    "1",
    "--workers",
    "2",
  ];
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The progress line the kill followed, if any. */
  killedAfter: string | null;
}

/** Run the pipeline; when `killOn` matches a line of its stderr, send `signal`. */
function runPipeline(root: string, killOn?: { line: RegExp; signal: NodeJS.Signals }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, pipelineArgs(root), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let pending = "";
    let killedAfter: string | null = null;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`soundcheck pipeline on ${root} did not finish in ${RUN_TIMEOUT_MS / 1000} s; stderr:\n${stderr}`),
      );
    }, RUN_TIMEOUT_MS);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() as string;
      for (const line of lines) {
        if (killOn && killedAfter === null && killOn.line.test(line)) {
          killedAfter = line;
          child.kill(killOn.signal);
        }
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, killedAfter });
    });
  });
}

/** Every file under a folder (no symlinks followed), relative paths. */
function allFiles(folder: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (lstatSync(path).isDirectory()) visit(path);
      else out.push(relative(folder, path));
    }
  };
  visit(folder);
  return out.sort();
}

/** Check that every file the run wrote is complete: WAVs decode, .npy files load, CSV and JSON parse. */
function assertAllComplete(root: string): number {
  let checked = 0;
  for (const file of allFiles(root)) {
    const path = join(root, file);
    if (file.startsWith("broken_audio/") || file.startsWith("normal_audio/")) continue;
    if (file.endsWith(".wav")) {
      const audio = decodeWavFile(path);
      assert.ok(audio.frames > 0, file);
    } else if (file.endsWith(".npy")) loadNpy(path);
    else if (file.endsWith(".csv")) readCsv(path);
    else if (file.endsWith(".json")) JSON.parse(readFileSync(path, "utf8"));
    else continue;
    checked++;
  }
  return checked;
}

let reference: { features: Buffer; samples: Record<string, string> };

test("an uninterrupted pipeline run completes (the reference)", async () => {
  const root = freshRoot("reference");
  const run = await runPipeline(root);
  assert.equal(run.code, 0, run.stderr);
  reference = {
    features: readFileSync(join(root, "processed_data", "features.npy")),
    samples: folderHashes(join(root, "broken_audio_samples")),
  };
  assert.equal(Object.keys(reference.samples).length, 64);
});

for (const scenario of [
  { stage: "clean", signal: "SIGINT" as const, code: 130, line: /^clean \d+\/\d+ +(25|50)%/ },
  { stage: "preprocess", signal: "SIGTERM" as const, code: 143, line: /^augment \+ features \d+\/\d+ +(25|50)%/ },
]) {
  test(`${scenario.signal} mid-${scenario.stage} exits ${scenario.code} with one line, leaves only complete files, and a rerun gives the same features`, async () => {
    const root = freshRoot(`interrupted-${scenario.stage}`);
    const rawBefore = folderHashes(join(root, "broken_audio"));
    const run = await runPipeline(root, { line: scenario.line, signal: scenario.signal });
    assert.ok(run.killedAfter !== null, `no progress line matched ${scenario.line}; stderr:\n${run.stderr}`);
    assert.equal(run.code, scenario.code, run.stderr);
    const messages = run.stderr.split("\n").filter((l) => l.startsWith("interrupted"));
    assert.equal(messages.length, 1, run.stderr);
    assert.match(
      messages[0]!,
      new RegExp(
        `^interrupted by ${scenario.signal} during soundcheck pipeline \\(last progress: ${scenario.stage === "clean" ? "clean" : "augment \\+ features"} \\d+/\\d+\\): .*no partial file.*rerunning the same command is safe`,
      ),
    );
    // stopped mid-stage: features.npy is written at the end of preprocess, so it is not there
    assert.equal(existsSync(join(root, "processed_data", "features.npy")), false);
    if (scenario.stage === "preprocess")
      assert.ok(readdirSync(join(root, "augmented_broken_audio_samples")).length > 0, "preprocess had started writing");

    const leftovers = allFiles(root).filter((f) => TEMP_FILE_PATTERN.test(f.split("/").pop()!) || f.endsWith(".tmp"));
    assert.deepEqual(leftovers, []);
    assert.ok(assertAllComplete(root) > 0);
    assert.deepEqual(folderHashes(join(root, "broken_audio")), rawBefore);

    const rerun = await runPipeline(root);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.ok(
      readFileSync(join(root, "processed_data", "features.npy")).equals(reference.features),
      "features.npy differs from the uninterrupted run",
    );
    assert.deepEqual(folderHashes(join(root, "broken_audio_samples")), reference.samples);
  });
}

test("stopping writes in one thread stops them in worker threads too, and leaves no temporary file", () => {
  // in a child process: stopping writes is for good, process-wide
  const dir = join(work, "stop-writes");
  mkdirSync(dir);
  const atomicWrite = join(__dirname, "..", "src", "util", "atomicWrite.ts");
  const script = `
    const { Worker } = require("node:worker_threads");
    const { stopWrites, writeFileAtomic, openAtomicWriter, removeOpenTempFiles } = require(${JSON.stringify(atomicWrite)});
    const dir = ${JSON.stringify(dir)};
    const worker = new Worker(\`
      require("tsx/cjs");
      const { parentPort } = require("node:worker_threads");
      const { writeFileAtomic } = require(${JSON.stringify(atomicWrite)});
      let n = 0;
      const big = new Uint8Array(1 << 20);
      try {
        for (;;) { writeFileAtomic(${JSON.stringify(dir)} + "/w" + (n % 5) + ".bin", big); if (++n === 20) parentPort.postMessage("busy"); }
      } catch (err) { parentPort.postMessage(err.name + " after " + n + " writes"); }
    \`, { eval: true });
    const long = openAtomicWriter(dir + "/long.wav");
    long.write(new Uint8Array(1000));
    worker.on("message", (m) => {
      if (m === "busy") {
        const idle = stopWrites();
        let mainError = "none";
        try { writeFileAtomic(dir + "/after.bin", "x"); } catch (err) { mainError = err.name; }
        const removed = removeOpenTempFiles().length;
        console.log(JSON.stringify({ idle, mainError, removed }));
      } else {
        console.log(JSON.stringify({ worker: m }));
        worker.terminate();
      }
    });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const [main, fromWorker] = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(main, { idle: true, mainError: "WritesStoppedError", removed: 1 });
  assert.match(fromWorker!.worker as string, /^WritesStoppedError after \d+ writes$/);
  const left = readdirSync(dir);
  assert.deepEqual(
    left.filter((f) => f.endsWith(".tmp")),
    [],
  );
  assert.ok(!left.includes("after.bin") && !left.includes("long.wav"));
  for (const f of left) assert.equal(readFileSync(join(dir, f)).length, 1 << 20, `${f} is complete`);
});
