/**
 * The pipeline's figures, as plotly.js figures in the shared theme. Every builder takes plain
 * numbers (no files, no kernel), so tests can check what a figure shows.
 */
import type { Matrix } from "../dsp/matrix";
import type { ClassificationReport } from "../evaluate/metrics";
import { scoreHistogram } from "../evaluate/thresholds";
import type { Figure, PlotlyTrace } from "./figure";
import { CLASS_COLORS, COUNT_SCALE, DIVERGING_SCALE, PALETTE, SEQUENTIAL_SCALE, themedFigure } from "./theme";

/** Round to `digits` decimals (keeps the figure JSON small). */
function rounded(values: ArrayLike<number>, digits: number): number[] {
  const f = 10 ** digits;
  return Array.from(values, (v) => Math.round(v * f) / f);
}

/** Rows of a matrix as nested arrays `[rows][cols]`, rounded. */
function matrixRows(m: Matrix, digits: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < m.rows; r++) out.push(rounded(m.data.subarray(r * m.cols, (r + 1) * m.cols), digits));
  return out;
}

/** Start time of each frame in seconds: frame i starts at i * hopLength / sampleRateHz. */
export function frameTimesSeconds(frames: number, sampleRateHz: number, hopLength: number): number[] {
  return Array.from({ length: frames }, (_, i) => Math.round(((i * hopLength) / sampleRateHz) * 1000) / 1000);
}

/**
 * Centre frequency of each mel band in Hz, Slaney's mel scale (librosa's default, htk=false)
 * from 0 Hz to `fMaxHz`.
 */
export function melBandCentersHz(nMels: number, fMaxHz: number): number[] {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  const toMel = (hz: number) => (hz < minLogHz ? hz / fSp : minLogMel + Math.log(hz / minLogHz) / logStep);
  const toHz = (mel: number) => (mel < minLogMel ? mel * fSp : minLogHz * Math.exp(logStep * (mel - minLogMel)));
  const top = toMel(fMaxHz);
  return Array.from({ length: nMels }, (_, i) => toHz((top * (i + 1)) / (nMels + 1)));
}

/**
 * Min/max envelope of a long signal: for each of `buckets` equal slices, its minimum and
 * maximum in time order, so a plot of the result looks like the full waveform.
 *
 * @returns  times in seconds and amplitudes, `2 * buckets` points (or the signal itself if shorter)
 */
export function waveformEnvelope(
  samples: Float32Array,
  sampleRateHz: number,
  buckets = 2000,
): { t: number[]; y: number[] } {
  if (samples.length <= 2 * buckets) {
    return { t: Array.from(samples, (_, i) => i / sampleRateHz), y: rounded(samples, 4) };
  }
  const t: number[] = [];
  const y: number[] = [];
  const per = samples.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * per);
    const to = Math.floor((b + 1) * per);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if ((samples[i] as number) < (samples[lo] as number)) lo = i;
      if ((samples[i] as number) > (samples[hi] as number)) hi = i;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) {
      t.push(Math.round((i / sampleRateHz) * 1e5) / 1e5);
      y.push(Math.round((samples[i] as number) * 1e4) / 1e4);
    }
  }
  return { t, y };
}

/**
 * Waveform of a clip: amplitude (full scale = 1) against time in seconds.
 *
 * @param samples  mono signal
 * @param sampleRateHz  Hz
 */
export function waveformFigure(
  samples: Float32Array,
  sampleRateHz: number,
  title: string,
  color: string = PALETTE[0],
): Figure {
  const { t, y } = waveformEnvelope(samples, sampleRateHz);
  return themedFigure(
    [
      {
        type: "scatter",
        mode: "lines",
        x: t,
        y,
        line: { color, width: 1 },
        name: "amplitude",
        hovertemplate: "%{x:.3f} s<br>%{y:.3f}<extra></extra>",
      },
    ],
    {
      title: { text: title },
      height: 300,
      xaxis: { title: { text: "time (s)" } },
      yaxis: { title: { text: "amplitude (full scale = 1)" } },
    },
  );
}

