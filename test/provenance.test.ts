import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { thesisConfig } from "../src/config/pipeline";
import { collectProvenance, PROVENANCE_FILE, writeProvenance } from "../src/pipeline/reports/provenance";
import { makeTinyDataset } from "./helpers/tinyDataset";

const root = mkdtempSync(join(tmpdir(), "soundcheck-provenance-"));
after(() => rmSync(root, { recursive: true, force: true }));
makeTinyDataset(root);
symlinkSync("gone.wav", join(root, "normal_audio", "dangling.wav"));
const config = thesisConfig(root);
config.dataRoot = root;
config.train.epochs = 7;
const now = new Date("2026-11-25T12:34:56.000Z");
const record = collectProvenance(config, { backend: "wasm", now });
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const installedVersion = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, "..", "node_modules", name, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };

test("records the full config, the backend and the time, and survives a JSON round trip", () => {
  assert.deepEqual(record.config, config);
  assert.equal(record.config.train.epochs, 7);
  assert.equal(record.backend, "wasm");
  assert.equal(record.createdAt, "2026-11-25T12:34:56.000Z");
  assert.deepEqual(JSON.parse(JSON.stringify(record)), record);
});

test("lists every raw input file with its size and SHA-256, relative to the data root, hidden files left out", () => {
  const expected = ["broken_audio", "normal_audio"].flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((n) => !n.startsWith(".") && n !== "dangling.wav")
      .map((n) => `${folder}/${n}`),
  );
  const hashed = record.inputs.files.filter((f) => f.error === undefined);
  assert.deepEqual(hashed.map((f) => f.path).sort(), expected.sort());
  for (const f of hashed) {
    assert.equal(f.sha256, sha256(join(root, f.path)), f.path);
    assert.equal(f.bytes, readFileSync(join(root, f.path)).length, f.path);
  }
  assert.equal(record.inputs.fileCount, expected.length + 1);
  assert.equal(
    record.inputs.totalBytes,
    hashed.reduce((n, f) => n + (f.bytes as number), 0),
  );
  assert.ok(!record.inputs.files.some((f) => f.path.endsWith(".DS_Store")));
  assert.deepEqual(
    record.inputs.files.map((f) => f.path),
    [...record.inputs.files.map((f) => f.path)].sort(),
  );
});

test("a dangling symlink is listed with the error instead of a hash", () => {
  const dangling = record.inputs.files.find((f) => f.path === "normal_audio/dangling.wav")!;
  assert.equal(dangling.sha256, null);
  assert.match(dangling.error!, /ENOENT/);
});

test("records the versions of node, soundcheck-ts and the libraries installed", () => {
  assert.equal(record.libraries.node, process.version);
  assert.equal(
    record.libraries["soundcheck-ts"],
    (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version,
  );
  assert.equal(record.project.name, "soundcheck-ts");
  for (const name of [
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@echogarden/pffft-wasm",
    "wavefile",
    "fft.js",
    "meyda",
  ]) {
    assert.equal(record.libraries[name], installedVersion(name).version, name);
  }
  assert.equal(record.libraries["@tensorflow/tfjs"], "4.22.0");
  // tfjs-node: a version only when the real package is installed (here it may be danfojs-node's alias of tfjs)
  let tfjsNode: { name: string; version: string } | null = null;
  try {
    tfjsNode = installedVersion("@tensorflow/tfjs-node");
  } catch {
    tfjsNode = null;
  }
  if (tfjsNode === null) assert.equal(record.libraries["@tensorflow/tfjs-node"], null);
  else if (tfjsNode.name === "@tensorflow/tfjs-node")
    assert.equal(record.libraries["@tensorflow/tfjs-node"], tfjsNode.version);
  else {
    assert.equal(record.libraries["@tensorflow/tfjs-node"], null);
    assert.ok(record.notes.some((n) => n.startsWith(`@tensorflow/tfjs-node resolves to ${tfjsNode!.name}@`)));
  }
});

test("records the machine and the project's git commit", () => {
  assert.equal(record.runtime.cpuCount, cpus().length);
  assert.equal(record.runtime.platform, process.platform);
  assert.equal(record.runtime.arch, process.arch);
  assert.ok(record.runtime.totalMemoryBytes > 0);
  let head: string | null;
  try {
    head = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: join(__dirname, ".."),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    head = null;
  }
  assert.equal(record.project.gitCommit, head);
  if (head !== null) assert.equal(typeof record.project.gitDirty, "boolean");
});

test("outside a git checkout the commit is null and nothing fails", () => {
  const saved = process.env.GIT_DIR;
  process.env.GIT_DIR = join(root, "not-a-repository");
  try {
    const r = collectProvenance(config, { backend: "cpu", hashFiles: false });
    assert.equal(r.project.gitCommit, null);
    assert.equal(r.project.gitDirty, null);
    assert.ok(r.inputs.files.every((f) => f.sha256 === null));
    assert.ok(r.notes.some((n) => n.includes("not hashed")));
  } finally {
    if (saved === undefined) delete process.env.GIT_DIR;
    else process.env.GIT_DIR = saved;
  }
});

test("writeProvenance writes provenance.json that reads back as the record, atomically", () => {
  const dir = join(root, "reports", "run-1");
  const path = writeProvenance(dir, record);
  assert.equal(path, join(dir, PROVENANCE_FILE));
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), record);
  assert.deepEqual(readdirSync(dir), [PROVENANCE_FILE]);
});
