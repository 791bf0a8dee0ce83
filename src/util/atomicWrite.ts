import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { getEnvironmentData, isMainThread, setEnvironmentData } from "node:worker_threads";
import { SoundcheckError } from "../errors";

let counter = 0;

/**
 * Temporary files are named `.<target name>.<pid>.<n>.tmp` next to their target: hidden (a dot
 * name, which every folder listing of the pipeline skips) and recognisable by this pattern.
 */
export const TEMP_FILE_PATTERN = /^\..+\.\d+\.\d+\.tmp$/;

/**
 * State shared by every thread of the process (worker threads get the same memory through
 * worker_threads environment data): [0] = 1 once writes are stopped, [1] = writes in progress.
 */
const SHARED_KEY = "soundcheck:atomic-writes";
const shared: Int32Array = (() => {
  const existing = isMainThread ? undefined : getEnvironmentData(SHARED_KEY);
  if (existing instanceof SharedArrayBuffer) return new Int32Array(existing);
  const buffer = new SharedArrayBuffer(8);
  if (isMainThread) setEnvironmentData(SHARED_KEY, buffer);
  return new Int32Array(buffer);
})();
const STOPPED = 0;
const IN_PROGRESS = 1;

/** Temporary files of this thread's open {@link AtomicFileWriter}s. */
const openTempFiles = new Set<string>();

/** A write refused because the run is being interrupted. */
export class WritesStoppedError extends SoundcheckError {}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
}

function refuseIfStopped(path: string): void {
  if (Atomics.load(shared, STOPPED) !== 0) {
    throw new WritesStoppedError(path, "not written: the run is being interrupted", "run the stage again");
  }
}

/**
 * Write a file atomically: the bytes go to a temporary file in the same folder, which is then
 * renamed over the target. A reader, or a run interrupted at any point (Ctrl-C, SIGTERM, a
 * crash of the process), sees either the old file or the complete new one, never a
 * half-written file. There is no fsync: surviving a power cut is left to the file system, since
 * flushing every one of the thousands of clips a run writes costs about a tenth of its time.
 *
 * Once {@link stopWrites} has been called (by the interrupt handler, from any thread), new
 * writes throw {@link WritesStoppedError} instead of starting.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  refuseIfStopped(path);
  Atomics.add(shared, IN_PROGRESS, 1);
  try {
    const tmp = tempPathFor(path);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const fd = openSync(tmp, "w");
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    try {
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  } finally {
    Atomics.sub(shared, IN_PROGRESS, 1);
    Atomics.notify(shared, IN_PROGRESS);
  }
}

/** A file written piece by piece that appears under its name only when complete. */
export interface AtomicFileWriter {
  /** The temporary file the bytes go to until {@link commit}. */
  readonly tempPath: string;
  /** Append bytes. */
  write(bytes: Uint8Array): void;
  /** Close and rename the temporary file over the target. */
  commit(): void;
  /** Close and delete the temporary file (the target is left as it was). */
  abort(): void;
}

/**
 * Open a file to be written piece by piece (e.g. an hour of audio block by block), atomically:
 * the pieces go to a temporary file next to the target, renamed over it by `commit()`. Until
 * then the temporary file is registered, so an interrupt handler can delete it
 * ({@link removeOpenTempFiles}).
 */
export function openAtomicWriter(path: string): AtomicFileWriter {
  mkdirSync(dirname(path), { recursive: true });
  refuseIfStopped(path);
  const tempPath = tempPathFor(path);
  const fd = openSync(tempPath, "w");
  openTempFiles.add(tempPath);
  let open = true;
  const finish = (keep: boolean) => {
    if (!open) return;
    open = false;
    try {
      closeSync(fd);
      if (keep) renameSync(tempPath, path);
    } finally {
      if (!keep) rmSync(tempPath, { force: true });
      openTempFiles.delete(tempPath);
    }
  };
  return {
    tempPath,
    write(bytes) {
      if (!open) throw new SoundcheckError(path, "written after it was closed", "this is a bug: report it");
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    },
    commit() {
      try {
        finish(true);
      } catch (err) {
        rmSync(tempPath, { force: true });
        throw err;
      }
    },
    abort() {
      finish(false);
    },
  };
}

/**
 * Stop all atomic writes of the process, in every thread: writes not yet started throw
 * {@link WritesStoppedError}; writes under way (they take milliseconds) are waited for, up to
 * `timeoutMs`, so that afterwards no thread holds a temporary file of a single-shot write.
 * Meant for the interrupt handler, just before the process exits.
 *
 * @returns  true when no write was still in progress at the end
 */
export function stopWrites(timeoutMs = 2000): boolean {
  Atomics.store(shared, STOPPED, 1);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inProgress = Atomics.load(shared, IN_PROGRESS);
    if (inProgress <= 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(shared, IN_PROGRESS, inProgress, Math.min(left, 50));
  }
}

/** True once {@link stopWrites} has been called in any thread. */
export function writesStopped(): boolean {
  return Atomics.load(shared, STOPPED) !== 0;
}

/**
 * Delete the temporary files of this thread's {@link openAtomicWriter}s that are still open.
 *
 * @returns  the paths deleted
 */
export function removeOpenTempFiles(): string[] {
  const removed = [...openTempFiles];
  for (const path of removed) rmSync(path, { force: true });
  openTempFiles.clear();
  return removed;
}