/** A heatmap trace of a mel spectrogram in dB, x in seconds, y = mel band centre in Hz. */
function melTrace(
  melDb: Matrix,
  sampleRateHz: number,
  hopLength: number,
  extra: Record<string, unknown> = {},
): PlotlyTrace {
  return {
    type: "heatmap",
    z: matrixRows(melDb, 1),
    x: frameTimesSeconds(melDb.cols, sampleRateHz, hopLength),
    y: Array.from({ length: melDb.rows }, (_, i) => i),
    colorscale: SEQUENTIAL_SCALE,
    zmin: -80,
    zmax: 0,
    hovertemplate: "%{x:.2f} s, band %{y}<br>%{z:.1f} dB<extra></extra>",
    ...extra,
  };
}

/** Tick positions (band indices) and labels (Hz) for a mel axis. */
function melTicks(nMels: number, sampleRateHz: number): { tickvals: number[]; ticktext: string[] } {
  const centers = melBandCentersHz(nMels, sampleRateHz / 2);
  const wanted = [0, 250, 500, 1000, 2000, 4000, 8000, 16000].filter((hz) => hz < sampleRateHz / 2);
  const tickvals = wanted.map((hz) =>
    centers.reduce((best, c, i) => (Math.abs(c - hz) < Math.abs((centers[best] as number) - hz) ? i : best), 0),
  );
  return { tickvals, ticktext: wanted.map((hz) => (hz >= 1000 ? `${hz / 1000}k` : String(hz))) };
}

/**
 * Mel spectrogram (dB re the clip's peak range, as librosa.power_to_db) against time. The y axis
 * is the mel band, labelled with its centre frequency in Hz: equal steps on this axis are equal
 * steps in perceived pitch.
 *
 * @param melDb  `[nMels][frames]` in dB
 * @param sampleRateHz  Hz
 * @param hopLength  samples between frames
 */
export function melSpectrogramFigure(melDb: Matrix, sampleRateHz: number, hopLength: number, title: string): Figure {
  return themedFigure([melTrace(melDb, sampleRateHz, hopLength, { colorbar: { title: { text: "dB" } } })], {
    title: { text: title },
    xaxis: { title: { text: "time (s)" }, showgrid: false },
    yaxis: { title: { text: "frequency (Hz, mel scale)" }, showgrid: false, ...melTicks(melDb.rows, sampleRateHz) },
  });
}

/** One panel of a grid of spectrograms. */
export interface SpectrogramPanel {
  /** Panel title, e.g. the augmentation's name. */
  name: string;
  /** `[nMels][frames]` in dB. */
  melDb: Matrix;
}

/**
 * Spectrograms side by side on one colour scale (-80 to 0 dB), `columns` per row: the
 * augmentation gallery. Panels share their axes' units: time in seconds, mel bands in Hz.
 */
export function spectrogramGridFigure(
  panels: SpectrogramPanel[],
  sampleRateHz: number,
  hopLength: number,
  title: string,
  columns = 5,
): Figure {
  const rows = Math.ceil(panels.length / columns);
  const gapX = 0.03;
  const gapY = 0.1;
  const w = (1 - gapX * (columns - 1)) / columns;
  const h = (1 - gapY * (rows - 1)) / rows;
  const layout: Record<string, unknown> = {
    title: { text: title },
    width: 1000,
    height: 240 * rows + 80,
    margin: { l: 70, r: 80, t: 70, b: 50 },
    annotations: [] as unknown[],
  };
  const annotations = layout["annotations"] as unknown[];
  const data: PlotlyTrace[] = panels.map((p, i) => {
    const r = Math.floor(i / columns);
    const c = i % columns;
    const n = i === 0 ? "" : String(i + 1);
    const x0 = c * (w + gapX);
    const y1 = 1 - r * (h + gapY);
    const ticks = melTicks(p.melDb.rows, sampleRateHz);
    layout[`xaxis${n}`] = {
      domain: [x0, x0 + w],
      anchor: `y${n}`,
      showgrid: false,
      title: { text: r === rows - 1 ? "time (s)" : "" },
    };
    layout[`yaxis${n}`] = {
      domain: [y1 - h, y1],
      anchor: `x${n}`,
      showgrid: false,
      ...ticks,
      showticklabels: c === 0,
      title: { text: c === 0 ? "Hz (mel)" : "" },
    };
    annotations.push({
      text: `<b>${p.name}</b>`,
      x: x0 + w / 2,
      y: y1,
      xref: "paper",
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 13 },
    });
    return melTrace(p.melDb, sampleRateHz, hopLength, {
      xaxis: `x${n}`,
      yaxis: `y${n}`,
      name: p.name,
      showscale: i === 0,
      colorbar: { title: { text: "dB" }, len: 0.9 },
    });
  });
  return themedFigure(data, layout);
}

