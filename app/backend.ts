/**
 * The tfjs backend in the page. Preferred order: `wasm` (XNNPACK, the same kernels as the CLI's
 * default backend, so the probabilities agree to float32 rounding), then `webgl`, then `cpu`;
 * `?backend=webgl` (or wasm, cpu) in the page's URL puts one first. The .wasm binaries are served
 * from ./vendor/tfjs-wasm/ next to the page: nothing is fetched from the internet.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export const BACKEND_ORDER = ["wasm", "webgl", "cpu"] as const;

/** Select the first backend that starts; returns its name. */
export async function selectBackend(preferred: string | null): Promise<string> {
  setWasmPaths(new URL("vendor/tfjs-wasm/", document.baseURI).href);
  const order =
    preferred !== null && (BACKEND_ORDER as readonly string[]).includes(preferred)
      ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)]
      : [...BACKEND_ORDER];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // try the next one
    }
  }
  throw new Error("no tfjs backend could start in this browser (tried wasm, webgl, cpu)");
}
