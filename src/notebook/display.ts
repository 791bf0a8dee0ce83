/**
 * Showing things in a tslab notebook. A figure is sent as ONE display message carrying several
 * representations (a MIME bundle), and each front end picks the richest it can draw:
 *
 * - `application/vnd.plotly.v1+json`: the figure as JSON, drawn by JupyterLab's
 *   jupyterlab-plotly extension or VS Code's Jupyter Notebook Renderers (part of its Jupyter extension);
 * - `text/html`: a `<div>` and a short script calling `Plotly.newPlot`, drawn wherever
 *   scripts run in trusted outputs (JupyterLab without the extension, classic Notebook,
 *   VS Code, and HTML exported by nbconvert); the plotly.js library itself is sent once per
 *   notebook by {@link loadPlotly}, inlined, so it works offline;
 * - `image/png` (or `image/svg+xml`): a static picture of the figure, drawn by a warm headless
 *   Chromium (see ./figureImages), also placed inside the HTML as an `<img>` that the script
 *   replaces: a reopened (untrusted) notebook loses the script but keeps the picture, in Jupyter's
 *   front ends and in static viewers (VS Code in Restricted Mode draws no HTML or SVG: environment.md);
 * - `text/plain`: a one-line description (terminals, `jupyter nbconvert --to markdown`, tests).
 *
 * tslab's public `display` sends one MIME type per call, so bundles go through the kernel's
 * own display writer (`tslab/dist/jupyter`'s `lastWriteDisplayData`, which its public API
 * wraps), found at run time; outside a kernel nothing is sent.
 */
import { randomBytes } from "node:crypto";
import { type Figure, figureSize, figureTitle } from "../plots/figure";
import { plotlySource, plotlyVersion } from "../plots/plotlySource";
import { escapeHtml, scriptJson } from "../util/html";
import { figureImage, takeFigureImageNotice, type StaticImage } from "./figureImages";

export { escapeHtml, scriptJson } from "../util/html";
export { plotlySource, plotlyVersion } from "../plots/plotlySource";

/** A MIME bundle: representation by MIME type (strings, or JSON for `+json` types). */
export type MimeBundle = Record<string, string | object>;

/** MIME type of plotly figures (JupyterLab extension, VS Code's Jupyter Notebook Renderers). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/**
 * Where display messages go: `bundle` is shown, or replaces the output with the same
 * `displayId` when `update` is true.
 */
export type DisplaySink = (bundle: MimeBundle, displayId: string | undefined, update: boolean) => void;

type KernelWriter = (
  content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

/**
 * The running tslab kernel's display writer, or null outside a kernel (plain Node, tests, or a
 * tslab whose internals changed: then {@link fallbackSink} shows one MIME type per output).
 */
export function tslabSink(): DisplaySink | null {
  let writer: KernelWriter | null | undefined;
  try {
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: KernelWriter | null };
    if (!("lastWriteDisplayData" in jupyter)) return null;
    writer = jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
  if (typeof writer !== "function") return null;
  const write = writer;
  return (bundle, displayId, update) =>
    write({ data: bundle, metadata: {}, transient: displayId === undefined ? {} : { display_id: displayId } }, update);
}

let sinkOverride: DisplaySink | null = null;

/** Send displays to `sink` instead of the kernel (tests); null restores the kernel. */
export function setDisplaySink(sink: DisplaySink | null): void {
  sinkOverride = sink;
}

/** True when displays have somewhere to go (a tslab kernel, or a sink set for tests). */
export function canDisplay(): boolean {
  return (sinkOverride ?? tslabSink()) !== null;
}

/**
 * Send a bundle to the current sink (nothing happens outside a kernel). Returns nothing, so a
 * call as a cell's last statement prints nothing extra.
 */
export function displayBundle(bundle: MimeBundle, displayId?: string, update = false): void {
  const sink = sinkOverride ?? tslabSink();
  if (sink !== null) sink(bundle, displayId, update);
}

/** A fresh id for an output that will be updated in place (see {@link LiveDisplay}). */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}

