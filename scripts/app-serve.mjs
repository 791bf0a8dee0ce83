// Build the browser app and serve it on localhost, with a saved model as its default model.
//
//   npm run app                                (models/cnn_model, http://127.0.0.1:8765/)
//   npm run app -- --model <dir> --port <n>    (another model folder, another port)
//   npm run app -- --no-build                  (serve app/build as it is)
//
// Only the built page (app/build) and the model folder's files (under /model/) are served, to
// this computer only (127.0.0.1) unless --host says otherwise.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BUILD_DIR, PROJECT_ROOT, buildApp, formatBuild } from "./app-build.mjs";

export const DEFAULT_MODEL_DIR = join(PROJECT_ROOT, "models", "cnn_model");
export const DEFAULT_PORT = 8765;

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
};

/** The regular file `relativePath` names inside `root`, or null (missing, a folder, or outside root). */
function fileInside(root, relativePath) {
  const path = normalize(join(root, relativePath));
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

/**
 * Serve the built app and a model folder.
 *
 * @param {{ modelDir?: string, port?: number, host?: string, buildDir?: string }} options
 *   port 0 picks a free port
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function startAppServer(options = {}) {
  const buildDir = resolve(options.buildDir ?? BUILD_DIR);
  const modelDir = resolve(options.modelDir ?? DEFAULT_MODEL_DIR);
  const host = options.host ?? "127.0.0.1";
  const server = createServer((request, response) => {
    const send = (status, text) => {
      response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : text);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "only GET and HEAD\n");
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad URL\n");
    }
    const underModel = pathname.startsWith("/model/");
    const file = underModel
      ? fileInside(modelDir, pathname.slice("/model/".length))
      : fileInside(buildDir, pathname === "/" ? "index.html" : pathname.slice(1));
    if (file === null) return send(404, `not found: ${pathname}\n`);
    response.writeHead(200, {
      "Content-Type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "Content-Length": statSync(file).size,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    if (request.method === "HEAD") return response.end();
    createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : options.port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolvePromise({
        url: `http://${shownHost}:${port}/`,
        port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** A path the user typed, relative to where they ran npm (npm run changes into the project). */
export function userPath(path) {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      "no-build": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "npm run app -- [--model <folder>] [--port <n>] [--host <address>] [--no-build]\n\nBuilds the browser app and serves it with the model in <folder> (default models/cnn_model) preloaded.",
    );
    return;
  }
  const modelDir = values.model === undefined ? DEFAULT_MODEL_DIR : userPath(values.model);
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port}: not a port number; use e.g. --port 8765`);
  if (!values["no-build"]) console.log(formatBuild(await buildApp()));
  else if (!existsSync(join(BUILD_DIR, "index.html")))
    throw new Error("app/build has no index.html: run without --no-build, or npm run app:build first");
  if (!existsSync(join(modelDir, "metadata.json"))) {
    console.warn(
      `no model in ${modelDir} (no metadata.json): train one with npx soundcheck train, pass --model <folder>, or choose a model folder in the page`,
    );
  }
  let server;
  try {
    server = await startAppServer({ modelDir, port, host: values.host });
  } catch (err) {
    if (err?.code !== "EADDRINUSE" || values.port !== undefined) throw err;
    server = await startAppServer({ modelDir, port: 0, host: values.host }); // default port busy: any free one
  }
  console.log(
    `\nsoundcheck app: ${server.url}\nmodel: ${modelDir}\nopen the address in a browser; Ctrl+C stops the server`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err) => {
    console.error(`app: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
