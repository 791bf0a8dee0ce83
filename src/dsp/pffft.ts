import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Loading PFFFT (@echogarden/pffft-wasm, the SIMD float32 FFT in WebAssembly) once per thread,
 * and keeping hold of its WebAssembly memory so our own SIMD kernels (melKernel.ts) can work on
 * the FFT's output in place.
 */

/** The parts of the Emscripten module of @echogarden/pffft-wasm that we use. */
export interface PffftModule {
  readonly HEAPF32: Float32Array;
  _pffft_new_setup(size: number, transform: number): number;
  _pffft_destroy_setup(setup: number): void;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(pointer: number): void;
  _pffft_simd_size(): number;
}

/** The loaded FFT and, when it could be captured, its memory (for kernels that import it). */
export interface PffftRuntime {
  readonly module: PffftModule;
  /** PFFFT's linear memory, or null if it could not be captured (kernels then stay unused). */
  readonly memory: WebAssembly.Memory | null;
  /** True for the SIMD build. */
  readonly simd: boolean;
}

/** `pffft_new_setup` transform kinds and `pffft_transform_ordered` directions. */
export const PFFFT_REAL = 0;
export const PFFFT_FORWARD = 0;
export const PFFFT_BACKWARD = 1;

let runtime: PffftRuntime | null = null;
let loading: Promise<PffftRuntime> | null = null;

/** Supplies the bytes of pffft.wasm (SIMD or scalar build) where there is no file system. */
export type PffftWasmSource = (simd: boolean) => Promise<Uint8Array>;
let wasmSource: PffftWasmSource | null = null;

/**
 * Where a bundle (the browser app) gets pffft.wasm, e.g. by `fetch`: with a source set, the
 * module is instantiated through it and its memory captured, so the SIMD kernels run there too
 * and features are bit-identical to Node's. Call before the first `loadPffft()`.
 */
export function setPffftWasmSource(source: PffftWasmSource | null): void {
  wasmSource = source;
}

function isPffftModule(value: unknown): value is PffftModule {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m["_pffft_new_setup"] === "function" &&
    typeof m["_pffft_transform_ordered"] === "function" &&
    m["HEAPF32"] instanceof Float32Array
  );
}

type EmscriptenFactory = (options?: Record<string, unknown>) => Promise<unknown>;

/**
 * Instantiate the module through Emscripten's documented `instantiateWasm` hook, which hands us
 * the instance and so the exported memory object (the glue code keeps it private otherwise).
 */
async function instantiateCapturingMemory(
  factory: EmscriptenFactory,
  readBytes: () => Promise<Uint8Array>,
): Promise<{ module: unknown; memory: WebAssembly.Memory | null }> {
  let memory: WebAssembly.Memory | null = null;
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const created = factory({
    instantiateWasm(
      imports: WebAssembly.Imports,
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ): Record<string, never> {
      readBytes()
        // the cast picks the bytes overload: to TS 5.9 a Uint8Array<ArrayBufferLike> is no BufferSource
        .then((bytes) => WebAssembly.instantiate(bytes as BufferSource, imports))
        .then(({ instance, module }) => {
          const exported = Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory);
          memory = exported instanceof WebAssembly.Memory ? exported : null;
          receive(instance, module);
        }, fail);
      return {}; // instantiation continues asynchronously
    },
  });
  const module = await Promise.race([created, failed]);
  return { module, memory };
}

async function load(entry: string, simd: boolean): Promise<PffftRuntime> {
  // The package is ESM-only with no type declarations; a dynamic import() with a non-literal
  // specifier loads it from our CommonJS output, and the value is checked before use.
  const imported: unknown = await import(entry);
  const factory = (imported as { default?: unknown }).default;
  if (typeof factory !== "function") throw new Error(`${entry} has no default export`);
  let readBytes: (() => Promise<Uint8Array>) | null;
  if (wasmSource !== null) {
    const source = wasmSource;
    readBytes = () => source(simd);
  } else {
    try {
      const wasmPath = join(dirname(require.resolve(entry)), "pffft.wasm");
      readBytes = async () => readFileSync(wasmPath);
    } catch {
      readBytes = null; // not resolvable as a file (bundled, no source set): the default loader, without the memory
    }
  }
  const { module, memory } =
    readBytes === null
      ? { module: await (factory as EmscriptenFactory)(), memory: null }
      : await instantiateCapturingMemory(factory as EmscriptenFactory, readBytes);
  if (!isPffftModule(module)) throw new Error(`${entry} does not look like the PFFFT module`);
  return { module, memory, simd };
}

/**
 * Load PFFFT (the SIMD build; the scalar build if the runtime lacks WASM SIMD). Later calls
 * return the same promise; a failed load may be retried.
 */
export function loadPffft(): Promise<PffftRuntime> {
  if (loading === null) {
    loading = load("@echogarden/pffft-wasm/simd", true)
      .catch(() => load("@echogarden/pffft-wasm", false))
      .then(
        (r) => {
          runtime = r;
          return r;
        },
        (error: unknown) => {
          loading = null;
          throw error;
        },
      );
  }
  return loading;
}

/** The loaded PFFFT, or null before `loadPffft()` has completed. */
export function loadedPffft(): PffftRuntime | null {
  return runtime;
}
