import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveNpy, loadNpy } from "../src/data/npy";
import { numpyLegacyPermutation } from "../src/util/mt19937";
import { runNumpyPython } from "./helpers/numpyPython";

// These tests run real NumPy (Debian's python3-numpy, which .ci/run installs).
const python = (code: string): string => runNumpyPython(["-c", code]);

test("NumPy loads our float32 [n][40][100] features and int64 labels with the right shape and values", () => {
  const dir = mkdtempSync(join(tmpdir(), "npy-interop-"));
  const features = new Float32Array(3 * 40 * 100).map((_, i) => (i % 977) / 7 - 50);
  saveNpy(join(dir, "features.npy"), { dtype: "<f4", shape: [3, 40, 100], data: features });
  saveNpy(join(dir, "labels.npy"), { dtype: "<i8", shape: [3], data: BigInt64Array.from([0n, 1n, 1n]) });
  const out = python(
    `import numpy as np, json\n` +
      `f = np.load(${JSON.stringify(join(dir, "features.npy"))})\n` +
      `l = np.load(${JSON.stringify(join(dir, "labels.npy"))})\n` +
      `print(json.dumps([str(f.dtype), list(f.shape), float(f.sum(dtype=np.float64)), float(f[2, 39, 99]), str(l.dtype), l.tolist()]))`,
  );
  const [dtype, shape, sum, last, ldtype, labels] = JSON.parse(out) as [
    string,
    number[],
    number,
    number,
    string,
    number[],
  ];
  assert.equal(dtype, "float32");
  assert.deepEqual(shape, [3, 40, 100]);
  const expectedSum = features.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - expectedSum) < 1e-6 * Math.abs(expectedSum) + 1e-3, `${sum} vs ${expectedSum}`);
  assert.equal(last, features[features.length - 1]);
  assert.equal(ldtype, "int64");
  assert.deepEqual(labels, [0, 1, 1]);
});

test("we read what NumPy writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "npy-interop-"));
  const path = join(dir, "np.npy");
  python(`import numpy as np\nnp.save(${JSON.stringify(path)}, np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 3)`);
  const arr = loadNpy(path);
  assert.deepEqual(arr.shape, [2, 3, 4]);
  assert.deepEqual(
    Array.from(arr.data as Float32Array),
    Array.from({ length: 24 }, (_, i) => Math.fround(Math.fround(i) / 3)),
  );
});

test("our permutation equals numpy's RandomState(seed).permutation(n) for several seeds and sizes", () => {
  const cases = [
    [1, 0],
    [2, 1],
    [37, 7],
    [1860, 42],
    [5000, 123456],
  ] as const;
  const out = python(
    `import numpy as np, json\nprint(json.dumps([np.random.RandomState(s).permutation(n).tolist() for n, s in ${JSON.stringify(cases)}]))`,
  );
  const expected = JSON.parse(out) as number[][];
  cases.forEach(([n, seed], i) => assert.deepEqual(Array.from(numpyLegacyPermutation(n, seed)), expected[i]));
});
