/**
 * The MFCC matrix the model sees for the current window, `[nMfcc][frames]`, as a heat map:
 * coefficient index up, time in the window across, blue below 0 and red above. Coefficient 0
 * (the overall level) is far larger than the others, so the colour range is set by coefficients
 * 1 and up and coefficient 0 is drawn clipped; the caption gives its range.
 */
import type { Matrix } from "../../src/dsp/matrix";
import { CanvasView, drawFrame, drawGrid, drawPlaceholder, plotRect, prepareCanvas, type AxisSpec } from "../canvas";
import { BLUE_WHITE_RED, drawColorBar, lookupTable, lutIndex } from "../colormaps";

const LUT = lookupTable(BLUE_WHITE_RED);

export class MfccView extends CanvasView {
  private features: Matrix | null = null;
  private frameSeconds = 512 / 22050;
  private readonly image = document.createElement("canvas");

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly caption: HTMLElement,
  ) {
    super();
  }

  /**
   * @param features  `[nMfcc][frames]`
   * @param frameSeconds  hop / sample rate, seconds
   * @param title  what the window is, for the caption
   */
  show(features: Matrix, frameSeconds: number, title: string): void {
    this.features = features;
    this.frameSeconds = frameSeconds;
    let c0Min = Infinity;
    let c0Max = -Infinity;
    for (let t = 0; t < features.cols; t++) {
      c0Min = Math.min(c0Min, features.data[t] as number);
      c0Max = Math.max(c0Max, features.data[t] as number);
    }
    this.caption.textContent =
      `MFCC [${features.rows}][${features.cols}] the model sees for ${title}. ` +
      `Coefficient 0 (overall level, ${c0Min.toFixed(0)} to ${c0Max.toFixed(0)}) ` +
      `is beyond the colour range and drawn clipped.`;
    this.canvas.setAttribute(
      "aria-label",
      `MFCC matrix of ${title}: ${features.rows} coefficients against time in seconds.`,
    );
    this.invalidate();
  }

  override redraw(): void {
    const surface = prepareCanvas(this.canvas);
    const rect = plotRect(surface, { right: 120 });
    const m = this.features;
    const x: AxisSpec = { min: 0, max: m === null ? 2.3 : m.cols * this.frameSeconds, title: "time in window (s)" };
    const y: AxisSpec = { min: -0.5, max: (m?.rows ?? 40) - 0.5, title: "MFCC coefficient" };
    drawGrid(surface, rect, x, y);
    if (m === null) {
      drawFrame(surface, rect, x, y);
      drawPlaceholder(surface, "no window classified yet");
      return;
    }
    let limit = 0;
    for (let i = m.cols; i < m.data.length; i++) limit = Math.max(limit, Math.abs(m.data[i] as number));
    if (!(limit > 0)) limit = 1;
    this.image.width = m.cols;
    this.image.height = m.rows;
    const ctx2 = this.image.getContext("2d");
    if (ctx2 === null) return;
    const img = ctx2.createImageData(m.cols, m.rows);
    for (let r = 0; r < m.rows; r++) {
      for (let t = 0; t < m.cols; t++) {
        const li = lutIndex(m.data[r * m.cols + t] as number, -limit, limit);
        const p = ((m.rows - 1 - r) * m.cols + t) * 4;
        img.data[p] = LUT[li] as number;
        img.data[p + 1] = LUT[li + 1] as number;
        img.data[p + 2] = LUT[li + 2] as number;
        img.data[p + 3] = 255;
      }
    }
    ctx2.putImageData(img, 0, 0);
    surface.ctx.imageSmoothingEnabled = false;
    surface.ctx.drawImage(this.image, rect.left, rect.top, rect.width, rect.height);
    drawFrame(surface, rect, x, y);
    drawColorBar(
      surface,
      { left: rect.left + rect.width + 14, top: rect.top, width: 16, height: rect.height },
      LUT,
      -limit,
      limit,
      "MFCC (dB-based)",
    );
  }
}
