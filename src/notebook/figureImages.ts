/**
 * Static images of figures for notebook outputs, drawn by a warm headless Chromium.
 *
 * A reopened notebook is untrusted: front ends strip the `<script>` that draws a figure, and
 * without plotly's JupyterLab extension nothing draws the plotly JSON, so the figure is gone. A
 * static SVG (or PNG) inside the figure's output survives: it is kept as `image/svg+xml` in the
 * MIME bundle and as an `<img>` inside the HTML (untrusted HTML is sanitised, and images stay).
 *
 * One browser per kernel: a worker thread starts Chromium on the first figure (about a second),
 * keeps it and its plotly.js page open, and draws every later figure on that page. The kernel's
 * thread waits for each image (`Atomics.wait`), so {@link figureImage} is synchronous and figures
 * keep their order in the notebook. The browser is the one {@link findChromium} finds; no
 * browser is ever downloaded.
 *
 * Configuration: {@link configureFigureImages}, or `$SOUNDCHECK_FIGURE_IMAGES` = `off` | `svg` |
 * `png` (default svg when a Chromium is found).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { type Figure, figureSize } from "../plots/figure";
import { findChromium } from "../plots/save";
import type { ImageReply, ImageRequest } from "./figureImageWorker";

/** Options of {@link configureFigureImages}. */
export interface FigureImageOptions {
  /** Draw static images (default: on when a Chromium is found, off with `$SOUNDCHECK_FIGURE_IMAGES=off`). */
  enabled?: boolean;
  /**
   * `svg` (default: vector, sharp at any zoom, and the smallest: plotly embeds heatmaps as images
   * at their own resolution) or `png` (at `scale`; 2 to 5 times larger).
   */
  format?: "png" | "svg";
  /** PNG pixels per CSS pixel (default 2, sharp on high-density screens); SVG ignores it. */
  scale?: number;
  /** Chromium or Chrome binary (default {@link findChromium}). */
  executablePath?: string;
  /** Longest wait for one image, first browser start included (default 60 s); then images turn off. */
  timeoutSeconds?: number;
}

/** A figure's static image, ready for a MIME bundle. */
export interface StaticImage {
  mime: "image/png" | "image/svg+xml";
  /** base64 for PNG, the SVG text for SVG (as nbformat stores them). */
  data: string;
  /** CSS pixels (the figure's size; a PNG has `scale` times as many pixels). */
  width: number;
  height: number;
}

/** What the renderer did so far in this process (for benchmarks and the notice). */
export interface FigureImageStats {
  /** Images drawn. */
  figures: number;
  /** Wall time of all requests as the kernel waited for them, ms (browser start included). */
  totalMs: number;
  /** Part of totalMs spent starting the browser and loading plotly.js, ms. */
  launchMs: number;
}

