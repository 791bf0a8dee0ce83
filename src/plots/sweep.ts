/**
 * Figures of a representation x pooling x model sweep: a heatmap per model of the mean
 * cross-validated ROC AUC (rows: representations, columns: poolings), and the best cells ranked
 * with their ± sd over folds.
 */
import type { Figure, PlotlyTrace } from "./figure";
import { PALETTE, SEQUENTIAL_SCALE, themedFigure } from "./theme";

/** One cell of a sweep as the figures need it. */
export interface SweepFigureCell {
  /** Representation (and window), e.g. "logmel128 (3 s chunks)": the heatmap row. */
  representation: string;
  /** Pooled statistics, e.g. "mean,std": the heatmap column. */
  pooling: string;
  model: string;
  /** Mean ROC AUC over folds (NaN when the cell failed). */
  mean: number;
  sd: number;
}

const round3 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);

/**
 * One heatmap per model, side by side, of the mean ROC AUC of every (representation, pooling),
 * each value written in its cell; colours from 0.5 (chance, and below) to 1.
 *
 * @param representations  row order (top to bottom); @param poolings  column order
 */
export function sweepHeatmapFigure(
  cells: readonly SweepFigureCell[],
  representations: readonly string[],
  poolings: readonly string[],
  models: readonly string[],
  title = "Sweep: mean ROC AUC per recording",
): Figure {
  const gap = 0.03;
  const width = (1 - gap * (models.length - 1)) / models.length;
  const lookup = new Map(cells.map((c) => [`${c.model}\u0000${c.representation}\u0000${c.pooling}`, c]));
  const data: PlotlyTrace[] = [];
  const annotations: unknown[] = [];
  const layout: Record<string, unknown> = {};
  models.forEach((model, m) => {
    const axis = m === 0 ? "" : String(m + 1);
    const z = representations.map((r) =>
      poolings.map((p) => round3(lookup.get(`${model}\u0000${r}\u0000${p}`)?.mean ?? NaN)),
    );
    const sd = representations.map((r) =>
      poolings.map((p) => round3(lookup.get(`${model}\u0000${r}\u0000${p}`)?.sd ?? NaN)),
    );
    data.push({
      type: "heatmap",
      name: model,
      z,
      x: [...poolings],
      y: [...representations],
      customdata: sd,
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      colorscale: SEQUENTIAL_SCALE,
      zmin: 0.5,
      zmax: 1,
      xgap: 1,
      ygap: 1,
      showscale: m === models.length - 1,
      colorbar: { title: { text: "ROC AUC" }, len: 0.9 },
      hovertemplate: `${model}<br>%{y}, %{x}<br>ROC AUC %{z:.3f} ± %{customdata:.3f}<extra></extra>`,
    });
    z.forEach((row, i) =>
      row.forEach((v, j) =>
        annotations.push({
          x: poolings[j],
          y: representations[i],
          xref: `x${axis}`,
          yref: `y${axis}`,
          text: v === null ? "–" : v.toFixed(2),
          showarrow: false,
          font: { size: 10, color: v !== null && v > 0.8 ? "#111111" : "#FFFFFF" },
        }),
      ),
    );
    const start = m * (width + gap);
    layout[`xaxis${axis}`] = {
      domain: [start, start + width],
      type: "category",
      showgrid: false,
      tickangle: -35,
      title: { text: model },
    };
    layout[`yaxis${axis}`] = {
      type: "category",
      showgrid: false,
      autorange: "reversed",
      anchor: `x${axis}`,
      ...(m === 0 ? {} : { showticklabels: false }),
    };
  });
  return themedFigure(data, {
    title: { text: title },
    width: 1000,
    height: Math.max(360, 150 + 26 * representations.length),
    margin: { l: 200, r: 30, t: 60, b: 110 },
    annotations,
    ...layout,
  });
}

/**
 * The `top` best cells (in the given order, best first) as points with ± sd error bars, one
 * colour per model.
 */
export function sweepRankingFigure(
  cells: ReadonlyArray<SweepFigureCell & { name: string }>,
  top = 15,
  title = `Sweep: the ${top} best cells (mean ± sd of ROC AUC per recording)`,
): Figure {
  const shown = cells.slice(0, top);
  const models = [...new Set(shown.map((c) => c.model))];
  const data: PlotlyTrace[] = models.map((model) => {
    const mine = shown.filter((c) => c.model === model);
    return {
      type: "scatter",
      mode: "markers",
      name: model,
      x: mine.map((c) => round3(c.mean)),
      y: mine.map((c) => c.name),
      error_x: { type: "data", array: mine.map((c) => round3(c.sd) ?? 0), visible: true, thickness: 1.2, width: 4 },
      marker: { size: 9, color: PALETTE[models.indexOf(model) % PALETTE.length] },
      hovertemplate: "%{y}<br>ROC AUC %{x:.3f}<extra></extra>",
    };
  });
  return themedFigure(data, {
    title: { text: title },
    width: 1000,
    height: Math.max(360, 140 + 24 * shown.length),
    margin: { l: 330 },
    xaxis: { title: { text: "ROC AUC per recording (cross-validated)" }, range: [0.4, 1.02] },
    yaxis: {
      type: "category",
      autorange: "reversed",
      categoryorder: "array",
      categoryarray: shown.map((c) => c.name),
      showgrid: false,
    },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
  });
}

/**
 * Class separation (Cohen's d, broken − normal) per band for several pooled statistics, one line
 * each: which statistic of which band tells the classes apart.
 *
 * @param bands  x values (band index), @param series  one `values[band]` per statistic
 */
export function bandSeparationFigure(
  bands: readonly number[],
  series: ReadonlyArray<{ name: string; values: readonly number[] }>,
  title = "Class separation per band (Cohen's d, broken − normal)",
): Figure {
  const data: PlotlyTrace[] = series.map((s, i) => ({
    type: "scatter",
    mode: "lines",
    name: s.name,
    x: [...bands],
    y: s.values.map((v) => round3(v)),
    line: { color: PALETTE[i % PALETTE.length], width: 2 },
    hovertemplate: `${s.name}<br>band %{x}: d = %{y:.2f}<extra></extra>`,
  }));
  return themedFigure(data, {
    title: { text: title },
    height: 400,
    xaxis: { title: { text: "mel band (low → high frequency)" } },
    yaxis: { title: { text: "Cohen's d (0 = no difference)" }, zeroline: true, zerolinecolor: "#888888" },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
  });
}
