/**
 * The waveform: a whole recording (with the window being classified shaded), or the last seconds
 * of the microphone, drawn as the min/max envelope of the samples under each pixel column.
 */
import {
  CanvasView,
  drawFrame,
  drawGrid,
  drawPlaceholder,
  plotRect,
  prepareCanvas,
  xToPx,
  yToPx,
  type AxisSpec,
} from "../canvas";
import { PALETTE } from "../../src/plots/theme";

/** Columns of the precomputed envelope of a whole recording (more than any screen is wide). */
const ENVELOPE_COLUMNS = 4096;

interface Envelope {
  /** Minimum and maximum sample per column, `[columns]` each, full scale ±1. */
  min: Float32Array;
  max: Float32Array;
  /** Time span covered, seconds. */
  startSeconds: number;
  endSeconds: number;
}

/** Min/max of `samples` in `columns` equal stretches. */
function envelopeOf(samples: Float32Array, columns: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * samples.length) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * samples.length) / columns));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to && i < samples.length; i++) {
      const v = samples[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = Number.isFinite(lo) ? lo : 0;
    max[c] = Number.isFinite(hi) ? hi : 0;
  }
  return { min, max };
}

export class WaveformView extends CanvasView {
  private envelope: Envelope | null = null;
  private highlight: { startSeconds: number; endSeconds: number } | null = null;
  private boundaries: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    super();
  }

  /**
   * Show a whole recording.
   *
   * @param samples  mono, full scale ±1
   * @param rateHz  sample rate, Hz
   * @param windowSeconds  length of the classification windows, for the boundary marks
   */
  showRecording(samples: Float32Array, rateHz: number, windowSeconds: number): void {
    const duration = samples.length / rateHz;
    this.envelope = {
      ...envelopeOf(samples, Math.min(ENVELOPE_COLUMNS, Math.max(1, samples.length))),
      startSeconds: 0,
      endSeconds: duration,
    };
    this.boundaries = [];
    for (let t = windowSeconds; t < duration; t += windowSeconds) this.boundaries.push(t);
    this.highlight = null;
    this.canvas.setAttribute(
      "aria-label",
      `Waveform of a ${duration.toFixed(1)} s recording; amplitude against time in seconds.`,
    );
    this.invalidate();
  }

  /**
   * Show the latest stretch of a live stream.
   *
   * @param samples  the last samples, oldest first
   * @param rateHz  their rate, Hz
   * @param endSeconds  stream time of the last sample, seconds
   */
  showLive(samples: Float32Array, rateHz: number, endSeconds: number): void {
    const columns = Math.max(1, Math.min(this.canvas.clientWidth || 800, samples.length));
    this.envelope = { ...envelopeOf(samples, columns), startSeconds: endSeconds - samples.length / rateHz, endSeconds };
    this.boundaries = [];
    this.highlight = null;
    this.canvas.setAttribute(
      "aria-label",
      `Microphone waveform, the last ${(samples.length / rateHz).toFixed(0)} s; amplitude against time in seconds.`,
    );
    this.invalidate();
  }

  /** Shade the window being classified (seconds in the recording), or clear with null. */
  setHighlight(startSeconds: number | null, endSeconds = 0): void {
    this.highlight = startSeconds === null ? null : { startSeconds, endSeconds };
    this.invalidate();
  }

  override redraw(): void {
    const surface = prepareCanvas(this.canvas);
    const rect = plotRect(surface, { right: 96 });
    const env = this.envelope;
    const x: AxisSpec = {
      min: env?.startSeconds ?? 0,
      max: env === null ? 10 : Math.max(env.endSeconds, env.startSeconds + 1e-3),
      title: "time (s)",
    };
    const y: AxisSpec = {
      min: -1,
      max: 1,
      title: "amplitude (FS)",
      ticks: [-1, -0.5, 0, 0.5, 1].map((v) => ({ value: v, label: v.toFixed(1) })),
    };
    drawGrid(surface, rect, x, y);
    const { ctx } = surface;
    if (env === null) {
      drawFrame(surface, rect, x, y);
      drawPlaceholder(surface, "no sound yet");
      return;
    }
    if (this.highlight !== null) {
      const a = xToPx(rect, x, this.highlight.startSeconds);
      const b = xToPx(rect, x, this.highlight.endSeconds);
      ctx.fillStyle = "rgba(230, 159, 0, 0.25)"; // Okabe-Ito orange, light
      ctx.fillRect(a, rect.top, Math.max(1, b - a), rect.height);
    }
    ctx.strokeStyle = "#777777";
    ctx.setLineDash([4, 4]);
    const spacing = this.boundaries.length > 0 ? ((this.boundaries[0] as number) / (x.max - x.min)) * rect.width : 0;
    for (const t of spacing >= 12 ? this.boundaries : []) {
      const px = Math.round(xToPx(rect, x, t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, rect.top);
      ctx.lineTo(px, rect.top + rect.height);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.fillStyle = PALETTE[0];
    const columns = env.min.length;
    const pixels = Math.max(1, Math.round(rect.width));
    for (let px = 0; px < pixels; px++) {
      const from = Math.floor((px * columns) / pixels);
      const to = Math.max(from + 1, Math.floor(((px + 1) * columns) / pixels));
      let lo = Infinity;
      let hi = -Infinity;
      for (let c = from; c < to && c < columns; c++) {
        lo = Math.min(lo, env.min[c] as number);
        hi = Math.max(hi, env.max[c] as number);
      }
      if (!Number.isFinite(lo)) continue;
      const top = yToPx(rect, y, Math.min(1, hi));
      const bottom = yToPx(rect, y, Math.max(-1, lo));
      ctx.fillRect(rect.left + px, top, 1, Math.max(1, bottom - top));
    }
    drawFrame(surface, rect, x, y);
  }
}