/**
 * MFCC matrices side by side on one diverging colour scale centred on 0: coefficient index
 * (0 = overall loudness, higher = finer spectral shape) against time in seconds.
 *
 * @param panels  `[nMfcc][frames]` each, with a title
 */
export function mfccFigure(
  panels: Array<{ name: string; mfcc: Matrix }>,
  sampleRateHz: number,
  hopLength: number,
  title: string,
): Figure {
  const n = panels.length;
  const gap = 0.06;
  const w = (1 - gap * (n - 1)) / n;
  // coefficient 0 (loudness) is far larger than the rest: scale the colours to the 99th
  // percentile of |value| over coefficients 1.., so the spectral shape stays visible
  const magnitudes: number[] = [];
  for (const p of panels)
    for (let i = p.mfcc.cols; i < p.mfcc.data.length; i++) magnitudes.push(Math.abs(p.mfcc.data[i] as number));
  magnitudes.sort((a, b) => a - b);
  const peak = Math.max(1e-6, magnitudes[Math.floor(0.99 * (magnitudes.length - 1))] ?? 1);
  const layout: Record<string, unknown> = {
    title: { text: title },
    width: Math.max(720, 420 * n),
    height: 380,
    annotations: [] as unknown[],
  };
  const annotations = layout["annotations"] as unknown[];
  const data: PlotlyTrace[] = panels.map((p, i) => {
    const s = i === 0 ? "" : String(i + 1);
    layout[`xaxis${s}`] = {
      domain: [i * (w + gap), i * (w + gap) + w],
      anchor: `y${s}`,
      showgrid: false,
      title: { text: "time (s)" },
    };
    layout[`yaxis${s}`] = { anchor: `x${s}`, showgrid: false, title: { text: i === 0 ? "MFCC coefficient" : "" } };
    annotations.push({
      text: `<b>${p.name}</b>`,
      x: i * (w + gap) + w / 2,
      y: 1,
      xref: "paper",
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
    });
    return {
      type: "heatmap",
      z: matrixRows(p.mfcc, 2),
      x: frameTimesSeconds(p.mfcc.cols, sampleRateHz, hopLength),
      y: Array.from({ length: p.mfcc.rows }, (_, k) => k),
      xaxis: `x${s}`,
      yaxis: `y${s}`,
      name: p.name,
      colorscale: DIVERGING_SCALE,
      reversescale: true,
      zmin: -peak,
      zmax: peak,
      zmid: 0,
      showscale: i === n - 1,
      colorbar: { title: { text: "value" } },
      hovertemplate: "%{x:.2f} s, coefficient %{y}<br>%{z:.2f}<extra></extra>",
    };
  });
  return themedFigure(data, layout);
}

/** Per-class bars. `series` maps a series name to one value per class. */
function classBars(
  classNames: readonly string[],
  series: Array<{ name: string; values: number[]; color?: string; pattern?: string }>,
  title: string,
  yTitle: string,
  extra: Record<string, unknown> = {},
): Figure {
  return themedFigure(
    series.map((s, i) => ({
      type: "bar",
      name: s.name,
      x: [...classNames],
      y: s.values,
      text: s.values.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(2))),
      textposition: "outside",
      cliponaxis: false,
      marker: {
        color: s.color ?? PALETTE[i % PALETTE.length],
        line: { color: "#222222", width: 1 },
        ...(s.pattern ? { pattern: { shape: s.pattern } } : {}),
      },
    })),
    {
      title: { text: title },
      barmode: "group",
      height: 380,
      xaxis: { title: { text: "class" }, showgrid: false },
      yaxis: { title: { text: yTitle }, rangemode: "tozero" },
      ...extra,
    },
  );
}

