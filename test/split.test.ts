import { test } from "node:test";
import assert from "node:assert/strict";
import { thesisSplit } from "../src/data/split";
import { numpyLegacyPermutation } from "../src/util/mt19937";

test("reproduces numpy.random.RandomState(42).permutation exactly", () => {
  // printed by numpy 1.24: np.random.RandomState(42).permutation(10) and permutation(2000)[:10]
  assert.deepEqual(Array.from(numpyLegacyPermutation(10, 42)), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
  assert.deepEqual(
    Array.from(numpyLegacyPermutation(2000, 42).slice(0, 10)),
    [1860, 353, 1333, 905, 1289, 1273, 938, 1731, 65, 1323],
  );
});

test("puts rows where scikit-learn's train_test_split(test_size=0.2, random_state=42) puts them", () => {
  const s = thesisSplit(10, 0.2, 42);
  assert.deepEqual(Array.from(s.test), [8, 1]);
  assert.deepEqual(Array.from(s.train), [5, 0, 7, 2, 9, 4, 3, 6]);
});

test("rounds the test size up as scikit-learn does", () => {
  const s = thesisSplit(11, 0.2, 0);
  assert.equal(s.test.length, 3);
  assert.equal(s.train.length, 8);
  const all = [...s.train, ...s.test].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: 11 }, (_, i) => i),
  );
});

test("refuses a split that would leave a side empty", () => {
  assert.throws(() => thesisSplit(1, 0.2, 42), /cannot be split/);
});