/**
 * The bundle that loads plotly.js into the page once: an inlined `<script>` (works offline and
 * in exported HTML) that defines `window.Plotly` unless this version is already there. Figures
 * shown before it wait up to 30 s for it.
 */
export function plotlyLoaderBundle(): MimeBundle {
  const version = plotlyVersion();
  // plotly.js 3 assigns window.Plotly itself; hiding AMD's define keeps it from registering as
  // a require.js module instead (the classic Notebook page has require.js).
  const html =
    `<script type="text/javascript">\n` +
    `if (!window.Plotly || window.Plotly.version !== ${JSON.stringify(version)}) {\n` +
    `(function (define, module, exports) {\n` +
    `${plotlySource().replace(/<\/script/gi, "<\\/script")}\n` +
    `}).call(window);\n}\n` +
    `</script>\n<div class="soundcheck-plotly-loader" style="font-size:smaller;color:#555">` +
    `plotly.js ${escapeHtml(version)} loaded (inlined once per notebook, no network needed)</div>`;
  return { "text/html": html, "text/plain": `plotly.js ${version} loaded for this notebook's figures` };
}

/** Show the plotly.js loader: run it in the first code cell of a notebook that has figures. */
export function loadPlotly(): void {
  displayBundle(plotlyLoaderBundle());
}

/** Figure size and traces, in words: the bundle's text/plain. */
export function describeFigure(fig: Figure): string {
  const { width, height } = figureSize(fig);
  const kinds = [...new Set(fig.data.map((t) => t.type))].join(", ");
  return (
    `Figure "${figureTitle(fig)}": ${fig.data.length} ${kinds} trace${fig.data.length === 1 ? "" : "s"}, ` +
    `${width} x ${height} px`
  );
}

/** An `<img>` of the static image, sized in CSS pixels, for the figure's HTML. */
function staticImageHtml(image: StaticImage, title: string): string {
  const base64 = image.mime === "image/png" ? image.data : Buffer.from(image.data, "utf8").toString("base64");
  const src = `data:${image.mime};base64,${base64}`;
  return (
    `<img class="soundcheck-figure-static" src="${src}" width="${image.width}" height="${image.height}" ` +
    `alt="${escapeHtml(title)}" style="max-width:100%;height:auto">`
  );
}

/**
 * The MIME bundle of a figure: plotly JSON, HTML drawing it with the page's plotly.js, and a
 * text description. `divId` names the figure's `<div>` (unique per output). With `image`, the
 * bundle also carries it (`image/png` or `image/svg+xml`) and the HTML shows it until plotly.js
 * draws the interactive figure over it, so it stays visible where scripts do not run.
 */
export function figureBundle(
  fig: Figure,
  divId: string = `soundcheck-fig-${newDisplayId()}`,
  image: StaticImage | null = null,
): MimeBundle {
  const { width, height } = figureSize(fig);
  const config = { displaylogo: false, ...(fig.config ?? {}) };
  const html =
    `<div id="${divId}" class="soundcheck-figure" style="width:${width}px;height:${height}px;max-width:100%">` +
    `${image === null ? "" : staticImageHtml(image, figureTitle(fig))}</div>\n` +
    `<script type="text/javascript">\n(function () {\n` +
    `  var fig = ${scriptJson({ data: fig.data, layout: fig.layout, config })};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    var el = document.getElementById(${JSON.stringify(divId)});\n` +
    `    if (el && window.Plotly) { el.textContent = ""; ` +
    `window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); return; }\n` +
    `    if (++tries > 300) { if (el && !el.firstChild) el.textContent = ` +
    `"plotly.js is not loaded: run the notebook's first code cell (loadPlotly()) and trust the notebook"; return; }\n` +
    `    setTimeout(draw, 100);\n` +
    `  }\n  draw();\n})();\n</script>`;
  return {
    [PLOTLY_MIME]: { data: fig.data, layout: fig.layout, config },
    "text/html": html,
    ...(image === null ? {} : { [image.mime]: image.data }),
    "text/plain": describeFigure(fig),
  };
}

