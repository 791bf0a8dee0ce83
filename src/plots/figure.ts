/**
 * The figure type: a plotly.js figure as plain JSON (`data` traces, `layout`), built in Node and
 * drawn by plotly.js wherever it is shown (notebook front end, exported HTML, headless Chromium).
 */

/** One plotly.js trace (`type` is "scatter", "heatmap", "bar", ...); see plotly.js's reference. */
export interface PlotlyTrace {
  type: string;
  [attribute: string]: unknown;
}

/** A plotly.js layout; `width` and `height` are CSS pixels. */
export interface PlotlyLayout {
  width?: number;
  height?: number;
  [attribute: string]: unknown;
}

/** A complete figure: what `Plotly.newPlot(div, data, layout, config)` takes. */
export interface Figure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  /** plotly.js config (mode bar, responsiveness); optional. */
  config?: Record<string, unknown>;
}

/** Default figure size, CSS pixels (about 19 x 11 cm at 96 px per inch). */
export const DEFAULT_WIDTH_PX = 720;
export const DEFAULT_HEIGHT_PX = 420;

/** Width and height of a figure in CSS pixels, falling back to the defaults. */
export function figureSize(fig: Figure): { width: number; height: number } {
  return { width: fig.layout.width ?? DEFAULT_WIDTH_PX, height: fig.layout.height ?? DEFAULT_HEIGHT_PX };
}

/** The figure's title text, or "" if it has none. */
export function figureTitle(fig: Figure): string {
  const t = fig.layout["title"];
  if (typeof t === "string") return t;
  if (t !== null && typeof t === "object" && typeof (t as { text?: unknown }).text === "string")
    return (t as { text: string }).text;
  return "";
}
