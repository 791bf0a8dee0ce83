import { type PipelineConfig } from "../config/pipeline";
import { SoundcheckError } from "../errors";
import { loadAudio } from "../audio/load";
import { decideClass, meanProbabilities } from "../model/decision";
import { predictionWindows } from "./chunking";
import { createClipFeatureExtractor } from "./features";
import { loadStoredDetectors } from "./detect/store";
import { storedDetectorVerdicts, type DetectorVerdict } from "./detect/storedScoring";
import { loadTrainedModel } from "./modelStore";
import type { Reporter } from "../util/reporter";

export type { DetectorVerdict } from "./detect/storedScoring";

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
  /** The verdict of each pooled-feature detector saved with the model (detectors.json), on the whole recording. */
  detectors?: DetectorVerdict[];
}

/**
 * Classify recordings with the saved model, the way training saw them: decode, resample, cut
 * into `clean.chunkSeconds` chunks (a recording shorter than one chunk is used whole), MFCC of
 * each chunk, class probabilities per chunk, and the mean over chunks decided by the model's
 * decision threshold (metadata.json; the argmax when it has none) as the file's verdict.
 * A file that cannot be read gets an `error` and the others go on.
 */
export async function predictFiles(
  config: PipelineConfig,
  files: string[],
  reporter: Reporter,
): Promise<FilePrediction[]> {
  const features = config.features;
  const trained = await loadTrainedModel(config.modelDir, [features.nMfcc, features.frames ?? 0], config.train.backend);
  const modelFeatures = trained.metadata.features;
  const extract = await createClipFeatureExtractor(modelFeatures);
  const chunkSamples = Math.round(config.clean.chunkSeconds * modelFeatures.sampleRateHz);
  const classNames = trained.metadata.classNames;
  const threshold = trained.metadata.decisionThreshold?.value ?? null;
  const stored = loadStoredDetectors(config.modelDir);
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
      let detectors: DetectorVerdict[] | undefined;
      if (stored !== null && stored.detectors.length > 0) {
        const raw =
          stored.features.sampleRateHz === modelFeatures.sampleRateHz
            ? audio.samples
            : (await loadAudio(file, stored.features.sampleRateHz)).samples;
        detectors = await storedDetectorVerdicts(stored, file, raw, classNames);
      }
      results.push({
        file,
        label: classNames[best] ?? null,
        probability: mean[best] as number,
        meanProbabilities: mean,
        threshold,
        chunkProbabilities,
        ...(detectors === undefined ? {} : { detectors }),
      });
    } catch (err) {
      const message = err instanceof SoundcheckError ? err.message : `${file}: ${(err as Error).message}`;
      reporter.skip(file, message);
      results.push({
        file,
        label: null,
        probability: Number.NaN,
        meanProbabilities: [],
        threshold,
        chunkProbabilities: [],
        error: message,
      });
    }
  }
  reporter.progress("predict", files.length, files.length);
  return results;
}

/**
 * One line per file. Without pooled-feature detectors: the CNN's verdict, its probability and the
 * chunk count. With them (the recommended preset): first the verdict of the headline model (the first
 * detector, the preset's default model) with its score, then the CNN's verdict, probability and
 * chunks, then the other detectors' verdicts and scores; a last line names the headline model.
 */
export function formatPredictions(predictions: FilePrediction[]): string {
  const width = Math.max(4, ...predictions.map((p) => p.file.length));
  const named = predictions.find((p) => p.detectors !== undefined)?.detectors ?? [];
  const headline = named[0];
  const verdictWidth = 18;
  const detectorCells = (p: FilePrediction): string =>
    (p.detectors ?? [])
      .slice(headline === undefined ? 0 : 1)
      .map((d) => `  ${`${d.label} (${d.score.toFixed(3)})`.padEnd(d.name.length + 8)}`)
      .join("");
  const cnnHeader = headline === undefined ? "label    probability  chunks" : "cnn      probability  chunks";
  const lines = [
    (
      `${"file".padEnd(width)}  ${headline === undefined ? "" : "verdict (score)".padEnd(verdictWidth) + "  "}` +
      `${cnnHeader}${named
        .slice(headline === undefined ? 0 : 1)
        .map((d) => `  ${d.name} (score)`)
        .join("")}`
    ).trimEnd(),
  ];
  for (const p of predictions) {
    if (p.label === null) {
      lines.push(`${p.file.padEnd(width)}  error: ${p.error}`);
      continue;
    }
    const first = headline === undefined ? undefined : p.detectors?.[0];
    const verdict =
      headline === undefined
        ? ""
        : `${(first === undefined ? "n/a" : `${first.label} (${first.score.toFixed(3)})`).padEnd(verdictWidth)}  `;
    lines.push(
      (
        `${p.file.padEnd(width)}  ${verdict}${p.label.padEnd(7)}  ${p.probability.toFixed(4).padStart(11)}  ` +
        `${String(p.chunkProbabilities.length).padStart(6)}${detectorCells(p)}`
      ).trimEnd(),
    );
  }
  if (headline !== undefined)
    lines.push(
      "",
      `verdict: ${headline.reportName}, the headline model (whole recording, threshold ` +
        `${headline.threshold.toFixed(3)}); cnn: the CNN on 3 s chunks, mean probability of its verdict`,
    );
  return lines.join("\n");
}
