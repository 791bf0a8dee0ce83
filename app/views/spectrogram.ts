/**
 * The scrolling mel spectrogram: the last `spanSeconds` of mel frames, newest on the right,
 * in dB (power re 1) on Viridis, with the frequency axis labelled in Hz at the bands' centres.
 */
import type { Matrix } from "../../src/dsp/matrix";
import { melFrequencies } from "../../src/dsp/mel";
import { powerToDbInPlace } from "../../src/dsp/powerToDb";
import { CanvasView, drawFrame, drawGrid, drawPlaceholder, plotRect, prepareCanvas, type AxisSpec } from "../canvas";
import { drawColorBar, lookupTable, lutIndex, VIRIDIS } from "../colormaps";

/** Colour range below the loudest value seen, dB (librosa's top_db default). */
const RANGE_DB = 80;
const LUT = lookupTable(VIRIDIS);

/** How the frames being appended were computed. */
export interface SpectrogramGeometry {
  /** Time between frames, seconds (hop / rate). */
  frameSeconds: number;
  nMels: number;
  /** Lowest and highest mel band edge, Hz. */
  fMinHz: number;
  fMaxHz: number;
  /** Seconds shown at once. */
  spanSeconds: number;
}

export class SpectrogramView extends CanvasView {
  private geometry: SpectrogramGeometry | null = null;
  /** Ring of dB columns, `[capacity][nMels]`. */
  private columns = new Float32Array(0);
  private capacity = 0;
  /** Frames appended since reset (the newest is frame total − 1). */
  private total = 0;
  private maxDb = -Infinity;
  private readonly image = document.createElement("canvas");

  constructor(private readonly canvas: HTMLCanvasElement) {
    super();
  }

  /** Start a new stream of frames (clears the picture). */
  reset(geometry: SpectrogramGeometry): void {
    this.geometry = geometry;
    this.capacity = Math.max(1, Math.ceil(geometry.spanSeconds / geometry.frameSeconds));
    this.columns = new Float32Array(this.capacity * geometry.nMels);
    this.total = 0;
    this.maxDb = -Infinity;
    this.image.width = this.capacity;
    this.image.height = geometry.nMels;
    this.canvas.setAttribute(
      "aria-label",
      `Mel spectrogram of the last ${geometry.spanSeconds} s: ` +
        `frequency in Hz on a mel scale against time in seconds, colour is power in dB.`,
    );
    this.invalidate();
  }

  /** Append frames of mel power `[nMels][frames]` (converted to dB here) and redraw. */
  append(melPower: Matrix): void {
    const g = this.geometry;
    if (g === null || melPower.cols === 0) return;
    const db = Float32Array.from(melPower.data);
    powerToDbInPlace(db, { topDb: null });
    for (let t = 0; t < melPower.cols; t++) {
      const slot = (this.total % this.capacity) * g.nMels;
      for (let m = 0; m < g.nMels; m++) {
        const v = db[m * melPower.cols + t] as number;
        this.columns[slot + m] = v;
        if (v > this.maxDb) this.maxDb = v;
      }
      this.total++;
    }
    this.invalidate();
  }

  override redraw(): void {
    const surface = prepareCanvas(this.canvas);
    const rect = plotRect(surface, { right: 120 });
    const g = this.geometry;
    const endSeconds = g === null ? 0 : this.total * g.frameSeconds;
    const span = g?.spanSeconds ?? 10;
    const x: AxisSpec = { min: Math.max(0, endSeconds - span), max: Math.max(span, endSeconds), title: "time (s)" };
    const y: AxisSpec = {
      min: -0.5,
      max: (g?.nMels ?? 128) - 0.5,
      title: "frequency (Hz, mel scale)",
      ticks: g === null ? [] : hzTicks(g),
    };
    drawGrid(surface, rect, x, y);
    if (g === null || this.total === 0) {
      drawFrame(surface, rect, x, y);
      drawPlaceholder(surface, "no sound yet");
      return;
    }
    const top = this.maxDb;
    const bottom = top - RANGE_DB;
    const shown = Math.min(this.total, this.capacity);
    const ctx2 = this.image.getContext("2d");
    if (ctx2 === null) return;
    const img = ctx2.createImageData(shown, g.nMels);
    for (let i = 0; i < shown; i++) {
      const frame = this.total - shown + i;
      const slot = (frame % this.capacity) * g.nMels;
      for (let m = 0; m < g.nMels; m++) {
        const li = lutIndex(this.columns[slot + m] as number, bottom, top);
        const p = ((g.nMels - 1 - m) * shown + i) * 4; // low bands at the bottom
        img.data[p] = LUT[li] as number;
        img.data[p + 1] = LUT[li + 1] as number;
        img.data[p + 2] = LUT[li + 2] as number;
        img.data[p + 3] = 255;
      }
    }
    ctx2.putImageData(img, 0, 0);
    // the frames shown occupy [first frame time, end] on the x axis
    const firstSeconds = (this.total - shown) * g.frameSeconds;
    const left = rect.left + ((firstSeconds - x.min) / (x.max - x.min)) * rect.width;
    const right = rect.left + ((endSeconds - x.min) / (x.max - x.min)) * rect.width;
    surface.ctx.imageSmoothingEnabled = false;
    surface.ctx.drawImage(this.image, 0, 0, shown, g.nMels, left, rect.top, Math.max(1, right - left), rect.height);
    drawFrame(surface, rect, x, y);
    drawColorBar(
      surface,
      { left: rect.left + rect.width + 14, top: rect.top, width: 16, height: rect.height },
      LUT,
      bottom,
      top,
      "power (dB)",
    );
  }
}

/** Tick marks at round frequencies, placed by interpolating the bands' centre frequencies. */
function hzTicks(g: SpectrogramGeometry): Array<{ value: number; label: string }> {
  const centres = melFrequencies(g.nMels + 2, g.fMinHz, g.fMaxHz).subarray(1, g.nMels + 1);
  const out: Array<{ value: number; label: string }> = [];
  const label = (hz: number): string => (hz >= 1000 ? `${hz / 1000}k` : String(Math.round(hz)));
  // the plot's bottom edge is the lowest band edge, fMinHz
  out.push({ value: -0.5, label: label(g.fMinHz) });
  for (const hz of [250, 500, 1000, 2000, 4000, 8000, 16000]) {
    if (hz <= (centres[0] as number)) continue;
    if (hz > (centres[g.nMels - 1] as number)) break;
    let k = 0;
    while (k < g.nMels - 1 && (centres[k + 1] as number) < hz) k++;
    const a = centres[k] as number;
    const b = centres[k + 1] as number;
    out.push({ value: k + (hz - a) / (b - a), label: label(hz) });
  }
  return out;
}