/**
 * Recordings and clips per class: how many raw recordings each class has, and how many
 * training clips cleaning made of them.
 */
export function classCountsFigure(
  classNames: readonly string[],
  recordings: number[],
  clips: number[],
  title = "Recordings and clips per class",
): Figure {
  return classBars(
    classNames,
    [
      { name: "raw recordings", values: recordings, color: PALETTE[5] },
      { name: "clips after cleaning", values: clips, color: PALETTE[0] },
    ],
    title,
    "count",
  );
}

/**
 * Distribution of recording durations per class (one box per class, every recording a point).
 *
 * @param durationsSeconds  per class, the duration of each recording in seconds
 */
export function durationsFigure(
  classNames: readonly string[],
  durationsSeconds: number[][],
  title = "Recording durations",
): Figure {
  return themedFigure(
    classNames.map((name, i) => ({
      type: "box",
      name,
      y: rounded(durationsSeconds[i] ?? [], 3),
      boxpoints: "all",
      jitter: 0.4,
      pointpos: 0,
      marker: { color: CLASS_COLORS[i] ?? PALETTE[i], size: 6 },
      line: { color: CLASS_COLORS[i] ?? PALETTE[i] },
    })),
    {
      title: { text: title },
      height: 380,
      showlegend: false,
      xaxis: { title: { text: "class" }, showgrid: false },
      yaxis: { title: { text: "duration (s)" }, rangemode: "tozero" },
    },
  );
}

/** Rows per class in the training and the test split, side by side. */
export function splitBalanceFigure(
  classNames: readonly string[],
  trainCounts: number[],
  testCounts: number[],
  title = "Class balance per split",
): Figure {
  return classBars(
    classNames,
    [
      { name: "train", values: trainCounts, color: PALETTE[0] },
      { name: "test", values: testCounts, color: PALETTE[3], pattern: "/" },
    ],
    title,
    "rows (clips)",
  );
}

/** Loss curves to plot: one value per epoch (index 0 = epoch 1). */
export interface LossCurves {
  loss: number[];
  valLoss?: number[];
  /** Total epochs planned; the x axis spans 1..epochs while training is still running. */
  epochs?: number;
}

/**
 * Training loss (and validation loss, if any) against epoch. Loss is mean softmax cross-entropy
 * in nats: ln 2 ≈ 0.693 is what guessing between two classes scores.
 */
export function lossCurveFigure(curves: LossCurves, title = "Training loss"): Figure {
  const epochsOf = (v: number[]) => v.map((_, i) => i + 1);
  const data: PlotlyTrace[] = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: "training loss",
      x: epochsOf(curves.loss),
      y: rounded(curves.loss, 5),
      line: { color: PALETTE[0], width: 2 },
      marker: { size: 4 },
    },
  ];
  if (curves.valLoss && curves.valLoss.length > 0) {
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: "validation loss",
      x: epochsOf(curves.valLoss),
      y: rounded(curves.valLoss, 5),
      line: { color: PALETTE[1], width: 2, dash: "dash" },
      marker: { size: 4, symbol: "square" },
    });
  }
  const last = Math.max(curves.epochs ?? 0, curves.loss.length, 1);
  return themedFigure(data, {
    title: { text: title },
    height: 380,
    xaxis: { title: { text: "epoch" }, range: [0.5, last + 0.5] },
    yaxis: { title: { text: "cross-entropy loss (nats)" }, rangemode: "tozero" },
    legend: { x: 0.98, xanchor: "right", y: 0.98 },
    shapes: [
      {
        type: "line",
        xref: "paper",
        x0: 0,
        x1: 1,
        y0: Math.LN2,
        y1: Math.LN2,
        line: { color: "#888888", width: 1, dash: "dot" },
      },
    ],
    annotations: [
      {
        text: "chance (ln 2)",
        xref: "paper",
        x: 0.01,
        xanchor: "left",
        y: Math.LN2,
        yanchor: "bottom",
        showarrow: false,
        font: { size: 11, color: "#555555" },
      },
    ],
  });
}

