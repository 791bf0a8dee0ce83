import { resolve } from "node:path";
import {
  mergeConfig,
  presetConfig,
  type PipelineConfig,
  type PipelineConfigOverrides,
  type PresetName,
} from "../config/pipeline";

/** The project folder (the one holding package.json and data/), found from this module. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/**
 * Where the notebooks write: `$SOUNDCHECK_NOTEBOOK_OUT`, else `notebooks/_generated/` in the
 * project (git-ignored). It holds `data/` (the generated folders), `models/cnn_model/` and
 * `reports/`, so running the notebooks never touches what the CLI wrote under data/.
 */
export function notebookOutputRoot(projectRoot: string = PROJECT_ROOT): string {
  const env = process.env["SOUNDCHECK_NOTEBOOK_OUT"];
  return env ? resolve(env) : resolve(projectRoot, "notebooks", "_generated");
}

/**
 * The thesis configuration as the notebooks use it: raw recordings read from the project's
 * `data/broken_audio` and `data/normal_audio` (and the unseen folders; never written),
 * everything generated under {@link notebookOutputRoot}, and the loss reported every epoch (for
 * the live curve).
 */
export function notebookConfig(
  overrides: PipelineConfigOverrides = {},
  projectRoot: string = PROJECT_ROOT,
): PipelineConfig {
  return notebookPresetConfig("thesis", overrides, projectRoot);
}

/**
 * Like {@link notebookConfig}, from another preset. Presets other than thesis generate their
 * files under `<notebookOutputRoot>/<preset>/`, so they never overwrite the thesis notebooks'.
 */
export function notebookPresetConfig(
  preset: PresetName,
  overrides: PipelineConfigOverrides = {},
  projectRoot: string = PROJECT_ROOT,
): PipelineConfig {
  const out = preset === "thesis" ? notebookOutputRoot(projectRoot) : resolve(notebookOutputRoot(projectRoot), preset);
  const base = presetConfig(preset, projectRoot);
  const raw = (folder: keyof PipelineConfig["layout"]) => resolve(base.dataRoot, base.layout[folder]);
  const config = mergeConfig(base, {
    dataRoot: resolve(out, "data"),
    layout: {
      rawBroken: raw("rawBroken"),
      rawNormal: raw("rawNormal"),
      rawUnseenBroken: raw("rawUnseenBroken"),
      rawUnseenNormal: raw("rawUnseenNormal"),
    },
    modelDir: resolve(out, "models", "cnn_model"),
    reportsDir: resolve(out, "reports"),
    train: { logEveryEpochs: 1 },
  });
  return mergeConfig(config, overrides);
}
