/**
 * Classify audio window by window with a saved model, the way `soundcheck predict` does
 * (src/pipeline/predict.ts): the same window cutting (src/pipeline/chunking.ts), the same feature
 * function (src/pipeline/features.ts), the same probability code (src/model/predict.ts) and the
 * same decision rule (src/model/decision.ts), one window at a time so the page can show each
 * result as it arrives. No file system access.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Matrix } from "../dsp/matrix";
import { ShapeError } from "../errors";
import { modelInputShape } from "../model/cnn";
import { decideClass, meanProbabilities } from "../model/decision";
import { predictProbabilities } from "../model/predict";
import { predictionWindows } from "../pipeline/chunking";
import { createClipFeatureExtractor, type ClipFeatureExtractor } from "../pipeline/features";
import type { ModelDescription } from "./modelDescription";

/** The verdict on one window of a recording. */
export interface WindowVerdict {
  /** 0-based position of the window in its recording (or live stream). */
  index: number;
  /** Start of the window in the recording, seconds. */
  startSeconds: number;
  /** Length of the window, seconds. */
  durationSeconds: number;
  /** The model's input for this window: MFCC `[nMfcc][frames]`, as `createClipFeatureExtractor` computes it. */
  features: Matrix;
  /** Probability of each class, `[classes]`. */
  probabilities: number[];
  /** Index of the decided class (see `decideClass`). */
  classIndex: number;
  /** Name of the decided class. */
  label: string;
  /** Probability of the decided class. */
  probability: number;
}

/** The verdict on a whole recording: the mean of its windows' probabilities, decided by the same rule. */
export interface RecordingVerdict {
  /** Mean probability of each class over the windows, `[classes]`. */
  probabilities: number[];
  classIndex: number;
  label: string;
  /** Mean probability of the decided class (what `soundcheck predict` prints). */
  probability: number;
  /** Number of windows averaged. */
  windows: number;
}

/** A saved model ready to classify windows of mono audio at its feature rate. */
export class WindowClassifier {
  private constructor(
    readonly model: tf.LayersModel,
    readonly description: ModelDescription,
    private readonly extract: ClipFeatureExtractor,
  ) {}

  /**
   * @param model  the CNN loaded with tf.loadLayersModel
   * @param description  its metadata.json, parsed
   * @param source  where the model came from, for error messages
   * @throws ShapeError  when the model's input does not fit the recorded feature parameters
   */
  static async create(model: tf.LayersModel, description: ModelDescription, source: string): Promise<WindowClassifier> {
    const { nMfcc, frames } = modelInputShape(model);
    const f = description.features;
    if (f.nMfcc !== nMfcc || (f.frames !== null && f.frames !== frames)) {
      throw new ShapeError(
        source,
        `the model takes [${nMfcc}][${frames}] MFCC matrices but metadata.json records [${f.nMfcc}][${f.frames}]`,
        "choose model.json, weights and metadata.json saved together by one training run",
      );
    }
    const units = model.outputs[0]?.shape[1];
    if (units != null && units !== description.classNames.length) {
      throw new ShapeError(
        source,
        `${description.classNames.length} class names for a model with ${units} outputs`,
        "choose model.json, weights and metadata.json saved together by one training run",
      );
    }
    return new WindowClassifier(model, description, await createClipFeatureExtractor(f));
  }

  /** Rate the windows must be at, Hz. */
  get sampleRateHz(): number {
    return this.description.features.sampleRateHz;
  }

  /** Samples per window at `sampleRateHz`: round(windowSeconds · sampleRateHz), as predictFiles. */
  get windowSamples(): number {
    return Math.round(this.description.windowSeconds * this.sampleRateHz);
  }

  /** The threshold on P(class 1) in use, or null when the most probable class wins. */
  get threshold(): number | null {
    return this.description.decisionThreshold?.value ?? null;
  }

  /**
   * The windows a whole recording is classified in (`predictionWindows`: consecutive windows,
   * the short remainder dropped; the whole recording when it is shorter than one window).
   *
   * @param samples  mono, at `sampleRateHz`
   */
  windowsOf(samples: Float32Array): Float32Array[] {
    return predictionWindows(samples, this.windowSamples);
  }

  /**
   * Features, class probabilities and verdict of one window.
   *
   * @param window  mono samples at `sampleRateHz`
   * @param index  position of the window in its recording
   * @param startSeconds  where it starts in the recording, seconds
   */
  classify(window: Float32Array, index: number, startSeconds: number): WindowVerdict {
    const features = this.extract(window);
    const probabilities = Array.from(
      predictProbabilities(this.model, features.data, 1, this.description.inputStandardisation),
    );
    const classIndex = decideClass(probabilities, this.threshold);
    return {
      index,
      startSeconds,
      durationSeconds: window.length / this.sampleRateHz,
      features,
      probabilities,
      classIndex,
      label: this.description.classNames[classIndex] as string,
      probability: probabilities[classIndex] as number,
    };
  }

  /** The recording's verdict from its windows' verdicts (mean probabilities, then the same rule). */
  summarize(windows: readonly WindowVerdict[]): RecordingVerdict {
    const probabilities = meanProbabilities(
      windows.map((w) => w.probabilities),
      this.description.classNames.length,
    );
    const classIndex = decideClass(probabilities, this.threshold);
    return {
      probabilities,
      classIndex,
      label: this.description.classNames[classIndex] as string,
      probability: probabilities[classIndex] as number,
      windows: windows.length,
    };
  }
}
