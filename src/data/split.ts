import { ConfigError } from "../errors";
import { numpyLegacyPermutation } from "../util/mt19937";

/** Row indices of the two sides of a split, in the order rows are written out. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/**
 * The thesis's row-level split, identical to scikit-learn's
 * `train_test_split(X, y, test_size=testFraction, random_state=seed)` (no stratification):
 * `n_test = ceil(testFraction * n)`, the rows permuted by `RandomState(seed).permutation(n)`,
 * the first `n_test` of the permutation are the test set and the rest the training set, both
 * in permutation order.
 *
 * It splits rows, not recordings: chunks and augmented copies of one recording can land on
 * both sides. That is what the thesis did; keep it for reproducing its numbers.
 *
 * @param n  number of rows
 * @param testFraction  in (0, 1)
 * @param seed  integer seed (the thesis used 42)
 */
export function thesisSplit(n: number, testFraction: number, seed: number): SplitIndices {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ConfigError("split.testFraction", `must be between 0 and 1, got ${testFraction}`, "use e.g. 0.2 for an 80/20 split");
  }
  const nTest = Math.ceil(testFraction * n);
  const nTrain = n - nTest;
  if (nTest < 1 || nTrain < 1) {
    throw new ConfigError("split", `${n} rows cannot be split into ${nTrain} training and ${nTest} test rows`, "add more recordings or change split.testFraction");
  }
  const perm = numpyLegacyPermutation(n, seed);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest) };
}
