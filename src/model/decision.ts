/**
 * Turning class probabilities into a verdict, the one rule every consumer uses (evaluate,
 * `soundcheck predict`, unseen-data evaluation, the browser app). No file system access.
 */

/**
 * The predicted class index: with a decision threshold (two classes only) class 1 when its
 * probability is >= threshold, else the class with the largest probability (first on ties).
 *
 * @param probabilities  one probability per class (e.g. the mean over a file's windows)
 * @param threshold  threshold on the probability of class 1, from the model's metadata
 */
export function decideClass(probabilities: ArrayLike<number>, threshold?: number | null): number {
  if (threshold !== undefined && threshold !== null && probabilities.length === 2) {
    return (probabilities[1] as number) >= threshold ? 1 : 0;
  }
  let best = 0;
  for (let c = 1; c < probabilities.length; c++)
    if ((probabilities[c] as number) > (probabilities[best] as number)) best = c;
  return best;
}

/** Mean of `[windows][classes]` probabilities per class. */
export function meanProbabilities(windows: ReadonlyArray<ArrayLike<number>>, classes: number): number[] {
  const mean = new Array<number>(classes).fill(0);
  for (const w of windows)
    for (let c = 0; c < classes; c++) mean[c] = (mean[c] as number) + (w[c] as number) / windows.length;
  return mean;
}
