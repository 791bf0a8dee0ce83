import type { PipelineConfig } from "../config/pipeline";
import { ConfigError } from "../errors";
import { cleanAndSample, type CleanReport } from "./stages/cleanAndSample";
import { evaluateStage, type EvaluateReport } from "./stages/evaluate";
import { closeWorkerPool } from "./runtime/parallel";
import { augmentAndExtract, type PreprocessReport } from "./stages/augmentAndExtract";
import type { Reporter } from "../util/reporter";
import { splitFeatures, type SplitReport } from "./stages/split";
import { trainStage, type TrainReport } from "./stages/train";

/** Wall time of each stage, seconds. */
export interface StageTimings {
  clean: number;
  preprocess: number;
  split: number;
  train: number;
  evaluate: number;
  total: number;
}

/** Everything a full run produced. */
export interface PipelineReport {
  clean: CleanReport;
  preprocess: PreprocessReport;
  split: SplitReport;
  train: TrainReport;
  evaluate: EvaluateReport;
  timings: StageTimings;
  /** Printable summary: the evaluation and the stage timings. */
  text: string;
}

async function timed<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
}

/** Run the five stages in order: clean, preprocess, split, train, evaluate. */
export async function runPipeline(config: PipelineConfig, reporter: Reporter): Promise<PipelineReport> {
  if (config.dataFormat === "dcase") {
    throw new ConfigError(
      "dataFormat",
      'is "dcase": its train/ folder holds normal clips only, so the supervised CNN cannot be trained',
      "use runDcasePipeline (soundcheck pipeline --layout dcase), which fits the normal-only detectors",
    );
  }
  const [clean, tClean] = await timed(() => cleanAndSample(config, reporter));
  const [preprocess, tPre] = await timed(() => augmentAndExtract(config, reporter));
  await closeWorkerPool(); // the remaining stages need no feature workers
  const [split, tSplit] = await timed(() => splitFeatures(config, reporter));
  const [train, tTrain] = await timed(() => trainStage(config, reporter));
  const [evaluate, tEval] = await timed(() => evaluateStage(config, reporter));
  const timings: StageTimings = {
    clean: tClean,
    preprocess: tPre,
    split: tSplit,
    train: tTrain,
    evaluate: tEval,
    total: tClean + tPre + tSplit + tTrain + tEval,
  };
  const rows = (["clean", "preprocess", "split", "train", "evaluate", "total"] as const).map(
    (k) => `  ${k.padEnd(11)}${timings[k].toFixed(2).padStart(8)} s`,
  );
  const text = [evaluate.text, "", "Stage wall time", ...rows].join("\n");
  return { clean, preprocess, split, train, evaluate, timings, text };
}
