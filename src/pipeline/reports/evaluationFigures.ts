/**
 * The figures of a run's report folder, built from the evaluations: confusion matrix and
 * per-class metrics of the CNN, ROC and precision-recall curves of every model, score
 * histograms per class with each model's threshold, the training loss, and a grouped bar chart
 * of the headline metrics.
 */
import {
  HEADLINE_METRICS,
  headlineMetrics,
  HEADLINE_TITLES,
  type HeadlineMetrics,
  type ModelEvaluation,
} from "../../evaluate/modelEvaluation";
import type { TrainHistory } from "../../model/train";
import type { Figure } from "../../plots/figure";
import {
  confusionMatrixFigure,
  lossCurveFigure,
  metricsComparisonFigure,
  perClassMetricsFigure,
  precisionRecallFigure,
  rocFigure,
  scoreHistogramFigure,
} from "../../plots/figures";
import type { NamedFigure } from "./runReport";

/** Grouped bars of the headline metrics, one group per metric, one bar per model (± sd when given). */
export function metricsComparisonFigureFor(
  rows: Array<{ model: string; mean?: HeadlineMetrics; sd?: HeadlineMetrics; metrics?: HeadlineMetrics }>,
  title: string,
): Figure {
  const titled = (m: HeadlineMetrics) => Object.fromEntries(HEADLINE_METRICS.map((k) => [HEADLINE_TITLES[k], m[k]]));
  return metricsComparisonFigure(
    rows.map((r) => ({
      name: r.model,
      metrics: titled((r.mean ?? r.metrics) as HeadlineMetrics),
      ...(r.sd === undefined ? {} : { sd: titled(r.sd) }),
    })),
    HEADLINE_METRICS.map((k) => HEADLINE_TITLES[k]),
    title,
  );
}

function curves(
  evaluations: ModelEvaluation[],
  maxFpr: number,
  labels: ArrayLike<number>,
  title: string,
): NamedFigure[] {
  const ranked = evaluations.filter((e) => e.ranking !== null);
  if (ranked.length === 0) return [];
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  return [
    {
      name: "roc",
      figure: rocFigure(
        ranked.map((e) => ({
          name: e.model,
          fpr: e.ranking!.roc.fpr,
          tpr: e.ranking!.roc.tpr,
          auc: e.ranking!.rocAuc,
          pAuc: e.ranking!.partialAuc.normalized,
        })),
        maxFpr,
        `ROC curves (${title})`,
      ),
    },
    {
      name: "precision_recall",
      figure: precisionRecallFigure(
        ranked.map((e) => ({
          name: e.model,
          precision: e.ranking!.precisionRecall.precision,
          recall: e.ranking!.precisionRecall.recall,
          averagePrecision: e.ranking!.averagePrecision,
        })),
        positives / Math.max(1, labels.length),
        `Precision-recall curves (${title})`,
      ),
    },
  ];
}

/**
 * The report figures of the evaluate stage.
 *
 * @param scores  per model (same order as evaluations), its score per test row
 * @param labels  true class per test row
 */
export function evaluationFigures(
  evaluations: ModelEvaluation[],
  scores: ArrayLike<number>[],
  labels: ArrayLike<number>,
  classNames: string[],
  history: TrainHistory | undefined,
  maxFpr: number,
): NamedFigure[] {
  const cnn = evaluations[0] as ModelEvaluation;
  const figures: NamedFigure[] = [
    {
      name: "confusion_matrix",
      figure: confusionMatrixFigure(cnn.report.confusion, cnn.report.classNames, "Confusion matrix, CNN (test set)"),
    },
    { name: "per_class_metrics", figure: perClassMetricsFigure(cnn.report, "Per-class metrics, CNN (test set)") },
    ...curves(evaluations, maxFpr, labels, "test set"),
  ];
  evaluations.forEach((e, i) => {
    figures.push({
      name: `scores_${e.model}`,
      figure: scoreHistogramFigure(
        Array.from(scores[i] as ArrayLike<number>),
        Array.from(labels),
        classNames,
        e.threshold.value,
        e.scoreName,
        `Scores per class, ${e.model} (test set)`,
      ),
    });
  });
  if (history !== undefined && history.loss.length > 0) {
    figures.push({
      name: "training_loss",
      figure: lossCurveFigure(
        { loss: history.loss, ...(history.valLoss === undefined ? {} : { valLoss: history.valLoss }) },
        "Training loss, CNN",
      ),
    });
  }
  if (evaluations.length > 1)
    figures.push({
      name: "model_comparison",
      figure: metricsComparisonFigureFor(
        evaluations.map((e) => ({ model: e.model, metrics: headlineMetrics(e) })),
        "All models on the test set",
      ),
    });
  return figures;
}

/** The figures of the unseen-data evaluation (per window). */
export function unseenFigures(
  windows: ModelEvaluation,
  labels: number[],
  scores: number[],
  classNames: string[],
  maxFpr: number,
): NamedFigure[] {
  return [
    {
      name: "unseen_confusion_matrix",
      figure: confusionMatrixFigure(
        windows.report.confusion,
        windows.report.classNames,
        "Confusion matrix (unseen data)",
      ),
    },
    ...curves([windows], maxFpr, labels, "unseen data").map((f) => ({ ...f, name: `unseen_${f.name}` })),
    {
      name: "unseen_scores",
      figure: scoreHistogramFigure(
        scores,
        labels,
        classNames,
        windows.threshold.value,
        windows.scoreName,
        "Scores per class (unseen data)",
      ),
    },
  ];
}
