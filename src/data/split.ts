import { ConfigError } from "../errors";
import { numpyLegacyPermutation } from "../util/mt19937";
import { SeededRandom } from "../util/random";

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
    throw new ConfigError(
      "split.testFraction",
      `must be between 0 and 1, got ${testFraction}`,
      "use e.g. 0.2 for an 80/20 split",
    );
  }
  const nTest = Math.ceil(testFraction * n);
  const nTrain = n - nTest;
  if (nTest < 1 || nTrain < 1) {
    throw new ConfigError(
      "split",
      `${n} rows cannot be split into ${nTrain} training and ${nTest} test rows`,
      "add more recordings or change split.testFraction",
    );
  }
  const perm = numpyLegacyPermutation(n, seed);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest) };
}

/** The recording each row came from, and its class; every row of one group must share a class. */
function groupsByClass(groups: readonly string[], labels: ArrayLike<number>): Map<number, string[]> {
  if (groups.length !== labels.length) {
    throw new ConfigError(
      "split",
      `${groups.length} group names for ${labels.length} rows`,
      'run "soundcheck preprocess" again so the manifest matches the features',
    );
  }
  const classOf = new Map<string, number>();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as string;
    const label = labels[i] as number;
    const seen = classOf.get(g);
    if (seen === undefined) classOf.set(g, label);
    else if (seen !== label) {
      throw new ConfigError(
        g,
        `rows of this recording have labels ${seen} and ${label}`,
        "a recording must belong to one class: check the manifest and the raw folders",
      );
    }
  }
  const byClass = new Map<number, string[]>();
  for (const [g, label] of classOf) {
    const list = byClass.get(label) ?? [];
    list.push(g);
    byClass.set(label, list);
  }
  for (const list of byClass.values()) list.sort();
  return new Map([...byClass.entries()].sort((a, b) => a[0] - b[0]));
}

/** Row indices (ascending) whose group is in `chosen`. */
function rowsOf(groups: readonly string[], chosen: ReadonlySet<string>, inside: boolean): Int32Array {
  const out: number[] = [];
  groups.forEach((g, i) => {
    if (chosen.has(g) === inside) out.push(i);
  });
  return Int32Array.from(out);
}

/**
 * A leakage-safe split: whole groups (source recordings) go to one side, chosen per class
 * (stratified) by a seeded shuffle of the class's group names (sorted first, so the result does
 * not depend on row order). Each class sends `max(1, round(testFraction × groups))` of its
 * groups to the test set, so both sides hold every class. No group is ever on both sides.
 *
 * @param groups  group name (source recording) per row
 * @param labels  class index per row
 * @returns row indices of each side, ascending
 */
export function groupedStratifiedSplit(
  groups: readonly string[],
  labels: ArrayLike<number>,
  testFraction: number,
  seed: number,
): SplitIndices {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ConfigError(
      "split.testFraction",
      `must be between 0 and 1, got ${testFraction}`,
      "use e.g. 0.2 for an 80/20 split",
    );
  }
  const rng = new SeededRandom(seed);
  const test = new Set<string>();
  for (const [label, names] of groupsByClass(groups, labels)) {
    if (names.length < 2) {
      const problem = `class ${label} has ${names.length} recording, and a grouped split needs at least 2 per class`;
      throw new ConfigError(
        "split",
        `${problem} (one for each side)`,
        'add recordings of that class, or use split.method "rows"',
      );
    }
    const order = rng.shuffle(names.slice());
    const nTest = Math.min(names.length - 1, Math.max(1, Math.round(testFraction * names.length)));
    for (const g of order.slice(0, nTest)) test.add(g);
  }
  return { train: rowsOf(groups, test, false), test: rowsOf(groups, test, true) };
}

/**
 * Grouped, stratified k-fold assignment: each class's groups are shuffled with the seed and
 * dealt to the folds in turn, so every fold holds about 1/k of each class's recordings and no
 * group is in two folds.
 *
 * @returns for each fold, its test rows (ascending); the other folds' rows are its training rows
 */
export function groupedStratifiedFolds(
  groups: readonly string[],
  labels: ArrayLike<number>,
  folds: number,
  seed: number,
): Int32Array[] {
  if (!Number.isInteger(folds) || folds < 2)
    throw new ConfigError("cv.folds", `is ${folds}`, "use an integer >= 2 such as 5");
  const rng = new SeededRandom(seed);
  const foldOf = new Map<string, number>();
  for (const [label, names] of groupsByClass(groups, labels)) {
    if (names.length < folds) {
      throw new ConfigError(
        "cv.folds",
        `is ${folds} but class ${label} has only ${names.length} recordings`,
        `use at most ${names.length} folds, or add recordings`,
      );
    }
    rng.shuffle(names.slice()).forEach((g, i) => foldOf.set(g, i % folds));
  }
  return Array.from({ length: folds }, (_, f) => {
    const out: number[] = [];
    groups.forEach((g, i) => {
      if (foldOf.get(g) === f) out.push(i);
    });
    return Int32Array.from(out);
  });
}

/**
 * Row-level stratified k-fold (the thesis's unit of splitting: rows, not recordings): each
 * class's rows are shuffled with the seed and dealt to the folds in turn.
 *
 * @returns for each fold, its test rows (ascending)
 */
export function stratifiedRowFolds(labels: ArrayLike<number>, folds: number, seed: number): Int32Array[] {
  const rows = Array.from({ length: labels.length }, (_, i) => String(i));
  return groupedStratifiedFolds(rows, labels, folds, seed);
}

/** The rows 0..count-1 that are not in `exclude` (ascending). */
export function complementRows(count: number, exclude: ArrayLike<number>): Int32Array {
  const taken = new Uint8Array(count);
  for (let i = 0; i < exclude.length; i++) taken[exclude[i] as number] = 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (taken[i] === 0) out.push(i);
  return Int32Array.from(out);
}
