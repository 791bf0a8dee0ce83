import { existsSync, readdirSync, realpathSync, rmSync, statSync, mkdirSync, lstatSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { ConfigError } from "../errors";
import { dataPath, type DataLayout, type PipelineConfig } from "../config/pipeline";
import type { Reporter } from "../util/reporter";

/** File extensions we try to decode as audio (case-insensitive). */
export const AUDIO_EXTENSIONS: readonly string[] = [".wav", ".wave", ".flac", ".mp3", ".ogg", ".oga"];

/** The folders the pipeline generates; the only ones it may empty. */
export const GENERATED_FOLDERS: readonly (keyof DataLayout)[] = [
  "brokenSamples",
  "normalSamples",
  "augmentedBroken",
  "processed",
];

/** The raw input folders; never written, moved or deleted. */
export const RAW_FOLDERS: readonly (keyof DataLayout)[] = [
  "rawBroken",
  "rawNormal",
  "rawUnseenBroken",
  "rawUnseenNormal",
  "rawDcaseTrain",
  "rawDcaseTest",
];

/** A hidden file or folder name (Unix dot files, macOS `._` resource forks). */
export function isHiddenName(name: string): boolean {
  return name.startsWith(".");
}

/**
 * The audio files of one folder, sorted by name (so every run sees them in the same order).
 * Hidden files are skipped and reported; files with other extensions are skipped silently
 * when they are notes (`.txt`, `.md`, `.csv`, `.json`) and reported otherwise.
 *
 * @returns absolute paths
 */
export function listAudioFiles(folder: string, reporter: Reporter, what = "recordings"): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(
      folder,
      `folder of ${what} not found`,
      "create it and put audio files in it, or point --data at a folder that has it",
    );
  }
  const names = readdirSync(folder).sort();
  const files: string[] = [];
  for (const name of names) {
    const path = join(folder, name);
    if (isHiddenName(name)) {
      reporter.skip(path, "hidden file; rename it without the leading dot to include it");
      continue;
    }
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      reporter.skip(path, "cannot be read (broken link or no permission); fix or remove it");
      continue;
    }
    if (!isFile) continue;
    const ext = extname(name).toLowerCase();
    if (AUDIO_EXTENSIONS.includes(ext)) files.push(path);
    else if (![".txt", ".md", ".csv", ".json"].includes(ext)) {
      reporter.skip(path, `not an audio file (extension "${ext}"); supported: ${AUDIO_EXTENSIONS.join(" ")}`);
    }
  }
  return files;
}

/** File name without folder and extension: `pump_01.wav` -> `pump_01`. */
export function stem(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) && resolve(parent, rel) === child;
}

/** The path with symbolic links resolved as far as it exists (the rest appended as is). */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  try {
    return join(realpathSync(existing), ...rest);
  } catch {
    return path;
  }
}

/** True when the two folders are the same, or one lies inside the other (as written or after resolving links). */
function overlaps(a: string, b: string): boolean {
  for (const [x, y] of [
    [a, b],
    [realPathOf(a), realPathOf(b)],
  ] as const) {
    if (x === y || isInside(x, y) || isInside(y, x)) return true;
  }
  return false;
}

/**
 * Check one generated folder: it must lie strictly inside the data root and must not be,
 * contain or lie in a raw folder (also after resolving symbolic links).
 *
 * @returns  its absolute path
 * @throws ConfigError  naming the setting and the fix
 */
export function checkGeneratedFolder(config: PipelineConfig, folder: keyof DataLayout): string {
  if (!GENERATED_FOLDERS.includes(folder)) {
    throw new ConfigError(`layout.${folder}`, "is not a generated folder", "only generated folders can be emptied");
  }
  const root = resolve(config.dataRoot);
  const target = dataPath(config, folder);
  if (!isInside(target, root)) {
    throw new ConfigError(
      target,
      `generated folder layout.${folder} is not inside the data root ${root}; refusing to empty it or write to it`,
      "set it to a folder name inside the data root",
    );
  }
  for (const raw of RAW_FOLDERS) {
    const rawPath = dataPath(config, raw);
    if (overlaps(target, rawPath)) {
      throw new ConfigError(
        target,
        `generated folder layout.${folder} overlaps the raw folder ${rawPath}; refusing to empty it or write to it`,
        "give generated and raw folders different names",
      );
    }
  }
  return target;
}

/**
 * Check that nothing a run writes can land in a raw folder: every generated folder passes
 * {@link checkGeneratedFolder}, and the model and reports folders neither are nor lie in a raw
 * folder. The stages that write data call it before they read or write anything.
 *
 * @throws ConfigError  naming the setting and the fix
 */
export function assertSafeLayout(config: PipelineConfig): void {
  for (const folder of GENERATED_FOLDERS) checkGeneratedFolder(config, folder);
  for (const [setting, dir] of [
    ["modelDir", config.modelDir],
    ["reportsDir", config.reportsDir],
  ] as const) {
    for (const raw of RAW_FOLDERS) {
      const rawPath = dataPath(config, raw);
      const target = resolve(dir);
      if (
        target === rawPath ||
        isInside(target, rawPath) ||
        realPathOf(target) === realPathOf(rawPath) ||
        isInside(realPathOf(target), realPathOf(rawPath))
      ) {
        throw new ConfigError(
          target,
          `${setting} is in the raw folder ${rawPath}; refusing to write there`,
          `point ${setting} outside the raw folders (default: models/cnn_model and reports/)`,
        );
      }
    }
  }
}

/**
 * Empty one generated folder (creating it if missing). Refuses anything that is not one of the
 * configured generated folders strictly inside the data root, or that is, contains or lies in a
 * raw folder: a misconfigured path must never delete recordings.
 */
export function emptyGeneratedFolder(config: PipelineConfig, folder: keyof DataLayout): string {
  const target = checkGeneratedFolder(config, folder);
  if (existsSync(target)) {
    if (lstatSync(target).isSymbolicLink()) {
      throw new ConfigError(
        target,
        "is a symbolic link; refusing to empty what it points to",
        "replace the link by a plain folder",
      );
    }
    for (const name of readdirSync(target)) rmSync(join(target, name), { recursive: true, force: true });
  } else {
    mkdirSync(target, { recursive: true });
  }
  return target;
}
