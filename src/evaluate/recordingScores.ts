/**
 * Recording-level decisions: a recording's score aggregates the scores of its windows (chunks),
 * so a model is judged on what a user asks ("is this machine broken?"), once per recording.
 */
import { ConfigError, ShapeError } from "../errors";

/** How window scores become a recording score: their mean, their maximum, or the mean of the k highest. */
export interface RecordingAggregation {
  method: "mean" | "max" | "top-k";
  /** Windows averaged by "top-k" (all when a recording has fewer). */
  k: number;
}

/** One score per recording, in order of first appearance. */
export interface RecordingScores {
  recordings: string[];
  /** Class of each recording (its windows must agree). */
  labels: Int32Array;
  scores: Float64Array;
  /** Windows of each recording. */
  windows: Int32Array;
}

/** The aggregate of one recording's window scores (see {@link RecordingAggregation}). */
export function aggregateWindowScores(scores: readonly number[], rule: RecordingAggregation): number {
  if (scores.length === 0)
    throw new ShapeError(
      "aggregateWindowScores",
      "a recording has no window",
      "score at least one window per recording",
    );
  if (rule.method === "max") return Math.max(...scores);
  const used = rule.method === "mean" ? scores : [...scores].sort((a, b) => b - a).slice(0, rule.k);
  if (rule.method === "top-k" && !(Number.isInteger(rule.k) && rule.k >= 1))
    throw new ConfigError("evaluate.recordingTopK", `is ${rule.k}`, "use a positive integer such as 2");
  return used.reduce((a, b) => a + b, 0) / used.length;
}

/**
 * Group window scores by recording and aggregate them.
 *
 * @param recordings  recording (source file) of each window
 * @param labels  class of each window (0 normal, 1 broken); a recording's windows share it
 * @param scores  score of each window (higher = more likely broken)
 */
export function recordingScores(
  recordings: readonly string[],
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  rule: RecordingAggregation,
): RecordingScores {
  if (recordings.length !== labels.length || recordings.length !== scores.length) {
    throw new ShapeError(
      "recordingScores",
      `${recordings.length} recordings, ${labels.length} labels and ${scores.length} scores`,
      "pass one recording, label and score per window",
    );
  }
  const byRecording = new Map<string, { label: number; scores: number[] }>();
  recordings.forEach((r, i) => {
    const e = byRecording.get(r) ?? { label: labels[i] as number, scores: [] };
    if (e.label !== labels[i])
      throw new ShapeError(
        "recordingScores",
        `recording ${r} has windows of both classes`,
        "label every window of a recording with the recording's class",
      );
    e.scores.push(scores[i] as number);
    byRecording.set(r, e);
  });
  const entries = [...byRecording.entries()];
  return {
    recordings: entries.map(([r]) => r),
    labels: Int32Array.from(entries, ([, e]) => e.label),
    scores: Float64Array.from(entries, ([, e]) => aggregateWindowScores(e.scores, rule)),
    windows: Int32Array.from(entries, ([, e]) => e.scores.length),
  };
}
