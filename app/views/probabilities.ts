/**
 * The current window's class probabilities as horizontal bars, with the decision threshold marked
 * on the bar of class 1 (the class it decides).
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
  type AxisSpec,
} from "../canvas";
import { classColor } from "../classes";

export class ProbabilityView extends CanvasView {
  private probabilities: number[] | null = null;
  private classNames: string[] = [];
  private threshold: number | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {
    super();
  }

  setModel(classNames: string[], threshold: number | null): void {
    this.classNames = classNames;
    this.threshold = threshold;
    this.probabilities = null;
    this.invalidate();
  }

  show(probabilities: number[]): void {
    this.probabilities = probabilities;
    const parts = probabilities.map((p, k) => `${this.classNames[k] ?? k} ${(100 * p).toFixed(1)} %`);
    this.canvas.setAttribute("aria-label", `Class probabilities of the latest window: ${parts.join(", ")}.`);
    this.invalidate();
  }

  override redraw(): void {
    const surface = prepareCanvas(this.canvas);
    const rect = plotRect(surface, { left: 110, right: 24 });
    const n = Math.max(1, this.classNames.length);
    const x: AxisSpec = {
      min: 0,
      max: 1,
      title: "probability",
      ticks: [0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, label: v.toFixed(2) })),
    };
    const rowHeight = rect.height / n;
    const y: AxisSpec = { min: 0, max: n, title: "", ticks: [] };
    drawGrid(surface, rect, x, y);
    const { ctx } = surface;
    const probs = this.probabilities;
    this.classNames.forEach((name, k) => {
      const top = rect.top + k * rowHeight;
      ctx.fillStyle = "#222222";
      ctx.font = font(CANVAS_FONT_PX, "bold");
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(name, rect.left - 10, top + rowHeight / 2);
      if (probs === null) return;
      const p = probs[k] ?? 0;
      ctx.fillStyle = classColor(k);
      ctx.fillRect(rect.left, top + rowHeight * 0.2, xToPx(rect, x, p) - rect.left, rowHeight * 0.6);
      ctx.fillStyle = "#222222";
      ctx.font = font();
      const text = `${(100 * p).toFixed(1)} %`;
      const end = xToPx(rect, x, p);
      const inside = end - rect.left > 110;
      ctx.textAlign = inside ? "right" : "left";
      ctx.fillStyle = inside ? "#FFFFFF" : "#222222";
      ctx.fillText(text, inside ? end - 8 : end + 8, top + rowHeight / 2);
    });
    if (this.threshold !== null && n === 2) {
      const px = Math.round(xToPx(rect, x, this.threshold)) + 0.5;
      const top = rect.top + rowHeight; // the bar of class 1
      ctx.strokeStyle = "#000000";
      ctx.lineWidth = 3;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(px, top + 2);
      ctx.lineTo(px, top + rowHeight - 2);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1;
      ctx.fillStyle = "#000000";
      ctx.font = font(CANVAS_FONT_PX - 2);
      ctx.textAlign = this.threshold > 0.75 ? "right" : "left";
      ctx.textBaseline = "top";
      ctx.fillText(`threshold ${this.threshold.toFixed(3)}`, px + (this.threshold > 0.75 ? -6 : 6), top + 2);
    }
    drawFrame(surface, rect, x, y);
    if (probs === null) drawPlaceholder(surface, "no window classified yet");
  }
}
