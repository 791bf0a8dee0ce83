// Export the browser app as a folder any static web host serves (GitHub Pages, a USB stick opened
// by a local server, a lab intranet): the built page plus a copy of a model folder under model/,
// which the page loads as its default model.
//
//   npm run app:export -- <folder> [--model <dir>]
//
// The folder must be new or empty, or a previous export (it holds .soundcheck-app), which is replaced.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PROJECT_ROOT, buildApp, formatBuild } from "./app-build.mjs";
import { DEFAULT_MODEL_DIR, userPath } from "./app-serve.mjs";

/** Marks a folder written by this script, so a later export may replace it. */
export const EXPORT_MARKER = ".soundcheck-app";
/** The files of a model folder the page reads (weights: whatever model.json names). */
const MODEL_FILES = ["model.json", "metadata.json"];
/** Copied too when the model folder has them (the pooled-feature detectors of the recommended preset). */
const OPTIONAL_MODEL_FILES = ["detectors.json"];

const require = createRequire(import.meta.url);

/**
 * Build the app into `outDir` and copy the model folder's files to `outDir/model/`.
 *
 * @param {{ outDir: string, modelDir?: string }} options
 * @returns {Promise<{ build: object, modelFiles: string[] }>}  modelFiles is empty when there is no model
 */
export async function exportApp(options) {
  const outDir = resolve(options.outDir);
  const modelDir = resolve(options.modelDir ?? DEFAULT_MODEL_DIR);
  if (outDir === PROJECT_ROOT || PROJECT_ROOT.startsWith(outDir + "/"))
    throw new Error(`${outDir} holds the project: export into a folder of its own`);
  if (existsSync(outDir)) {
    if (!statSync(outDir).isDirectory()) throw new Error(`${outDir} is a file: choose a folder`);
    const entries = readdirSync(outDir);
    if (entries.length > 0 && !entries.includes(EXPORT_MARKER))
      throw new Error(`${outDir} is not empty and is not a previous export: choose a new or empty folder`);
    rmSync(outDir, { recursive: true, force: true });
  }
  const build = await buildApp({ outDir });
  const { writeFileAtomic } = require(join(PROJECT_ROOT, "dist", "util", "atomicWrite.js"));
  const modelFiles = [];
  if (existsSync(join(modelDir, "metadata.json")) && existsSync(join(modelDir, "model.json"))) {
    const manifest = JSON.parse(readFileSync(join(modelDir, "model.json"), "utf8"));
    const weights = (manifest.weightsManifest ?? []).flatMap((group) => group.paths.map((p) => normalize(p)));
    const outside = weights.find((p) => isAbsolute(p) || p.startsWith(".."));
    if (outside !== undefined)
      throw new Error(
        `${join(modelDir, "model.json")} names weights outside its folder (${outside}): save the model again`,
      );
    const optional = OPTIONAL_MODEL_FILES.filter((name) => existsSync(join(modelDir, name)));
    for (const name of [...MODEL_FILES, ...weights, ...optional]) {
      writeFileAtomic(join(outDir, "model", name), readFileSync(join(modelDir, name)));
      modelFiles.push(name);
    }
  }
  writeFileAtomic(join(outDir, EXPORT_MARKER), `soundcheck browser app, exported ${new Date().toISOString()}\n`);
  return { build, modelFiles };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(
      "npm run app:export -- <folder> [--model <dir>]\n\nWrites the built page and a copy of the model (default models/cnn_model) to <folder>, for any static web host.",
    );
    process.exit(values.help ? 0 : 1);
  }
  const outDir = userPath(positionals[0]);
  const modelDir = values.model === undefined ? DEFAULT_MODEL_DIR : userPath(values.model);
  const { build, modelFiles } = await exportApp({ outDir, modelDir });
  console.log(formatBuild(build));
  if (modelFiles.length > 0) console.log(`model: ${modelDir} -> ${join(outDir, "model")} (${modelFiles.join(", ")})`);
  else
    console.warn(
      `no model in ${modelDir}: the exported page will ask for model files (pass --model <dir> to include one)`,
    );
  console.log(
    `\nServe ${outDir} with any static web server (for a quick look: python3 -m http.server -d <folder>); the microphone needs https or localhost.`,
  );
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err) => {
    console.error(`app:export: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