/**
 * The confusion matrix as an annotated heatmap: rows are the true class, columns the predicted
 * class; each cell shows its count and the share of its row (the class's recall on the
 * diagonal).
 */
export function confusionMatrixFigure(
  confusion: number[][],
  classNames: readonly string[],
  title = "Confusion matrix (test set)",
): Figure {
  const n = classNames.length;
  const max = Math.max(1, ...confusion.flat());
  const annotations: unknown[] = [];
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const share = total > 0 ? (100 * count) / total : 0;
      annotations.push({
        x: classNames[j],
        y: classNames[i],
        xref: "x",
        yref: "y",
        text: `<b>${count}</b><br>${share.toFixed(0)} % of row`,
        showarrow: false,
        font: { size: 16, color: count / max > 0.5 ? "#FFFFFF" : "#111111" },
      });
    });
  });
  return themedFigure(
    [
      {
        type: "heatmap",
        z: confusion,
        x: [...classNames],
        y: [...classNames],
        colorscale: COUNT_SCALE,
        zmin: 0,
        zmax: max,
        xgap: 2,
        ygap: 2,
        colorbar: { title: { text: "clips" } },
        hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
      },
    ],
    {
      title: { text: title },
      width: 520,
      height: 460,
      annotations,
      xaxis: { title: { text: "predicted class" }, showgrid: false, side: "bottom", type: "category" },
      yaxis: { title: { text: "true class" }, showgrid: false, autorange: "reversed", type: "category" },
      meta: { classes: n },
    },
  );
}

/** Precision, recall and F1 per class, bars in [0, 1]. */
export function perClassMetricsFigure(report: ClassificationReport, title = "Per-class metrics (test set)"): Figure {
  const pick = (k: "precision" | "recall" | "f1") => report.perClass.map((m) => Math.round(m[k] * 1000) / 1000);
  return classBars(
    report.classNames,
    [
      { name: "precision", values: pick("precision"), color: PALETTE[0] },
      { name: "recall", values: pick("recall"), color: PALETTE[3], pattern: "/" },
      { name: "F1", values: pick("f1"), color: PALETTE[2], pattern: "." },
    ],
    title,
    "score (0 to 1)",
    {
      yaxis: { title: { text: "score (0 to 1)" }, range: [0, 1.15] },
      margin: { t: 90 },
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
    },
  );
}

// ---- evaluation beyond accuracy: scores, thresholds, comparisons ----

/** One ROC curve to draw (from rocCurve), with its areas for the legend. */
export interface RocCurveSeries {
  name: string;
  /** False-positive rate, 0..1. */
  fpr: number[];
  /** True-positive rate, 0..1. */
  tpr: number[];
  /** Area under the whole curve. */
  auc: number;
  /** Partial AUC up to maxFpr, whichever convention the caller states in the title (see partialRocAuc). */
  pAuc?: number;
}

/**
 * ROC curves: true-positive rate (broken clips caught) against false-positive rate (normal
 * clips flagged), one line per model, the chance diagonal, and the region FPR <= maxFpr shaded
 * (where the partial AUC is measured; DCASE uses 0.1).
 */
