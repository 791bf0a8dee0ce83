/**
 * Canvas plumbing shared by the views: sharp drawing on high-density screens, plot rectangles,
 * "nice" axis ticks and labelled axes. Sizes are CSS pixels throughout.
 */
import { FONT_FAMILY } from "../src/plots/theme";

/** Text size on every canvas, CSS px: readable from the back of a classroom. */
export const CANVAS_FONT_PX = 17;
export const AXIS_COLOR = "#222222";
export const GRID_COLOR = "#E5E5E5";

/** Where the data goes inside a canvas, CSS px. */
export interface PlotRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A 2D context scaled to CSS pixels, with the canvas's CSS size. */
export interface Surface {
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
}

/**
 * Size the canvas's backing store to its CSS box times the device pixel ratio and return a
 * context that draws in CSS pixels, cleared to white.
 */
export function prepareCanvas(canvas: HTMLCanvasElement): Surface {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth));
  const height = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("this browser cannot draw on a canvas");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#FFFFFF";
  ctx.fillRect(0, 0, width, height);
  ctx.font = font();
  return { ctx, width, height };
}

export function font(sizePx: number = CANVAS_FONT_PX, weight = "normal"): string {
  return `${weight} ${sizePx}px ${FONT_FAMILY}`;
}

/** The plot area left after margins for axis labels (and an optional colour bar on the right). */
export function plotRect(
  surface: Surface,
  margins: { left?: number; right?: number; top?: number; bottom?: number } = {},
): PlotRect {
  const left = margins.left ?? 78;
  const right = margins.right ?? 16;
  const top = margins.top ?? 12;
  const bottom = margins.bottom ?? 58;
  return {
    left,
    top,
    width: Math.max(10, surface.width - left - right),
    height: Math.max(10, surface.height - top - bottom),
  };
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** A tick value as text with no more decimals than the step needs. */
export function formatTick(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs((ticks[1] as number) - (ticks[0] as number)) : 1;
  const decimals = Math.max(0, Math.min(4, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** One axis: its range in data units, its ticks (data units) with labels, and its title (with the unit). */
export interface AxisSpec {
  min: number;
  max: number;
  title: string;
  ticks?: Array<{ value: number; label: string }>;
}

function defaultTicks(axis: AxisSpec, count: number): Array<{ value: number; label: string }> {
  const values = niceTicks(axis.min, axis.max, count);
  return values.map((value) => ({ value, label: formatTick(value, values) }));
}

/** Pixel x of a data value on the x axis. */
export function xToPx(rect: PlotRect, axis: AxisSpec, value: number): number {
  return rect.left + ((value - axis.min) / (axis.max - axis.min || 1)) * rect.width;
}

/** Pixel y of a data value on the y axis (larger values higher up). */
export function yToPx(rect: PlotRect, axis: AxisSpec, value: number): number {
  return rect.top + rect.height - ((value - axis.min) / (axis.max - axis.min || 1)) * rect.height;
}

/**
 * Grid lines, a frame, tick labels and axis titles around `rect`. Call `drawGrid` before the data
 * and `drawFrame` after it, so the data covers the grid and the frame covers the data's edges.
 */
export function drawGrid(surface: Surface, rect: PlotRect, x: AxisSpec, y: AxisSpec): void {
  const { ctx } = surface;
  ctx.save();
  ctx.strokeStyle = GRID_COLOR;
  ctx.lineWidth = 1;
  for (const t of x.ticks ?? defaultTicks(x, Math.max(2, Math.floor(rect.width / 110)))) {
    const px = Math.round(xToPx(rect, x, t.value)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, rect.top);
    ctx.lineTo(px, rect.top + rect.height);
    ctx.stroke();
  }
  for (const t of y.ticks ?? defaultTicks(y, Math.max(2, Math.floor(rect.height / 45)))) {
    const py = Math.round(yToPx(rect, y, t.value)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(rect.left, py);
    ctx.lineTo(rect.left + rect.width, py);
    ctx.stroke();
  }
  ctx.restore();
}

export function drawFrame(surface: Surface, rect: PlotRect, x: AxisSpec, y: AxisSpec): void {
  const { ctx } = surface;
  ctx.save();
  ctx.strokeStyle = AXIS_COLOR;
  ctx.fillStyle = AXIS_COLOR;
  ctx.lineWidth = 1;
  ctx.strokeRect(rect.left + 0.5, rect.top + 0.5, rect.width - 1, rect.height - 1);
  ctx.font = font(CANVAS_FONT_PX - 2);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of x.ticks ?? defaultTicks(x, Math.max(2, Math.floor(rect.width / 110)))) {
    const px = xToPx(rect, x, t.value);
    ctx.beginPath();
    ctx.moveTo(px, rect.top + rect.height);
    ctx.lineTo(px, rect.top + rect.height + 5);
    ctx.stroke();
    ctx.fillText(t.label, px, rect.top + rect.height + 7);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of y.ticks ?? defaultTicks(y, Math.max(2, Math.floor(rect.height / 45)))) {
    const py = yToPx(rect, y, t.value);
    ctx.beginPath();
    ctx.moveTo(rect.left - 5, py);
    ctx.lineTo(rect.left, py);
    ctx.stroke();
    ctx.fillText(t.label, rect.left - 8, py);
  }
  ctx.font = font();
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(x.title, rect.left + rect.width / 2, surface.height - 4);
  ctx.translate(16, rect.top + rect.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(y.title, 0, 0);
  ctx.restore();
}

/**
 * A view drawn on a canvas. Updates call `invalidate()`, which redraws at the next animation
 * frame, so many updates between two frames (a long file's windows) cost one redraw.
 */
export abstract class CanvasView {
  private pending = false;

  /** Draw everything now. */
  abstract redraw(): void;

  protected invalidate(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.redraw();
    });
  }
}

/** A message in the middle of an empty plot. */
export function drawPlaceholder(surface: Surface, text: string): void {
  const { ctx } = surface;
  ctx.save();
  ctx.fillStyle = "#555555";
  ctx.font = font();
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, surface.width / 2, surface.height / 2);
  ctx.restore();
}
