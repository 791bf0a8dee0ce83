import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { dataPath, type DataLayout, type PipelineConfig } from "../../config/pipeline";
import { isHiddenName, RAW_FOLDERS } from "../../data/dataset";
import { writeFileAtomic } from "../../util/atomicWrite";

/** Name of the provenance record in a run's report folder. */
export const PROVENANCE_FILE = "provenance.json";

/** The libraries whose versions a record lists (tfjs-node only when installed). */
export const PROVENANCE_LIBRARIES = [
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-backend-wasm",
  "@tensorflow/tfjs-node",
  "@echogarden/pffft-wasm",
  "wavefile",
  "fft.js",
  "meyda",
] as const;

/** One raw input file. */
export interface InputFileRecord {
  /** Which raw folder of the layout it is in. */
  folder: keyof DataLayout;
  /** Path relative to the data root, with `/` separators. */
  path: string;
  /** Size, bytes (of the target, for a symbolic link). */
  bytes: number | null;
  /** SHA-256 of the content, hex; null when it could not be read (see `error`) or hashing was off. */
  sha256: string | null;
  /** Why the file could not be read (broken link, no permission...). */
  error?: string;
}

/** Everything needed to say which data, code and settings produced a run's numbers. */
export interface ProvenanceRecord {
  /** Format of this record. */
  schema: "soundcheck-provenance/1";
  /** When the record was made, ISO 8601 (UTC). */
  createdAt: string;
  /** The full effective configuration. */
  config: PipelineConfig;
  /** Raw input files, sorted by path; hidden files (.DS_Store...) are left out, as the pipeline leaves them out. */
  inputs: { dataRoot: string; files: InputFileRecord[]; fileCount: number; totalBytes: number };
  /** The tfjs backend the run used, as the caller reports it (e.g. "wasm", "tensorflow", "cpu"). */
  backend: string;
  /**
   * Versions of Node, soundcheck-ts and {@link PROVENANCE_LIBRARIES}; null when not installed (or not the real
   * package, see `notes`).
   */
  libraries: Record<string, string | null>;
  project: {
    name: string;
    version: string | null;
    /** Commit of the project's git checkout; null outside one (e.g. an npm install) or without git. */
    gitCommit: string | null;
    /** True when tracked files differ from that commit; null without git. */
    gitDirty: boolean | null;
  };
  runtime: {
    node: string;
    platform: string;
    osRelease: string;
    arch: string;
    cpuCount: number;
    cpuModel: string;
    totalMemoryBytes: number;
  };
  /** Anything a reader should know to interpret the record. */
  notes: string[];
}

/** Options of {@link collectProvenance}. */
export interface ProvenanceOptions {
  /** tfjs backend the run used (e.g. from `tf.getBackend()`). */
  backend: string;
  /** Raw folders to list (default: all raw folders of the layout that exist). */
  folders?: readonly (keyof DataLayout)[];
  /** Hash file contents (default true; false lists names and sizes only). */
  hashFiles?: boolean;
  /** The time to record (default now). */
  now?: Date;
}

/** SHA-256 of a file, read 1 MiB at a time (an hour of audio never sits in memory). */
export function sha256File(path: string): string {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(2 ** 20);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function inputFiles(
  config: PipelineConfig,
  folders: readonly (keyof DataLayout)[],
  hashFiles: boolean,
): InputFileRecord[] {
  const files: InputFileRecord[] = [];
  for (const folder of folders) {
    const dir = dataPath(config, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (isHiddenName(name)) continue;
      const path = join(dir, name);
      const rel = relative(config.dataRoot, path).split(sep).join("/");
      try {
        const st = statSync(path);
        if (!st.isFile()) continue;
        files.push({ folder, path: rel, bytes: st.size, sha256: hashFiles ? sha256File(path) : null });
      } catch (err) {
        files.push({ folder, path: rel, bytes: null, sha256: null, error: (err as Error).message });
      }
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The package.json of an installed package (found on Node's search path, whatever its `exports`), or null. */
function installedPackage(name: string): { name?: string; version?: string } | null {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = join(dir, name, "package.json");
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The folder holding this project's package.json, searched upwards from this module. */
function projectRoot(): string | null {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name === "soundcheck-ts") return dir;
      } catch {
        // not ours: keep looking
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).trim();
  } catch {
    return null;
  }
}

/**
 * Collect a run's provenance: the full config, every raw input file with its size and SHA-256,
 * library versions, the tfjs backend, the machine (platform, CPU, memory, Node), this project's
 * version and git commit (null outside a git checkout), and a timestamp. JSON-able as is.
 */
export function collectProvenance(config: PipelineConfig, options: ProvenanceOptions): ProvenanceRecord {
  const notes: string[] = [];
  const libraries: Record<string, string | null> = {};
  for (const name of PROVENANCE_LIBRARIES) {
    const pkg = installedPackage(name);
    if (pkg !== null && pkg.name !== name) {
      libraries[name] = null;
      notes.push(
        `${name} resolves to ${pkg.name}@${pkg.version} ` +
          `(an npm alias, e.g. danfojs-node's override), not the package itself`,
      );
    } else libraries[name] = pkg?.version ?? null;
  }
  const root = projectRoot();
  const ownPackage =
    root === null
      ? null
      : (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version?: string });
  libraries.node = process.version;
  libraries["soundcheck-ts"] = ownPackage?.version ?? null;
  const commit = root === null ? null : git(["rev-parse", "HEAD"], root);
  const status = commit === null || root === null ? null : git(["status", "--porcelain", "--untracked-files=no"], root);
  const files = inputFiles(config, options.folders ?? RAW_FOLDERS, options.hashFiles ?? true);
  if (options.hashFiles === false) notes.push("file contents were not hashed (hashFiles: false)");
  const cpuList = cpus();
  return {
    schema: "soundcheck-provenance/1",
    createdAt: (options.now ?? new Date()).toISOString(),
    config: structuredClone(config),
    inputs: {
      dataRoot: config.dataRoot,
      files,
      fileCount: files.length,
      totalBytes: files.reduce((n, f) => n + (f.bytes ?? 0), 0),
    },
    backend: options.backend,
    libraries,
    project: {
      name: ownPackage?.name ?? "soundcheck-ts",
      version: ownPackage?.version ?? null,
      gitCommit: commit,
      gitDirty: status === null ? null : status.length > 0,
    },
    runtime: {
      node: process.version,
      platform: platform(),
      osRelease: release(),
      arch: arch(),
      cpuCount: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? "unknown",
      totalMemoryBytes: totalmem(),
    },
    notes,
  };
}

/**
 * Write a provenance record as `<dir>/provenance.json` (atomically, pretty-printed).
 *
 * @returns  the file's path
 */
export function writeProvenance(dir: string, record: ProvenanceRecord): string {
  const path = join(dir, PROVENANCE_FILE);
  writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
  return path;
}