export function rocFigure(curves: RocCurveSeries[], maxFpr = 0.1, title = "ROC curve (test set)"): Figure {
  const data: PlotlyTrace[] = curves.map((c, i) => ({
    type: "scatter",
    mode: "lines",
    name: `${c.name} (AUC ${c.auc.toFixed(3)}${c.pAuc === undefined ? "" : `, pAUC ${c.pAuc.toFixed(3)}`})`,
    x: rounded(c.fpr, 5),
    y: rounded(c.tpr, 5),
    line: {
      color: PALETTE[i % PALETTE.length],
      width: 2,
      dash: i === 0 ? "solid" : ["dash", "dot", "dashdot"][(i - 1) % 3],
    },
    hovertemplate: "FPR %{x:.3f}, TPR %{y:.3f}<extra>" + c.name.replace(/[<>]/g, "") + "</extra>",
  }));
  data.push({
    type: "scatter",
    mode: "lines",
    name: "chance (AUC 0.5)",
    x: [0, 1],
    y: [0, 1],
    line: { color: "#888888", width: 1, dash: "dot" },
    hoverinfo: "skip",
  });
  return themedFigure(data, {
    title: { text: title },
    width: 600,
    height: 560,
    xaxis: {
      title: { text: "false-positive rate (share of normal clips flagged)" },
      range: [-0.01, 1.01],
      constrain: "domain",
    },
    yaxis: {
      title: { text: "true-positive rate (share of broken clips caught)" },
      range: [-0.01, 1.01],
      scaleanchor: "x",
      scaleratio: 1,
      constrain: "domain",
    },
    legend: { x: 0.98, xanchor: "right", y: 0.02, yanchor: "bottom" },
    shapes: [
      {
        type: "rect",
        xref: "x",
        yref: "y",
        x0: 0,
        x1: maxFpr,
        y0: 0,
        y1: 1,
        fillcolor: "rgba(0,0,0,0.07)",
        line: { width: 0 },
        layer: "below",
      },
    ],
    annotations: [
      {
        text: `pAUC region<br>FPR ≤ ${maxFpr}`,
        xref: "x",
        yref: "y",
        x: maxFpr,
        y: 0.5,
        xanchor: "left",
        showarrow: false,
        font: { size: 11, color: "#555555" },
      },
    ],
  });
}

/** One precision-recall curve to draw (from precisionRecallCurve). */
export interface PrecisionRecallSeries {
  name: string;
  precision: number[];
  recall: number[];
  averagePrecision: number;
}

/**
 * Precision-recall curves of the positive class (broken), drawn as steps (as scikit-learn's
 * PrecisionRecallDisplay), with the chance level: a score that ranks at random has precision
 * equal to the share of broken clips, `positiveRate`.
 */
export function precisionRecallFigure(
  curves: PrecisionRecallSeries[],
  positiveRate?: number,
  title = "Precision-recall curve (test set)",
): Figure {
  const data: PlotlyTrace[] = curves.map((c, i) => ({
    type: "scatter",
    mode: "lines",
    name: `${c.name} (AP ${c.averagePrecision.toFixed(3)})`,
    x: rounded(c.recall, 5),
    y: rounded(c.precision, 5),
    line: {
      color: PALETTE[i % PALETTE.length],
      width: 2,
      shape: "hv",
      dash: i === 0 ? "solid" : ["dash", "dot", "dashdot"][(i - 1) % 3],
    },
    hovertemplate: "recall %{x:.3f}, precision %{y:.3f}<extra>" + c.name.replace(/[<>]/g, "") + "</extra>",
  }));
  if (positiveRate !== undefined) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: `chance (share broken = ${positiveRate.toFixed(3)})`,
      x: [0, 1],
      y: [positiveRate, positiveRate],
      line: { color: "#888888", width: 1, dash: "dot" },
      hoverinfo: "skip",
    });
  }
  return themedFigure(data, {
    title: { text: title },
    width: 600,
    height: 520,
    xaxis: { title: { text: "recall (share of broken clips caught)" }, range: [-0.01, 1.01] },
    yaxis: { title: { text: "precision (share of flagged clips that are broken)" }, range: [0, 1.04] },
    legend: { x: 0.02, xanchor: "left", y: 0.02, yanchor: "bottom" },
  });
}

/**
 * Histogram of the scores of each class on shared bins, overlaid (class 1 hatched so the two
 * stay apart in greyscale), with the decision threshold as a labelled vertical line: clips to
 * its right are flagged as class 1.
 *
 * @param labels  class per clip (index into classNames)
 * @param scoreName  what the score is, with its unit, for the x axis (e.g. "P(broken)")
 * @param bins  number of equal-width bins over the range of the scores
 */
