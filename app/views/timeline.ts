/**
 * The timeline of a recording or live stream: the probability of class 1 for every window
 * against the window's centre time, the threshold as a dashed line, each point coloured and
 * shaped by its verdict (circle, triangle, square... so colour is never the only cue).
 */
import {
  CanvasView,
  CANVAS_FONT_PX,
  drawFrame,
  drawGrid,
  drawPlaceholder,
  font,
  plotRect,
  prepareCanvas,
  xToPx,
  yToPx,
  type AxisSpec,
} from "../canvas";
import { drawMarker } from "../classes";

export interface TimelinePoint {
  /** Window centre, seconds. */
  seconds: number;
  /** Probability of class 1. */
  score: number;
  /** Decided class. */
  classIndex: number;
}

export class TimelineView extends CanvasView {
  private points: TimelinePoint[] = [];
  private classNames: string[] = ["class 0", "class 1"];
  private threshold: number | null = null;
  private durationSeconds = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    super();
  }

  setModel(classNames: string[], threshold: number | null): void {
    this.classNames = classNames;
    this.threshold = threshold;
    this.invalidate();
  }

  /** Start a new recording or stream of `durationSeconds` (0 when it is live and open-ended). */
  reset(durationSeconds: number): void {
    this.points = [];
    this.durationSeconds = durationSeconds;
    this.invalidate();
  }

  add(point: TimelinePoint): void {
    this.points.push(point);
    const name = this.classNames[1] ?? "class 1";
    const recent = this.points.slice(-5).map((p) => `${p.seconds.toFixed(1)} s: ${p.score.toFixed(2)}`);
    this.canvas.setAttribute(
      "aria-label",
      `Timeline of P(${name}) for ${this.points.length} windows; latest ${recent.join(", ")}.`,
    );
    this.invalidate();
  }

  override redraw(): void {
    const surface = prepareCanvas(this.canvas);
    const rect = plotRect(surface, { right: 24, top: 40 });
    const last = this.points.length > 0 ? (this.points[this.points.length - 1] as TimelinePoint).seconds : 0;
    const x: AxisSpec = {
      min: 0,
      max: Math.max(this.durationSeconds, last + 1.5, 3),
      title: "time (s), window centre",
    };
    const y: AxisSpec = {
      min: -0.04,
      max: 1.04,
      title: `P(${this.classNames[1] ?? "class 1"})`,
      ticks: [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, label: v.toFixed(2) })),
    };
    drawGrid(surface, rect, x, y);
    const { ctx } = surface;
    const threshold = this.threshold ?? 0.5;
    const ty = Math.round(yToPx(rect, y, threshold)) + 0.5;
    ctx.strokeStyle = "#000000";
    ctx.lineWidth = 2;
    ctx.setLineDash([8, 5]);
    ctx.beginPath();
    ctx.moveTo(rect.left, ty);
    ctx.lineTo(rect.left + rect.width, ty);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#000000";
    ctx.font = font(CANVAS_FONT_PX - 2);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(
      this.threshold === null ? "0.5 (larger probability wins)" : `threshold ${threshold.toFixed(3)}`,
      rect.left + rect.width - 6,
      ty - 3,
    );
    if (this.points.length > 1) {
      ctx.strokeStyle = "#999999";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      this.points.forEach((p, i) =>
        i === 0
          ? ctx.moveTo(xToPx(rect, x, p.seconds), yToPx(rect, y, p.score))
          : ctx.lineTo(xToPx(rect, x, p.seconds), yToPx(rect, y, p.score)),
      );
      ctx.stroke();
    }
    const size = this.points.length > 100 ? 4 : this.points.length > 30 ? 6 : 8;
    for (const p of this.points)
      drawMarker(ctx, p.classIndex, xToPx(rect, x, p.seconds), yToPx(rect, y, p.score), size);
    ctx.lineWidth = 1;
    drawFrame(surface, rect, x, y);
    this.drawLegend(surface.ctx, rect.left, 6);
    if (this.points.length === 0) drawPlaceholder(surface, "windows appear here as they are classified");
  }

  private drawLegend(ctx: CanvasRenderingContext2D, left: number, top: number): void {
    ctx.font = font(CANVAS_FONT_PX - 1);
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    let x = left + 10;
    this.classNames.forEach((name, k) => {
      drawMarker(ctx, k, x, top + 13, 8);
      ctx.fillStyle = "#222222";
      ctx.fillText(`verdict ${name}`, x + 14, top + 13);
      x += ctx.measureText(`verdict ${name}`).width + 44;
    });
  }
}
