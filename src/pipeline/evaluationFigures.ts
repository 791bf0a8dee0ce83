import type { ModelEvaluation } from "../evaluate/modelEvaluation";
import type { TrainHistory } from "../model/train";
import type { NamedFigure } from "./runReport";

export function evaluationFigures(evaluations: ModelEvaluation[], labels: ArrayLike<number>, classNames: string[], history: TrainHistory | undefined, maxFpr: number): NamedFigure[] {
  void evaluations; void labels; void classNames; void history; void maxFpr;
  return [];
}

export function metricsComparisonFigureFor(summary: Array<{ model: string }>, title: string): import("../plots/figure").Figure {
  void summary; void title;
  return { data: [], layout: {} } as unknown as import("../plots/figure").Figure;
}

export function unseenFigures(e: ModelEvaluation, labels: number[], scores: number[], classNames: string[], maxFpr: number): NamedFigure[] {
  void e; void labels; void scores; void classNames; void maxFpr;
  return [];
}
