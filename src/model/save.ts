/**
 * Saving and loading the CNN as a folder in the standard tfjs Layers format, from Node, without
 * @tensorflow/tfjs-node (whose `file://` handler we cannot rely on):
 *
 *   <dir>/model.json     topology + weights manifest (tf.loadLayersModel reads it in any tfjs)
 *   <dir>/weights.bin    all weights, float32, in manifest order
 *   <dir>/metadata.json  what the pipeline needs to use the model: class names, feature
 *                        parameters, training history
 *
 * Each file is written atomically (temporary file + rename), weights first, so model.json never
 * names weights that are not on disk yet. The model's input is channels-last `[batch][frames][nMfcc]`
 * (see cnn.ts); metadata.json records that too.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { FeatureConfig } from "../config/features";
import { ConfigError, ShapeError } from "../errors";
import { writeFileAtomic } from "../util/atomicWrite";
import { type BackendPreference, ensureBackend } from "./backend";
import { type InputStandardisation, parseInputStandardisation } from "./standardise";
import type { TrainHistory } from "./train";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";
export const METADATA_JSON = "metadata.json";

/** What is stored next to the model. */
export interface ModelMetadata {
  /** Class name of each output index, e.g. ["normal", "abnormal"]. */
  classNames: string[];
  /** Feature parameters the model was trained with; inputs must be computed the same way. */
  features?: FeatureConfig;
  /** Training curves and settings outcome. */
  history?: TrainHistory;
  /** The decision rule chosen at training time (absent: the larger probability wins). */
  decisionThreshold?: DecisionThreshold;
  /**
   * Per-coefficient mean and std of the training clips, subtracted and divided before every
   * prediction (predictProbabilities); absent: the model takes the features as they are.
   */
  inputStandardisation?: InputStandardisation;
  /** Anything else worth keeping (must be JSON-serialisable). */
  extra?: Record<string, unknown>;
}

/**
 * A two-class decision rule: predict class 1 when its probability is >= `value`. Chosen on
 * validation data (never on the test set) and stored with the model, so every later use
 * (evaluate, predict, the browser app) decides the same way.
 */
export interface DecisionThreshold {
  /** Threshold on the probability of class 1, in [0, 1]. */
  value: number;
  /** What the threshold applies to. */
  score: "probability of class 1";
  /** Where it was chosen, e.g. "validation rows (324 rows, 14 recordings)". */
  chosenOn: string;
  /** The criterion maximised, e.g. "balancedAccuracy". */
  criterion: string;
  /** The criterion's value on the data it was chosen on. */
  criterionValue: number;
}

/** metadata.json as written: the caller's metadata plus a format tag and the input layout. */
interface StoredMetadata extends ModelMetadata {
  format: "soundcheck-cnn";
  formatVersion: 1;
  inputLayout: "[batch][frames][nMfcc]";
}

/** A tf.io handler that writes model.json + weights.bin into `dir` atomically. */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ConfigError(dir, "only Layers models (JSON topology) can be saved here", "save a tf.LayersModel");
      }
      const weights =
        artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
      };
      writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** A tf.io handler that reads a model.json and the weight files it names from `dir`. */
export function folderLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const path = join(dir, MODEL_JSON);
      if (!existsSync(path))
        throw new ConfigError(
          path,
          "no model.json in the model folder",
          "train a model first, or point to the folder that holds model.json",
        );
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(readFileSync(path, "utf8")) as tf.io.ModelJSON;
      } catch (err) {
        throw new ConfigError(
          path,
          `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
          "save the model again",
        );
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = join(dir, p);
            if (!existsSync(file))
              throw new ConfigError(
                file,
                "weights file named in model.json is missing",
                "copy the whole model folder, or save the model again",
              );
            const bytes = readFileSync(file);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Save a trained model and its metadata to a folder (created if needed; files replaced atomically).
 */
export async function saveCnn(model: tf.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  const units = model.outputs[0]?.shape[1];
  if (units != null && metadata.classNames.length !== units) {
    throw new ShapeError(
      join(dir, METADATA_JSON),
      `${metadata.classNames.length} class names for a model with ${units} outputs`,
      "pass one class name per output",
    );
  }
  await model.save(folderSaveHandler(dir));
  const stored: StoredMetadata = {
    format: "soundcheck-cnn",
    formatVersion: 1,
    inputLayout: "[batch][frames][nMfcc]",
    ...metadata,
  };
  writeFileAtomic(join(dir, METADATA_JSON), JSON.stringify(stored, null, 2));
}

/**
 * Load a model folder written by {@link saveCnn}.
 *
 * @param backend  "auto" keeps the backend already selected in this process (or picks the fastest);
 *   any other value selects that backend (see ensureBackend)
 */
export async function loadCnn(
  dir: string,
  backend: BackendPreference = "auto",
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  await ensureBackend(backend);
  const metaPath = join(dir, METADATA_JSON);
  if (!existsSync(metaPath))
    throw new ConfigError(
      metaPath,
      "no metadata.json in the model folder",
      "save the model with saveCnn, which writes it",
    );
  let stored: Partial<StoredMetadata>;
  try {
    stored = JSON.parse(readFileSync(metaPath, "utf8")) as Partial<StoredMetadata>;
  } catch (err) {
    throw new ConfigError(
      metaPath,
      `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      "save the model again",
    );
  }
  if (!Array.isArray(stored.classNames) || !stored.classNames.every((c) => typeof c === "string")) {
    throw new ConfigError(
      metaPath,
      "classNames is missing or not a list of strings",
      "save the model again with saveCnn",
    );
  }
  const model = await tf.loadLayersModel(folderLoadHandler(dir));
  const units = model.outputs[0]?.shape[1];
  if (units != null && stored.classNames.length !== units) {
    throw new ShapeError(
      metaPath,
      `${stored.classNames.length} class names for a model with ${units} outputs`,
      "the folder mixes files of two models: save it again",
    );
  }
  const metadata: ModelMetadata = { classNames: stored.classNames };
  if (stored.features !== undefined) metadata.features = stored.features;
  if (stored.history !== undefined) metadata.history = stored.history;
  if (stored.decisionThreshold !== undefined) metadata.decisionThreshold = stored.decisionThreshold;
  const standardisation = parseInputStandardisation(stored.inputStandardisation, metaPath);
  if (standardisation !== null) metadata.inputStandardisation = standardisation;
  if (stored.extra !== undefined) metadata.extra = stored.extra;
  return { model, metadata };
}
