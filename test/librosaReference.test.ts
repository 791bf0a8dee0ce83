// The generator of test/fixtures/librosa (scripts/reference/librosa_ref.py) stays in step with the
// fixtures. librosa is not installable on the build machines, so this checks what needs numpy only
// (Debian's python3-numpy, which .ci/run installs): the four test signals byte for byte, and every
// index.json entry that can be rebuilt from the committed arrays with the generator's own helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PYTHON = process.env.SOUNDCHECK_PYTHON ?? "/usr/bin/python3";
const ROOT = join(__dirname, "..");
const FIXTURES = join(ROOT, "test", "fixtures", "librosa");

function python(args: string[]): string {
  try {
    return execFileSync(PYTHON, args, { encoding: "utf8", cwd: ROOT, timeout: 300_000 });
  } catch (err) {
    throw new Error(
      `${PYTHON} with numpy is needed for this test (apt-get install python3-numpy): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

test("librosa_ref.py --signals-only writes the four test signals byte-identical to the fixtures", () => {
  const out = mkdtempSync(join(tmpdir(), "librosa-ref-"));
  try {
    python([join(ROOT, "scripts", "reference", "librosa_ref.py"), "--out", out, "--signals-only"]);
    const wavs = readdirSync(out).sort();
    assert.deepEqual(
      wavs,
      readdirSync(FIXTURES)
        .filter((f) => f.endsWith(".wav"))
        .sort(),
    );
    assert.equal(wavs.length, 4);
    for (const f of wavs) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(FIXTURES, f))), f);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("index.json's parameters, signal metadata, statistics, .npy bytes and comparisons follow from the generator's code", () => {
  const mismatches = JSON.parse(
    python([join(__dirname, "helpers", "librosaRefCheck.py"), ROOT])
      .trim()
      .split("\n")
      .pop() as string,
  ) as string[];
  assert.deepEqual(mismatches, []);
});