/** A figure's bundle with its static image (when images are on), after the once-only notice if they are off. */
function figureBundleWithImage(fig: Figure, divId?: string): MimeBundle {
  const image = figureImage(fig);
  const notice = takeFigureImageNotice();
  if (notice !== null) {
    displayBundle({
      "text/plain": `note: ${notice}`,
      "text/html":
        `<div class="soundcheck-notice" ` +
        `style="border-left:4px solid #56B4E9;background:#EEF7FC;padding:4px 8px;margin:2px 0">` +
        `<b>note</b>: ${escapeHtml(notice)}</div>`,
    });
  }
  return figureBundle(fig, divId, image);
}

/**
 * Show a figure in the notebook (one output, several representations, with a static image
 * drawn by the warm browser of ./figureImages unless images are off).
 */
export function showFigure(fig: Figure): void {
  displayBundle(figureBundleWithImage(fig));
}

/**
 * One output that is replaced in place each time `show` is called: a figure that updates while
 * training runs, or a progress line.
 */
export class LiveDisplay {
  private readonly id = newDisplayId();
  private shown = false;
  /** When this output last got a static image (ms, performance.now()), and the figure still without one. */
  private lastImageAt = -Infinity;
  private withoutImage: Figure | null = null;

  /**
   * @param imageIntervalMs  shortest time between two static images of this output (default
   *   1000 ms): a figure redrawn every training epoch does not pay for an image each time; call
   *   {@link finish} after the last update so the final figure has its image.
   */
  constructor(private readonly imageIntervalMs = 1000) {}

  /** Show `fig` here (the first call creates the output, later calls replace it). */
  showFigure(fig: Figure): void {
    const divId = `soundcheck-fig-${this.id}-${newDisplayId()}`;
    if (performance.now() - this.lastImageAt < this.imageIntervalMs) {
      this.withoutImage = fig;
      this.show(figureBundle(fig, divId));
      return;
    }
    this.withoutImage = null;
    this.show(figureBundleWithImage(fig, divId));
    this.lastImageAt = performance.now();
  }

  /** Give the last figure shown its static image if an update skipped it (see the constructor). */
  finish(): void {
    const fig = this.withoutImage;
    if (fig === null) return;
    this.lastImageAt = -Infinity;
    this.showFigure(fig);
  }

  /** Show a bundle here. */
  show(bundle: MimeBundle): void {
    displayBundle(bundle, this.id, this.shown);
    this.shown = true;
  }
}

/** Show Markdown (rendered by every front end), with a plain-text copy. */
export function showMarkdown(markdown: string): void {
  displayBundle({ "text/markdown": markdown, "text/plain": markdown });
}

/**
 * A table as HTML (with a plain-text copy): `columns` are the header, each row one value per
 * column; numbers are right-aligned and shown with `digits` decimals unless integers.
 */
export function tableBundle(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  digits = 3,
): MimeBundle {
  const fmt = (v: string | number) =>
    typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : v;
  const cell = (v: string | number, tag: string) =>
    `<${tag} style="text-align:${typeof v === "number" ? "right" : "left"};padding:2px 10px">` +
    `${escapeHtml(fmt(v))}</${tag}>`;
  const head = columns.map((c) => cell(c, "th")).join("");
  const body = rows.map((r) => `<tr>${r.map((v) => cell(v, "td")).join("")}</tr>`).join("");
  const html =
    `<table class="soundcheck-table" style="border-collapse:collapse"><thead><tr>${head}</tr></thead>` +
    `<tbody>${body}</tbody></table>`;
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => fmt(r[i] ?? "").length)));
  const line = (r: ReadonlyArray<string | number>) =>
    r
      .map((v, i) =>
        typeof v === "number" ? fmt(v).padStart(widths[i] as number) : fmt(v).padEnd(widths[i] as number),
      )
      .join("  ");
  return { "text/html": html, "text/plain": [line(columns), ...rows.map(line)].join("\n") };
}

/** Show a table (see {@link tableBundle}). */
export function showTable(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  digits = 3,
): void {
  displayBundle(tableBundle(columns, rows, digits));
}
