/**
 * Imported first by trainWorker.ts, before anything loads tfjs: in a training worker on the wasm
 * or cpu backend, `@tensorflow/tfjs` resolves to tfjs-core and tfjs-layers only (plus
 * tfjs-backend-cpu on the cpu backend), combined as the full package combines them (tfjs-core's
 * name first). The full package also loads tfjs-converter, tfjs-data, tfjs-backend-webgl and
 * tfjs-backend-cpu, which a training worker never uses: about 7 MB of V8 heap, 8 MB resident, in
 * every worker. The main thread and every other program keep the full package.
 *
 * The backend comes from the worker's workerData ({@link TrainWorkerData}); without it (or on
 * tfjs-node, which loads the full package itself) nothing changes.
 */
import Module, { createRequire } from "node:module";
import { isMainThread, workerData } from "node:worker_threads";
import type { BackendPreference } from "./backend";

/** What dataParallel.ts hands a training worker when it starts it. */
export interface TrainWorkerData {
  backend: BackendPreference;
}

/** Make `require("@tensorflow/tfjs")` return tfjs-core + tfjs-layers (+ tfjs-backend-cpu) from now on. */
function useCoreAndLayers(backend: BackendPreference): void {
  const full = require.resolve("@tensorflow/tfjs");
  if (require.cache[full] !== undefined) return; // already loaded in full: nothing left to save
  // the copies the full package itself would load
  const fromTfjs = createRequire(full);
  const names = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-layers"];
  if (backend === "cpu") names.push("@tensorflow/tfjs-backend-cpu"); // registers the 'cpu' backend
  const exports: Record<string, unknown> = {};
  for (const name of names) {
    const part = fromTfjs(name) as Record<string, unknown>;
    for (const key of Object.keys(part)) {
      if (key === "default" || Object.hasOwn(exports, key)) continue;
      Object.defineProperty(exports, key, { enumerable: true, get: () => part[key] });
    }
  }
  const module = new Module(full);
  module.filename = full;
  module.exports = exports;
  module.loaded = true;
  require.cache[full] = module;
}

const data = workerData as Partial<TrainWorkerData> | null;
if (!isMainThread && (data?.backend === "wasm" || data?.backend === "cpu")) useCoreAndLayers(data.backend);
