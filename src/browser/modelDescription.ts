/**
 * What the browser app needs to know about a saved model, read from its metadata.json (written by
 * `saveCnn`, src/model/save.ts) without the file system: class names, the feature parameters the
 * model was trained with, the stored decision threshold, the input standardisation and the window length.
 */
import type { FeatureConfig } from "../config/features";
import { ConfigError } from "../errors";
import { type InputStandardisation, parseInputStandardisation } from "../model/standardise";

/** Window length when the model does not record one: the clean stage's default chunk, seconds. */
export const DEFAULT_WINDOW_SECONDS = 3;

/** The decision rule stored with a model (`decisionThreshold` in metadata.json). */
export interface StoredDecisionThreshold {
  /** Class 1 is decided when its probability is >= value; in [0, 1]. */
  value: number;
  /** What the threshold applies to ("probability of class 1"). */
  score: string;
  /** Where it was chosen, e.g. "validation rows (324 rows, 14 recordings)". */
  chosenOn: string;
  /** The criterion maximised, e.g. "balancedAccuracy", when recorded. */
  criterion?: string;
}

/** A model's metadata.json, checked. */
export interface ModelDescription {
  /** Class name of each output index, e.g. ["normal", "broken"]. */
  classNames: string[];
  /** Feature parameters the model was trained with, as stored (passed to createClipFeatureExtractor). */
  features: FeatureConfig;
  /** The stored decision rule, or null: the most probable class wins. */
  decisionThreshold: StoredDecisionThreshold | null;
  /** Length of the windows a recording is classified in, seconds (`extra.clean.chunkSeconds`, else 3). */
  windowSeconds: number;
  /** The model's input standardisation (`inputStandardisation`), or null: features as they are. */
  inputStandardisation: InputStandardisation | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const FEATURE_NUMBERS = ["sampleRateHz", "nFft", "hopLength", "nMels", "fMinHz", "nMfcc"] as const;

/**
 * Parse and check a model's metadata.json.
 *
 * @param text  the file's contents
 * @param source  file name for error messages
 * @throws ConfigError  naming the file and the missing or malformed field
 */
export function parseModelDescription(text: string, source: string): ModelDescription {
  const again = "train the model again with soundcheck train, or choose the metadata.json saved with it";
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, `not valid JSON (${err instanceof Error ? err.message : String(err)})`, again);
  }
  if (!isObject(stored)) throw new ConfigError(source, "is not a JSON object", again);
  const classNames = stored["classNames"];
  if (!Array.isArray(classNames) || classNames.length < 2 || !classNames.every((c) => typeof c === "string")) {
    throw new ConfigError(source, "classNames is missing or not a list of at least two names", again);
  }
  const features = stored["features"];
  if (!isObject(features))
    throw new ConfigError(source, "does not record the feature parameters the model was trained with", again);
  for (const key of FEATURE_NUMBERS) {
    if (typeof features[key] !== "number")
      throw new ConfigError(source, `features.${key} is missing or not a number`, again);
  }
  if (features["frames"] !== null && typeof features["frames"] !== "number")
    throw new ConfigError(source, "features.frames is not a number", again);
  return {
    classNames: classNames as string[],
    features: features as unknown as FeatureConfig,
    decisionThreshold: parseThreshold(stored["decisionThreshold"], classNames.length, source),
    windowSeconds: windowSecondsOf(stored["extra"]),
    inputStandardisation: parseInputStandardisation(stored["inputStandardisation"], source),
  };
}

function parseThreshold(value: unknown, classCount: number, source: string): StoredDecisionThreshold | null {
  if (value === undefined || value === null) return null;
  const fix = "remove decisionThreshold from metadata.json, or train the model again";
  if (!isObject(value) || typeof value["value"] !== "number" || !(value["value"] >= 0 && value["value"] <= 1)) {
    throw new ConfigError(source, "decisionThreshold.value is missing or not a probability in [0, 1]", fix);
  }
  if (classCount !== 2)
    throw new ConfigError(source, `has a decision threshold but ${classCount} classes (a threshold needs two)`, fix);
  const threshold: StoredDecisionThreshold = {
    value: value["value"],
    score: typeof value["score"] === "string" ? value["score"] : "probability of class 1",
    chosenOn: typeof value["chosenOn"] === "string" ? value["chosenOn"] : "not recorded",
  };
  if (typeof value["criterion"] === "string") threshold.criterion = value["criterion"];
  return threshold;
}

function windowSecondsOf(extra: unknown): number {
  const clean = isObject(extra) ? extra["clean"] : undefined;
  const seconds = isObject(clean) ? clean["chunkSeconds"] : undefined;
  return typeof seconds === "number" && seconds > 0 ? seconds : DEFAULT_WINDOW_SECONDS;
}
