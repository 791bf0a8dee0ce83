import { lstatSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { GENERATED_FOLDERS } from "../../data/dataset";
import { removeOpenTempFiles, stopWrites, TEMP_FILE_PATTERN } from "../../util/atomicWrite";
import type { Reporter } from "../../util/reporter";

/** Exit codes after an interrupt, as shells report them: 128 + the signal's number. */
export const INTERRUPT_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof INTERRUPT_EXIT_CODES;

/** How deep {@link removeStaleTempFiles} looks below each folder (reports/<run>/figures is 2). */
const SWEEP_DEPTH = 3;

/** Options of {@link installInterruptHandlers}. */
export interface InterruptHandlerOptions {
  /** What is running, for the message when nothing more precise is known, e.g. "soundcheck pipeline". */
  command: string;
  /** Where the one-line message goes (default stderr). */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Ends the process (default `process.exit`); tests pass their own. */
  exit?: (code: number) => void;
}

/** Handlers installed by {@link installInterruptHandlers}. */
export interface InterruptGuard {
  /** A reporter passing everything to `inner` that remembers the step under way, for the message. */
  watch(inner: Reporter): Reporter;
  /** The run's folders: swept for temporary files now (left by a killed run) and on an interrupt. */
  protect(config: PipelineConfig): void;
  /** Remove the signal handlers. */
  uninstall(): void;
}

/** The folders a run writes to: the generated data folders, the model folder, the reports folder. */
export function writtenFolders(config: PipelineConfig): string[] {
  return [...GENERATED_FOLDERS.map((key) => dataPath(config, key)), config.modelDir, config.reportsDir];
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Delete the temporary files of atomic writes (`.<name>.<pid>.<n>.tmp`) under the given folders
 * that belong to this process or to a process that no longer exists (a run killed with
 * SIGKILL, or by a power cut). Symbolic links are not followed; missing folders are ignored.
 *
 * @returns  the paths deleted
 */
export function removeStaleTempFiles(folders: readonly string[]): string[] {
  const removed: string[] = [];
  const visit = (folder: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(folder, name);
      let isDir: boolean;
      try {
        const st = lstatSync(path);
        isDir = st.isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (depth < SWEEP_DEPTH) visit(path, depth + 1);
        continue;
      }
      if (!TEMP_FILE_PATTERN.test(name)) continue;
      const pid = Number(name.split(".").at(-3));
      if (pid !== process.pid && processIsAlive(pid)) continue;
      rmSync(path, { force: true });
      removed.push(path);
    }
  };
  for (const folder of new Set(folders)) visit(folder, 0);
  return removed;
}

/**
 * Make SIGINT (Ctrl-C) and SIGTERM stop a run cleanly: atomic writes are stopped in every
 * thread (the few under way finish), the temporary files of unfinished writes are deleted, one
 * line says what was interrupted and that rerunning is safe, and the process exits with 130
 * (SIGINT) or 143 (SIGTERM). Nothing half-written is left: every file the run wrote is complete,
 * and each stage empties its outputs when it starts again.
 */
export function installInterruptHandlers(options: InterruptHandlerOptions): InterruptGuard {
  const stream = options.stream ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let folders: string[] = [];
  let step: string | null = null;
  let handled = false;

  const onSignal = (signal: InterruptSignal) => {
    if (handled) return;
    handled = true;
    stopWrites();
    removeOpenTempFiles();
    removeStaleTempFiles(folders);
    const during = step === null ? options.command : `${options.command} (last progress: ${step})`;
    stream.write(
      `${stream.isTTY ? "\n" : ""}interrupted by ${signal} during ${during}: ` +
        `files written so far are complete and no partial file was left; ` +
        `rerunning the same command is safe (each stage starts over)\n`,
    );
    exit(INTERRUPT_EXIT_CODES[signal]);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);

  return {
    watch(inner) {
      return {
        info: (message) => inner.info(message),
        warn: (message) => inner.warn(message),
        skip: (file, reason) => inner.skip(file, reason),
        progress: (label, done, total) => {
          step = `${label} ${done}/${total}`;
          inner.progress(label, done, total);
        },
        epoch: (log) => {
          step = `train epoch ${log.epoch}/${log.epochs}`;
          inner.epoch?.(log);
        },
      };
    },
    protect(config) {
      folders = writtenFolders(config);
      removeStaleTempFiles(folders);
    },
    uninstall() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
