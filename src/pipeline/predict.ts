import { type PipelineConfig } from "../config/pipeline";
import { SoundcheckError } from "../errors";
import { loadAudio } from "../audio/load";
import { decideClass, meanProbabilities } from "../model/decision";
import { predictionWindows } from "./chunking";
import { createClipFeatureExtractor } from "./features";
import { loadTrainedModel } from "./modelStore";
import type { Reporter } from "../util/reporter";

/** The verdict on one recording. */
export interface FilePrediction {
  file: string;
  /** Predicted class name, or null when the file could not be read. */
  label: string | null;
  /** Mean probability of the predicted class over the file's chunks. */
  probability: number;
  /** Mean probability of each class over the file's chunks. */
  meanProbabilities: number[];
  /** The decision threshold on P(class 1) used (from the model), or null for the argmax. */
  threshold: number | null;
  /** Probability of each class per chunk: `[chunks][classes]`. */
  chunkProbabilities: number[][];
  /** Why the file could not be classified. */
  error?: string;
}

/**
 * Classify recordings with the saved model, the way training saw them: decode, resample, cut
 * into `clean.chunkSeconds` chunks (a recording shorter than one chunk is used whole), MFCC of
 * each chunk, class probabilities per chunk, and the mean over chunks decided by the model's
 * decision threshold (metadata.json; the argmax when it has none) as the file's verdict.
 * A file that cannot be read gets an `error` and the others go on.
 */
export async function predictFiles(config: PipelineConfig, files: string[], reporter: Reporter): Promise<FilePrediction[]> {
  const features = config.features;
  const trained = await loadTrainedModel(config.modelDir, [features.nMfcc, features.frames ?? 0], config.train.backend);
  const modelFeatures = trained.metadata.features;
  const extract = await createClipFeatureExtractor(modelFeatures);
  const chunkSamples = Math.round(config.clean.chunkSeconds * modelFeatures.sampleRateHz);
  const classNames = trained.metadata.classNames;
  const threshold = trained.metadata.decisionThreshold?.value ?? null;
  const results: FilePrediction[] = [];
  let done = 0;
  for (const file of files) {
    reporter.progress("predict", done++, files.length);
    try {
      const audio = await loadAudio(file, modelFeatures.sampleRateHz);
      const chunks = predictionWindows(audio.samples, chunkSamples);
      const rowSize = modelFeatures.nMfcc * (modelFeatures.frames ?? 0);
      const x = new Float32Array(chunks.length * rowSize);
      chunks.forEach((c, i) => x.set(extract(c).data, i * rowSize));
      const probs = trained.predict(x, chunks.length);
      const k = classNames.length;
      const chunkProbabilities = chunks.map((_, i) => Array.from(probs.subarray(i * k, (i + 1) * k)));
      const mean = meanProbabilities(chunkProbabilities, k);
      const best = decideClass(mean, threshold);
      results.push({ file, label: classNames[best] ?? null, probability: mean[best] as number, meanProbabilities: mean, threshold, chunkProbabilities });
    } catch (err) {
      const message = err instanceof SoundcheckError ? err.message : `${file}: ${(err as Error).message}`;
      reporter.skip(file, message);
      results.push({ file, label: null, probability: Number.NaN, meanProbabilities: [], threshold, chunkProbabilities: [], error: message });
    }
  }
  reporter.progress("predict", files.length, files.length);
  return results;
}

/** One line per file: verdict, probability, chunk count. */
export function formatPredictions(predictions: FilePrediction[]): string {
  const width = Math.max(4, ...predictions.map((p) => p.file.length));
  const lines = [`${"file".padEnd(width)}  label    probability  chunks`];
  for (const p of predictions) {
    if (p.label === null) lines.push(`${p.file.padEnd(width)}  error: ${p.error}`);
    else lines.push(`${p.file.padEnd(width)}  ${p.label.padEnd(7)}  ${p.probability.toFixed(4).padStart(11)}  ${String(p.chunkProbabilities.length).padStart(6)}`);
  }
  return lines.join("\n");
}
