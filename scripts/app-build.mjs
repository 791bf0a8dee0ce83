// Build the browser app (app/) into app/build/: one ES module bundle of app/main.ts with the
// pipeline's own src/ code (decoders, resampler, MFCC, tfjs), the page, its styles, the
// microphone worklet, and every WebAssembly binary the page loads (PFFFT, tfjs's wasm backend)
// under vendor/, so the folder works offline on any static host.
//
//   node scripts/app-build.mjs            (npm run app:build)
//
// Files are written with the project's writeFileAtomic (dist/, built by npm install / npm run build).
import { build } from "esbuild";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const APP_DIR = join(PROJECT_ROOT, "app");
/** Where the built page goes (git-ignored by app/.gitignore). */
export const BUILD_DIR = join(APP_DIR, "build");

const require = createRequire(import.meta.url);

/** The project's atomic writer, from the compiled core. */
function atomicWriter() {
  const compiled = join(PROJECT_ROOT, "dist", "util", "atomicWrite.js");
  if (!existsSync(compiled)) {
    throw new Error(`${relative(PROJECT_ROOT, compiled)} is missing: run npm run build (npm install does it) first`);
  }
  return require(compiled).writeFileAtomic;
}

/**
 * Modules of src/ that import Node built-ins but are safe to bundle, because the browser never
 * reaches the code that uses them. Their imports are replaced by stubs that throw if called; any
 * other module importing a Node built-in fails the build (split its browser-safe part out instead,
 * as src/audio/decodeBytes.ts was split from decode.ts).
 */
const NODE_IMPORTS_ALLOWED = new Map([
  [
    "src/dsp/pffft.ts",
    "reads pffft.wasm with node:fs only in Node; the page supplies the bytes with setPffftWasmSource (fetch)",
  ],
]);

/** esbuild plugin enforcing NODE_IMPORTS_ALLOWED. */
const nodeBuiltins = {
  name: "node-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const importer = relative(PROJECT_ROOT, args.importer).split("\\").join("/");
      if (NODE_IMPORTS_ALLOWED.has(importer)) return { path: args.path, namespace: "node-stub" };
      return {
        errors: [
          {
            text: `${importer} imports ${args.path}, which browsers do not have: move the browser-safe part into a module of its own (as src/audio/decodeBytes.ts), or add it to NODE_IMPORTS_ALLOWED in scripts/app-build.mjs with the reason the browser never calls it`,
          },
        ],
      };
    });
    // CommonJS, so any named import resolves (to a function that throws when called)
    b.onLoad({ filter: /.*/, namespace: "node-stub" }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, name) => () => { throw new Error(${JSON.stringify(args.path)} + "." + String(name) + " is not available in the browser"); } });`,
      loader: "js",
    }));
  },
};

/** Files copied as they are: [source, destination inside the build folder]. */
function staticFiles() {
  // (pffft-wasm's "exports" hide its package.json, so its folder is found under node_modules)
  const pffft = join(PROJECT_ROOT, "node_modules", "@echogarden", "pffft-wasm");
  const tfWasm = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json", { paths: [PROJECT_ROOT] }));
  const files = [
    [join(APP_DIR, "index.html"), "index.html"],
    [join(APP_DIR, "styles.css"), "styles.css"],
    [join(APP_DIR, "capture-worklet.js"), "capture-worklet.js"],
    [join(pffft, "COPYING"), "vendor/pffft/COPYING"],
  ];
  for (const flavour of ["simd", "non-simd"]) {
    for (const name of ["pffft.js", "pffft.wasm"])
      files.push([join(pffft, "dist", flavour, name), `vendor/pffft/${flavour}/${name}`]);
  }
  for (const name of readdirSync(join(tfWasm, "dist")).filter((n) => n.endsWith(".wasm"))) {
    files.push([join(tfWasm, "dist", name), `vendor/tfjs-wasm/${name}`]);
  }
  const tfLicence = join(tfWasm, "LICENSE");
  if (existsSync(tfLicence)) files.push([tfLicence, "vendor/tfjs-wasm/LICENSE"]);
  return files;
}

/**
 * Build the app into `outDir` (emptied first).
 *
 * @param {{ outDir?: string, minify?: boolean }} options
 * @returns {Promise<{ outDir: string, files: Array<{ path: string, bytes: number }>, seconds: number }>}
 */
export async function buildApp(options = {}) {
  const outDir = options.outDir ?? BUILD_DIR;
  const started = performance.now();
  const writeFileAtomic = atomicWriter();
  if (outDir === BUILD_DIR) rmSync(outDir, { recursive: true, force: true }); // our own output folder only
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { app: join(APP_DIR, "main.ts") },
    bundle: true,
    format: "esm",
    splitting: true, // the FLAC/MP3/Ogg decoders load on first use, as in Node
    platform: "browser",
    target: ["es2022", "chrome100", "firefox100", "safari16"],
    chunkNames: "chunks/[name]-[hash]",
    minify: options.minify ?? true,
    sourcemap: "linked",
    legalComments: "linked",
    logLevel: "warning",
    plugins: [nodeBuiltins],
    write: false,
    outdir: outDir,
  });
  const files = [];
  for (const file of result.outputFiles) {
    writeFileAtomic(file.path, file.contents);
    files.push({ path: relative(outDir, file.path), bytes: file.contents.length });
  }
  for (const [source, target] of staticFiles()) {
    const bytes = readFileSync(source);
    writeFileAtomic(join(outDir, target), bytes);
    files.push({ path: target, bytes: bytes.length });
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { outDir, files, seconds: (performance.now() - started) / 1000 };
}

/** A short table of what was built. */
export function formatBuild(report) {
  const total = report.files.reduce((n, f) => n + f.bytes, 0);
  const shown = report.files.filter((f) => !f.path.endsWith(".map"));
  const width = Math.max(...shown.map((f) => f.path.length), 4);
  const lines = shown.map((f) => `  ${f.path.padEnd(width)}  ${(f.bytes / 1024).toFixed(0).padStart(6)} kB`);
  return [
    `built ${relative(process.cwd(), report.outDir) || "."} in ${report.seconds.toFixed(1)} s (${report.files.length} files, ${(total / 1048576).toFixed(1)} MB with source maps):`,
    ...lines,
  ].join("\n");
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  buildApp()
    .then((report) => console.log(formatBuild(report)))
    .catch((err) => {
      console.error(`app:build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