export function scoreHistogramFigure(
  scores: number[],
  labels: number[],
  classNames: readonly string[],
  threshold: number,
  scoreName: string,
  title = "Scores per class (test set)",
  bins = 30,
): Figure {
  const { edges, counts } = scoreHistogram(scores, labels, bins);
  const centres = edges.slice(0, -1).map((e, b) => (e + (edges[b + 1] as number)) / 2);
  const width = (edges[1] as number) - (edges[0] as number);
  const data: PlotlyTrace[] = classNames.map((name, c) => ({
    type: "bar",
    name: `${name} (${(counts[c] ?? []).reduce((a, b) => a + b, 0)} clips)`,
    x: centres,
    y: counts[c] ?? new Array<number>(bins).fill(0),
    width,
    opacity: 0.65,
    marker: {
      color: CLASS_COLORS[c] ?? PALETTE[c % PALETTE.length],
      line: { color: "#222222", width: 0.5 },
      ...(c === 1 ? { pattern: { shape: "/" } } : {}),
    },
    hovertemplate: `${name.replace(/[<>]/g, "")}: %{y} clips<extra></extra>`,
  }));
  return themedFigure(data, {
    title: { text: title },
    height: 400,
    barmode: "overlay",
    bargap: 0,
    xaxis: { title: { text: scoreName } },
    yaxis: { title: { text: "clips" }, rangemode: "tozero" },
    margin: { t: 90 },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
    shapes: [
      {
        type: "line",
        xref: "x",
        yref: "paper",
        x0: threshold,
        x1: threshold,
        y0: 0,
        y1: 1,
        line: { color: "#000000", width: 2, dash: "dash" },
      },
    ],
    annotations: [
      {
        text: `threshold ${Number(threshold.toPrecision(4))}`,
        xref: "x",
        yref: "paper",
        x: threshold,
        y: 1,
        xanchor: "left",
        yanchor: "top",
        showarrow: false,
        font: { size: 12 },
      },
    ],
  });
}

/** One model or setup in a metrics comparison: metric name -> value, and optionally its sd. */
export interface MetricsRow {
  name: string;
  metrics: Record<string, number>;
  /** Standard deviation of each metric (e.g. over cross-validation folds), drawn as error bars. */
  sd?: Record<string, number>;
}

/**
 * Metrics of several models or setups side by side: one group of bars per metric, one bar per
 * row, error bars of ± sd where given (values are then on hover, not printed on the bars). The y
 * axis runs 0 to 1 when every value is a rate.
 */
export function metricsComparisonFigure(rows: MetricsRow[], metricNames: string[], title = "Metrics compared"): Figure {
  const allRates = rows.every((r) =>
    metricNames.every((m) => {
      const v = r.metrics[m];
      return v === undefined || Number.isNaN(v) || (v >= 0 && v <= 1);
    }),
  );
  // value labels on the bars would collide with error bars: with any sd, values show on hover only
  const labelled = rows.every((r) => r.sd === undefined);
  const data: PlotlyTrace[] = rows.map((r, i) => {
    const y = metricNames.map((m) => r.metrics[m] ?? Number.NaN);
    const sd = metricNames.map((m) => r.sd?.[m]);
    const trace: PlotlyTrace = {
      type: "bar",
      name: r.name,
      x: [...metricNames],
      y: rounded(y, 4),
      ...(labelled
        ? {
            text: y.map((v) => (Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(2) : "")),
            textposition: "outside",
            cliponaxis: false,
          }
        : {}),
      customdata: sd.map((v) => (v === undefined ? "" : ` ± ${v.toFixed(3)}`)),
      hovertemplate: `${r.name.replace(/[<>]/g, "")}<br>%{x}: %{y:.3f}%{customdata}<extra></extra>`,
      marker: {
        color: PALETTE[i % PALETTE.length],
        line: { color: "#222222", width: 1 },
        ...(i % 3 === 1 ? { pattern: { shape: "/" } } : i % 3 === 2 ? { pattern: { shape: "." } } : {}),
      },
    };
    if (r.sd)
      trace["error_y"] = {
        type: "data",
        array: rounded(
          sd.map((v) => v ?? 0),
          4,
        ),
        visible: true,
        color: "#222222",
        thickness: 1.2,
        width: 4,
      };
    return trace;
  });
  return themedFigure(data, {
    title: { text: title },
    height: 420,
    barmode: "group",
    xaxis: { title: { text: "metric" }, showgrid: false, type: "category" },
    yaxis: {
      title: { text: allRates ? "score (0 to 1)" : "value" },
      ...(allRates ? { range: [0, 1.15] } : { rangemode: "tozero" }),
    },
    margin: { t: 90 },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
  });
}
