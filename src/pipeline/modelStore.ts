import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { FeatureConfig } from "../config/features";
import { ConfigError, ShapeError } from "../errors";
import { parseBackendPreference } from "../model/backend";
import { modelInputShape } from "../model/cnn";
import { predictProbabilities } from "../model/predict";
import { loadCnn, METADATA_JSON, type ModelMetadata } from "../model/save";

/** A saved model ready to score feature matrices. */
export interface TrainedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata & { features: FeatureConfig; classNames: string[] };
  /** tfjs backend in use. */
  backend: string;
  /** Class probabilities `[count][classes]` of `count` matrices `[nMfcc][frames]` (flat). */
  predict(x: Float32Array, count: number): Float32Array;
}

/**
 * Load the model folder written by the train stage and check that it takes features of the
 * expected shape `[nMfcc, frames]` (pass frames 0 to accept whatever the model was trained on).
 */
export async function loadTrainedModel(
  dir: string,
  featureShape: readonly number[],
  backend: string,
): Promise<TrainedModel> {
  if (!existsSync(join(dir, METADATA_JSON))) {
    throw new ConfigError(dir, "no trained model here", 'run "soundcheck train" first, or pass --model <folder>');
  }
  const { model, metadata } = await loadCnn(dir, parseBackendPreference(backend));
  if (metadata.features === undefined) {
    throw new ConfigError(
      join(dir, METADATA_JSON),
      "does not record the feature parameters the model was trained with",
      "train the model again with soundcheck train",
    );
  }
  const { nMfcc, frames } = modelInputShape(model);
  const [wantMfcc, wantFrames] = featureShape as [number, number];
  if (wantMfcc !== nMfcc || (wantFrames !== 0 && wantFrames !== frames)) {
    throw new ShapeError(
      dir,
      `the model takes [${nMfcc}][${frames}] MFCC matrices but the features are [${wantMfcc}][${wantFrames}]`,
      "extract features with the model's settings (see its metadata.json) or train a new model",
    );
  }
  return {
    model,
    metadata: metadata as TrainedModel["metadata"],
    backend: tf.getBackend(),
    predict: (x, count) => predictProbabilities(model, x, count, metadata.inputStandardisation ?? null),
  };
}
