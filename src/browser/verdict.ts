/**
 * The decision rule, shared by every window and file verdict of the browser app: the stored
 * threshold on the probability of class 1 when the model has one (src/model/save.ts
 * `DecisionThreshold`: class 1 when P(class 1) >= value), otherwise the most probable class.
 */

/**
 * Index of the class decided for one row of class probabilities.
 *
 * @param probabilities  one probability per class, summing to 1
 * @param threshold  stored threshold on P(class 1), or null for the most probable class (the
 *   first on ties, as `argmaxRows`)
 */
export function decideClass(probabilities: ArrayLike<number>, threshold: number | null): number {
  if (threshold !== null && probabilities.length === 2) return (probabilities[1] as number) >= threshold ? 1 : 0;
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if ((probabilities[k] as number) > (probabilities[best] as number)) best = k;
  return best;
}

/**
 * Mean of each class's probability over rows (windows), as `soundcheck predict` averages a
 * file's chunks.
 *
 * @param rows  `[windows][classes]`, at least one row
 * @returns  `[classes]`
 */
export function meanProbabilities(rows: ReadonlyArray<ArrayLike<number>>): number[] {
  const classes = rows[0]?.length ?? 0;
  // sum, then divide: the same operations as predictFiles, so the same doubles
  return Array.from({ length: classes }, (_, k) => rows.reduce((sum, row) => sum + (row[k] as number), 0) / rows.length);
}
