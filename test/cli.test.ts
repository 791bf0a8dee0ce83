import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

// Runs the real executable (bin/soundcheck.js -> dist/, built by `npm test` and `npm install`).
const BIN = join(__dirname, "..", "bin", "soundcheck.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("--help lists every command and exits 0", () => {
  const r = run("--help");
  assert.equal(r.status, 0);
  for (const cmd of [
    "clean",
    "preprocess",
    "split",
    "train",
    "evaluate",
    "pipeline",
    "features",
    "predict",
    "clean-samples",
  ])
    assert.match(r.stdout, new RegExp(`\\n  ${cmd}\\b`));
});

test("an unknown command exits 2 with the help", () => {
  const r = run("bogus");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "bogus"/);
});

test("a missing data folder exits 1 with one line naming it and the fix", () => {
  const r = run("clean", "--data", "/nonexistent-soundcheck-root", "--quiet");
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^error: \/nonexistent-soundcheck-root\/broken_audio: folder of broken recordings not found\. create it/,
  );
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

test("a malformed number flag exits 2 naming the flag", () => {
  const r = run("train", "--epochs", "many");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--epochs must be an integer, got "many"/);
});

test("clean-samples refuses to delete unexpected files without --yes, and empties the generated folders with it", async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, readdirSync, existsSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const root = mkdtempSync(join(tmpdir(), "clean-samples-"));
  for (const d of ["broken_audio", "broken_audio_samples", "processed_data"]) mkdirSync(join(root, d));
  writeFileSync(join(root, "broken_audio", "raw.wav"), "raw");
  writeFileSync(join(root, "broken_audio_samples", "a_chunk_0.wav"), "x");
  writeFileSync(join(root, "processed_data", "my notes.docx"), "precious");
  const refused = run("clean-samples", "--data", root);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /my notes\.docx/);
  assert.ok(existsSync(join(root, "processed_data", "my notes.docx")));
  assert.ok(existsSync(join(root, "broken_audio_samples", "a_chunk_0.wav")));
  const done = run("clean-samples", "--data", root, "--yes", "--quiet");
  assert.equal(done.status, 0);
  assert.deepEqual(readdirSync(join(root, "processed_data")), []);
  assert.deepEqual(readdirSync(join(root, "broken_audio_samples")), []);
  assert.deepEqual(readdirSync(join(root, "broken_audio")), ["raw.wav"]);
});
