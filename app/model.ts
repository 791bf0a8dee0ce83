/**
 * Loading a saved model folder (model.json + weights + metadata.json, and detectors.json when
 * training saved pooled-feature detectors, as `soundcheck train` writes it) in the page: from the
 * server (the default model, under ./model/) or from files the user picks (a folder, or the files).
 */
import * as tf from "@tensorflow/tfjs";
import { WindowClassifier } from "../src/browser/windowClassifier";
import { parseModelDescription } from "../src/browser/modelDescription";
import { ConfigError } from "../src/errors";
import { DETECTORS_JSON, parseStoredDetectors, type StoredDetectors } from "../src/pipeline/detect/storedScoring";

/** A model ready to classify, and where it came from. */
export interface LoadedModel {
  classifier: WindowClassifier;
  /** The folder's detectors.json (its first detector is the headline model), or null when it has none. */
  detectors: StoredDetectors | null;
  /** Shown to the user, e.g. "model/ (served)" or "my_model/ (chosen)". */
  source: string;
}

/** Where the server puts the default model, relative to the page. */
export const DEFAULT_MODEL_PATH = "model/";

/**
 * The model served next to the page, or null when there is none (404).
 *
 * @throws ConfigError  when the files are there but unusable
 */
export async function loadServedModel(path: string = DEFAULT_MODEL_PATH): Promise<LoadedModel | null> {
  const base = new URL(path, document.baseURI);
  const metaResponse = await fetch(new URL("metadata.json", base));
  if (metaResponse.status === 404) return null;
  if (!metaResponse.ok)
    throw new ConfigError(
      `${path}metadata.json`,
      `the server answered ${metaResponse.status}`,
      "restart npm run app, or choose the model folder below",
    );
  const description = parseModelDescription(await metaResponse.text(), `${path}metadata.json`);
  const model = await tf.loadLayersModel(new URL("model.json", base).href);
  const detectorsResponse = await fetch(new URL(DETECTORS_JSON, base));
  if (!detectorsResponse.ok && detectorsResponse.status !== 404)
    throw new ConfigError(
      `${path}${DETECTORS_JSON}`,
      `the server answered ${detectorsResponse.status}`,
      "restart npm run app, or choose the model folder below",
    );
  return {
    classifier: await WindowClassifier.create(model, description, `${path}model.json`),
    detectors: detectorsResponse.ok
      ? parseStoredDetectors(await detectorsResponse.text(), `${path}${DETECTORS_JSON}`)
      : null,
    source: `${path} (served with the page)`,
  };
}

/**
 * A model from files the user chose: model.json, metadata.json and the weight files model.json
 * names, and detectors.json when it is among them (other files in a chosen folder are ignored).
 *
 * @throws ConfigError  naming the missing file
 */
export async function loadModelFromFiles(files: readonly File[]): Promise<LoadedModel> {
  const byName = new Map(files.map((f) => [f.name, f] as const));
  const folder = folderOf(files);
  const fix =
    "choose the folder soundcheck train wrote (model.json, weights.bin and metadata.json), or those three files";
  const json = byName.get("model.json");
  if (json === undefined) throw new ConfigError(folder, "no model.json among the chosen files", fix);
  const meta = byName.get("metadata.json");
  if (meta === undefined)
    throw new ConfigError(
      folder,
      "no metadata.json among the chosen files (it records the feature settings and class names)",
      fix,
    );
  const description = parseModelDescription(await meta.text(), `${folder}metadata.json`);
  let manifest: tf.io.ModelJSON;
  try {
    manifest = JSON.parse(await json.text()) as tf.io.ModelJSON;
  } catch (err) {
    throw new ConfigError(
      `${folder}model.json`,
      `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      fix,
    );
  }
  const weightNames = (manifest.weightsManifest ?? []).flatMap((group) =>
    group.paths.map((p) => p.split("/").pop() ?? p),
  );
  const weights = weightNames.map((name) => {
    const file = byName.get(name);
    if (file === undefined)
      throw new ConfigError(`${folder}${name}`, "the weights file model.json names is not among the chosen files", fix);
    return file;
  });
  const model = await tf.loadLayersModel(tf.io.browserFiles([json, ...weights]));
  const detectors = byName.get(DETECTORS_JSON);
  return {
    classifier: await WindowClassifier.create(model, description, `${folder}model.json`),
    detectors:
      detectors === undefined ? null : parseStoredDetectors(await detectors.text(), `${folder}${DETECTORS_JSON}`),
    source: folder === "" ? "chosen model files" : `${folder} (chosen folder)`,
  };
}

/** The chosen folder's name ("name/"), or "" for loose files. */
function folderOf(files: readonly File[]): string {
  const relative = (files[0] as (File & { webkitRelativePath?: string }) | undefined)?.webkitRelativePath ?? "";
  const parts = relative.split("/");
  return parts.length > 1 ? `${parts.slice(0, -1).join("/")}/` : "";
}
