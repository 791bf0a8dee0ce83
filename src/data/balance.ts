import { SeededRandom } from "../util/random";

/**
 * Balanced sampling by oversampling: row indices in which every class appears as often as the
 * largest one. Each row of a smaller class is repeated `floor(max / n)` times and a seeded
 * sample (without replacement) of its rows supplies the remaining `max mod n` copies. For
 * full-batch training this equals weighting each class's loss by `max / n`, i.e. inverse
 * class frequency; for mini-batches it balances every epoch.
 *
 * @param labels  class index per row (classes absent from `labels` are ignored)
 * @returns row indices, ascending (repeats are adjacent), length `classes × max`
 */
export function oversampleIndices(labels: ArrayLike<number>, seed: number): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    const list = byClass.get(c) ?? [];
    list.push(i);
    byClass.set(c, list);
  }
  const target = Math.max(0, ...[...byClass.values()].map((rows) => rows.length));
  const rng = new SeededRandom(seed);
  const out: number[] = [];
  for (const [, rows] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    const whole = Math.floor(target / rows.length);
    const extra = new Set(rng.shuffle(rows.slice()).slice(0, target - whole * rows.length));
    for (const r of rows) {
      const copies = whole + (extra.has(r) ? 1 : 0);
      for (let k = 0; k < copies; k++) out.push(r);
    }
  }
  return Int32Array.from(out).sort();
}
