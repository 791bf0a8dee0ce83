/**
 * Choosing the TensorFlow.js backend for training and inference.
 *
 * Order tried by "auto": `tensorflow` (native, from @tensorflow/tfjs-node, when the user has it
 * installed; it is deliberately not a dependency), then `wasm` (tfjs-backend-wasm with our training
 * kernels, see wasmKernels.ts), then the pure-JS `cpu` backend, which is correct but several
 * hundred times slower at training this CNN (see bench/train.ts).
 */
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ConfigError } from "../errors";
import { registerWasmTrainingKernels } from "./wasmKernels";

/** Which backend to use; "auto" takes the fastest one that loads. */
export type BackendPreference = "auto" | "tfjs-node" | "wasm" | "cpu";

/** tfjs's name for the backend that @tensorflow/tfjs-node registers. */
export const TFJS_NODE_BACKEND = "tensorflow";

const BACKEND_PREFERENCES: readonly BackendPreference[] = ["auto", "tfjs-node", "wasm", "cpu"];

/** Throws a ConfigError naming the setting unless `value` is a BackendPreference. */
export function parseBackendPreference(value: string): BackendPreference {
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference;
  throw new ConfigError("backend", `unknown backend '${value}'`, `use one of ${BACKEND_PREFERENCES.join(", ")}`);
}

/** Why the native backend is unavailable, or null if it registered itself with our tfjs-core. */
function loadTfjsNode(): string | null {
  // A runtime require of a computed name: tsc must not resolve it (the package is optional), and
  // bundlers must not inline it.
  const name = "@tensorflow/tfjs-node";
  try {
    require(name);
  } catch (err) {
    return (
      `${name} is not installed or failed to load ` +
      `(${err instanceof Error ? err.message.split("\n")[0] : String(err)})`
    );
  }
  if (tf.findBackendFactory(TFJS_NODE_BACKEND) === null) {
    // e.g. this repository's npm override aliases @tensorflow/tfjs-node to plain @tensorflow/tfjs
    // for danfojs, or the real package brought its own copy of @tensorflow/tfjs-core.
    return (
      `${name} loaded but registered no '${TFJS_NODE_BACKEND}' backend ` +
      `with this @tensorflow/tfjs-core ${tf.version_core} ` +
      `(an alias of @tensorflow/tfjs, or a tfjs-node built against another tfjs-core copy)`
    );
  }
  return null;
}

let wasmLoaded = false;

/**
 * Load tfjs-backend-wasm and point it at its .wasm binaries inside node_modules (in Node there is
 * no URL to fetch them from). Loaded lazily: importing the package registers 'wasm' as tfjs's
 * highest-priority backend, after which any tensor op made before `await tf.ready()` throws, so
 * merely importing this module must not do it.
 */
function loadWasmPackage(): void {
  if (wasmLoaded) return;
  const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  wasm.setWasmPaths(join(dist, "/"));
  wasmLoaded = true;
}

async function trySetBackend(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function useWasm(): Promise<string | null> {
  try {
    loadWasmPackage();
  } catch (err) {
    return (
      `@tensorflow/tfjs-backend-wasm failed to load ` +
      `(${err instanceof Error ? err.message.split("\n")[0] : String(err)})`
    );
  }
  if (!(await trySetBackend("wasm"))) return "tfjs-backend-wasm failed to initialise";
  await tf.ready();
  registerWasmTrainingKernels();
  return null;
}

/** The backend the last selectBackend call chose. */
let selected: string | null = null;

/**
 * Select and initialise the tfjs backend.
 *
 * @param preference  "auto" (default) tries tfjs-node, then wasm, then cpu; any other value uses
 *   that backend or throws a ConfigError saying why it is unavailable.
 * @param note  receives one line per backend that was skipped and why (no console output here).
 * @returns  tfjs's name of the active backend: "tensorflow" (tfjs-node), "wasm" or "cpu".
 */
export async function selectBackend(
  preference: BackendPreference = "auto",
  note?: (message: string) => void,
): Promise<string> {
  selected = await pickBackend(preference, note);
  return selected;
}

async function pickBackend(preference: BackendPreference, note?: (message: string) => void): Promise<string> {
  if (preference === "auto" || preference === "tfjs-node") {
    const why =
      loadTfjsNode() ??
      ((await trySetBackend(TFJS_NODE_BACKEND)) ? null : `the '${TFJS_NODE_BACKEND}' backend failed to initialise`);
    if (why === null) return tf.getBackend();
    if (preference === "tfjs-node")
      throw new ConfigError(
        "backend tfjs-node",
        why,
        "install @tensorflow/tfjs-node 4.22.0 next to soundcheck-ts, or choose the wasm backend",
      );
    note?.(`skipping tfjs-node: ${why}`);
  }
  if (preference === "auto" || preference === "wasm") {
    const why = await useWasm();
    if (why === null) return tf.getBackend();
    if (preference === "wasm")
      throw new ConfigError(
        "backend wasm",
        why,
        "check that @tensorflow/tfjs-backend-wasm 4.22.0 and its .wasm files are installed, or choose the cpu backend",
      );
    note?.(`skipping wasm: ${why}`);
  }
  if (!(await trySetBackend("cpu")))
    throw new ConfigError("backend cpu", "the cpu backend failed to initialise", "reinstall @tensorflow/tfjs 4.22.0");
  return tf.getBackend();
}

/** tfjs backend name a preference stands for (null for "auto"). */
function backendNameOf(preference: BackendPreference): string | null {
  return preference === "auto" ? null : preference === "tfjs-node" ? TFJS_NODE_BACKEND : preference;
}

/**
 * Keep the backend an earlier {@link selectBackend} call chose if it is still active and
 * `preference` is "auto" or names it; otherwise select one now with `preference`. Training and
 * inference call this, so a caller that never picks a backend still gets the fastest one rather
 * than tfjs's default, and an explicit preference is honoured.
 */
export async function ensureBackend(
  preference: BackendPreference = "auto",
  note?: (message: string) => void,
): Promise<string> {
  const wanted = backendNameOf(preference);
  if (selected !== null && tf.getBackend() === selected && (wanted === null || wanted === selected)) return selected;
  return selectBackend(preference, note);
}
