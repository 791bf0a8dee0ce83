// The generator of test/fixtures/librosa (scripts/reference/librosa_ref.py) stays in step with the
// fixtures. librosa is not installable on the build machines, so this checks what needs numpy only
// (Debian's python3-numpy, which .ci/run installs): the four test signals byte for byte, and every
// index.json entry that can be rebuilt from the committed arrays with the generator's own helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNumpyPython } from "./helpers/numpyPython";

const ROOT = join(__dirname, "..");
const FIXTURES = join(ROOT, "test", "fixtures", "librosa");

const python = (args: string[]): string => runNumpyPython(args, { cwd: ROOT, timeout: 300_000 });

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
