// A recording the user may not read is skipped with the permission error, and the run goes on.
// chmod does not bind root, and CI runs as root, so when this test runs as root it runs the clean
// stage in a child process that drops to the unprivileged user "nobody" (uid/gid 65534) first;
// otherwise in a child process as the current user. Either way the stage really meets EACCES.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav } from "../src/audio/wavCodec";
import { tone } from "./helpers/tinyDataset";

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

const work = mkdtempSync(join(tmpdir(), "soundcheck-permissions-"));
after(() => rmSync(work, { recursive: true, force: true }));
const root = join(work, "data");
const warmUp = join(work, "warm-up");
for (const folder of ["broken_audio", "normal_audio"]) mkdirSync(join(root, folder), { recursive: true });
writeFileSync(join(root, "broken_audio", "readable.wav"), encodeWav(tone(3.2, 22050, 500, 0.3, 0.1, 1), 22050));
writeFileSync(join(root, "normal_audio", "normal.wav"), encodeWav(tone(3.2, 22050, 300, 0.3, 0.1, 2), 22050));
cpSync(root, warmUp, { recursive: true });
const locked = join(root, "broken_audio", "locked.wav");
writeFileSync(locked, encodeWav(tone(3.2, 22050, 700, 0.3, 0.1, 3), 22050));
if (asRoot) {
  // everything belongs to nobody (so it may write the generated folders), the locked file too
  const own = (path: string): void => {
    chownSync(path, NOBODY, NOBODY);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) own(join(path, name));
  };
  own(work);
}
chmodSync(locked, 0o000);

interface ChildResult {
  uid: number | null;
  skipped: Array<{ file: string; reason: string }>;
  written: string[];
}

test(`an unreadable recording is skipped with the permission error (run as ${asRoot ? "root, dropping to nobody" : "this user"})`, () => {
  const child = join(__dirname, "helpers", "cleanAsUser.ts");
  const args = ["--import", "tsx", child, root, ...(asRoot ? [warmUp, String(NOBODY), String(NOBODY)] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: join(__dirname, ".."), timeout: 300_000 });
  assert.equal(r.status, 0, `the clean stage failed in the child process:\n${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split("\n").pop() as string) as ChildResult;
  assert.notEqual(result.uid, 0, "the stage must run unprivileged, or chmod does not bind it");
  assert.deepEqual(
    result.skipped.map((s) => s.file),
    [locked],
  );
  assert.match(result.skipped[0]?.reason ?? "", /cannot read the file \(EACCES/);
  assert.match(result.skipped[0]?.reason ?? "", /; \S/, "the reason ends with what to do");
  assert.deepEqual(result.written, ["readable_chunk_0.wav"]);
});
