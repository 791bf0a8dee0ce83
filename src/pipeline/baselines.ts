import type { PipelineConfig } from "../config/pipeline";
import type { ScoreThreshold } from "../evaluate/modelEvaluation";
import type { FeatureSet } from "./split";
import type { Reporter } from "./reporter";

/** A baseline fitted on the training rows, ready to score feature matrices. */
export interface FittedScorer {
  name: string;
  /** What the score is (higher = more likely broken). */
  scoreName: string;
  /** Scores of `count` matrices `[nMfcc][frames]` (flat). */
  score(x: Float32Array, count: number): Float64Array;
  threshold: ScoreThreshold;
}

export function fitBaselines(config: PipelineConfig, train: FeatureSet, validation: FeatureSet | null, reporter: Reporter): FittedScorer[] {
  void config;
  void train;
  void validation;
  void reporter;
  return [];
}
