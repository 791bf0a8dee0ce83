import { DEFAULT_HEIGHT_PX, DEFAULT_WIDTH_PX, type Figure, type PlotlyLayout } from "./figure";

/**
 * Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in
 * greyscale print by their lightness. Order: blue, vermillion, bluish green, orange, reddish
 * purple, sky blue, yellow, black.
 */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#E69F00",
  "#CC79A7",
  "#56B4E9",
  "#F0E442",
  "#000000",
] as const;

/** Colour of each class by label (0 = normal, 1 = broken), used by every figure. */
export const CLASS_COLORS: readonly [string, string] = ["#0072B2", "#D55E00"];

/** Font stack: DejaVu Sans on Linux (Debian's fonts-dejavu-core), then common sans serifs. */
export const FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

/** Perceptually uniform, colour-blind safe scale for spectrograms (dB). */
export const SEQUENTIAL_SCALE = "Viridis";
/** Diverging scale for signed values (MFCC), centred on 0 with `zmid: 0`. */
export const DIVERGING_SCALE = "RdBu";
/** Light-to-dark single-hue scale for counts (confusion matrix): ColorBrewer Blues, 0 = white-ish. */
export const COUNT_SCALE: Array<[number, string]> = [
  [0, "#F7FBFF"],
  [0.125, "#DEEBF7"],
  [0.25, "#C6DBEF"],
  [0.375, "#9ECAE1"],
  [0.5, "#6BAED6"],
  [0.625, "#4292C6"],
  [0.75, "#2171B5"],
  [0.875, "#08519C"],
  [1, "#08306B"],
];

const axis = {
  showline: true,
  linecolor: "#222222",
  linewidth: 1,
  mirror: true,
  ticks: "outside",
  tickcolor: "#222222",
  showgrid: true,
  gridcolor: "#E5E5E5",
  zeroline: false,
  automargin: true,
  title: { font: { size: 14 } },
};

/** The layout every figure starts from: white background, 14 px text, framed axes, Okabe-Ito colours. */
export function baseLayout(): PlotlyLayout {
  return {
    width: DEFAULT_WIDTH_PX,
    height: DEFAULT_HEIGHT_PX,
    font: { family: FONT_FAMILY, size: 13, color: "#222222" },
    title: { font: { size: 16 }, x: 0.02, xanchor: "left" },
    paper_bgcolor: "#FFFFFF",
    plot_bgcolor: "#FFFFFF",
    colorway: [...PALETTE],
    margin: { l: 70, r: 30, t: 60, b: 60 },
    xaxis: { ...axis },
    yaxis: { ...axis },
    legend: { bgcolor: "rgba(255,255,255,0.8)", bordercolor: "#CCCCCC", borderwidth: 1 },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

/**
 * A figure with the theme applied: `layout` is merged over {@link baseLayout} (nested objects
 * merge; extra axes such as `xaxis2` get the same axis style), and the mode bar offers a
 * PNG download at print scale.
 */
export function themedFigure(data: Figure["data"], layout: PlotlyLayout): Figure {
  let merged = deepMerge(baseLayout(), layout) as PlotlyLayout;
  for (const key of Object.keys(merged)) {
    if (/^[xy]axis\d+$/.test(key) && isObj(merged[key]))
      merged = { ...merged, [key]: deepMerge(axis, merged[key] as Obj) };
  }
  return {
    data,
    layout: merged,
    config: { displaylogo: false, responsive: false, toImageButtonOptions: { format: "png", scale: 3 } },
  };
}