interface Channel {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

let options: FigureImageOptions = {};
let channel: Channel | null = null;
let nextId = 1;
/** Why images are off for this process (set once; {@link takeFigureImageNotice} reports it once). */
let offReason: string | null = null;
let noticeGiven = false;
const stats: FigureImageStats = { figures: 0, totalMs: 0, launchMs: 0 };

/**
 * Change how figures get their static images (applies to the next figure, which retries the browser if it had
 * failed).
 */
export function configureFigureImages(next: FigureImageOptions): void {
  options = { ...options, ...next };
  offReason = null;
  noticeGiven = false;
}

/** The settings in force: explicit options over `$SOUNDCHECK_FIGURE_IMAGES`, over the defaults. */
export function figureImageSettings(): Required<Omit<FigureImageOptions, "executablePath">> & {
  executablePath: string | null;
} {
  const env = (process.env["SOUNDCHECK_FIGURE_IMAGES"] ?? "").trim().toLowerCase();
  const envOff = ["off", "0", "false", "no", "none"].includes(env);
  const envFormat = env === "svg" || env === "png" ? env : undefined;
  return {
    enabled: options.enabled ?? !envOff,
    format: options.format ?? envFormat ?? "svg",
    scale: options.scale ?? 2,
    executablePath: options.executablePath ?? findChromium(),
    timeoutSeconds: options.timeoutSeconds ?? 60,
  };
}

function startChannel(executablePath: string): Channel {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const workerData = { port: port2, flag, executablePath };
  const js = join(__dirname, "figureImageWorker.js");
  const ts = join(__dirname, "figureImageWorker.ts");
  const worker = existsSync(js)
    ? new Worker(js, { workerData, transferList: [port2] })
    : // running from TypeScript sources (tests, benchmarks): the worker loads them through tsx
      new Worker(`require("tsx/cjs"); require(${JSON.stringify(ts)});`, {
        eval: true,
        workerData,
        transferList: [port2],
      });
  worker.unref(); // never keeps a script or test process alive; Chromium exits when its pipe closes
  worker.on("error", () => undefined);
  return { worker, port: port1, flag };
}

function turnOff(reason: string): void {
  offReason = reason;
  noticeGiven = false;
  const c = channel;
  channel = null;
  if (c !== null) void c.worker.terminate();
}

/**
 * The static image of `fig`, drawn now (the call waits for it), or null when images are off or
 * could not be drawn; then {@link takeFigureImageNotice} says why, once.
 */
export function figureImage(fig: Figure): StaticImage | null {
  const settings = figureImageSettings();
  if (!settings.enabled) {
    offReason ??= "static figure images are turned off (configureFigureImages or $SOUNDCHECK_FIGURE_IMAGES=off)";
    return null;
  }
  if (offReason !== null) return null;
  if (settings.executablePath === null) {
    turnOff("no Chromium or Chrome was found to draw them (Debian: apt install chromium; or set SOUNDCHECK_CHROMIUM)");
    return null;
  }
  channel ??= startChannel(settings.executablePath);
  const c = channel;
  const id = nextId++;
  const request: ImageRequest = {
    id,
    figure: { data: fig.data, layout: fig.layout },
    format: settings.format,
    scale: settings.scale,
  };
  const start = performance.now();
  c.port.postMessage(request);
  const deadline = start + settings.timeoutSeconds * 1000;
  let reply: ImageReply | null = null;
  while (reply === null) {
    const seen = Atomics.load(c.flag, 0);
    if (seen !== id) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(c.flag, 0, seen, left) === "timed-out") break;
      continue;
    }
    // drain the port up to this request's answer (earlier ones may be left by a timeout)
    for (let m = receiveMessageOnPort(c.port); m !== undefined; m = receiveMessageOnPort(c.port)) {
      const r = m.message as ImageReply;
      if (r.id === id) {
        reply = r;
        break;
      }
    }
    if (reply === null) break;
  }
  if (reply === null) {
    turnOff(`drawing one figure took over ${settings.timeoutSeconds} s, so static images are off for this kernel`);
    return null;
  }
  if (!reply.ok) {
    turnOff(`Chromium could not draw them: ${reply.error}`);
    return null;
  }
  stats.figures++;
  stats.totalMs += performance.now() - start;
  stats.launchMs += reply.launchMs;
  const { width, height } = figureSize(fig);
  return { mime: settings.format === "png" ? "image/png" : "image/svg+xml", data: reply.data, width, height };
}

/**
 * The message to show once when a figure got no static image (null otherwise, and after it was
 * taken once): what the reader of a reopened notebook will miss, and what to do.
 */
export function takeFigureImageNotice(): string | null {
  if (offReason === null || noticeGiven) return null;
  noticeGiven = true;
  return (
    `Figures in this notebook have no static image: ${offReason}. They draw now, but after the ` +
    "notebook is saved and reopened (untrusted) or viewed on a static viewer they will be blank " +
    "unless plotly's JupyterLab extension is installed (pip install plotly) or the notebook is trusted."
  );
}

/** Images drawn so far, and the time they cost. */
export function figureImageStats(): FigureImageStats {
  return { ...stats };
}

/** Close the browser (a later figure starts a new one). Kernels need not call it. */
export async function closeFigureImages(): Promise<void> {
  const c = channel;
  channel = null;
  if (c === null) return;
  await new Promise<void>((done) => {
    const timer = setTimeout(done, 10_000);
    c.worker.once("message", () => {
      clearTimeout(timer);
      done();
    });
    c.worker.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    c.worker.postMessage("close");
  });
  await c.worker.terminate();
}
