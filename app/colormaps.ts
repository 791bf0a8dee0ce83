/**
 * Colour scales for the heat maps, the same ones the notebooks' figures use (src/plots/theme.ts):
 * Viridis for the spectrogram (perceptually uniform, colour-blind safe, readable in greyscale) and
 * ColorBrewer RdBu for signed MFCC values (blue below 0, red above, white at 0).
 */
import { font, type PlotRect, type Surface } from "./canvas";

/** A colour scale: evenly spaced stops from the low end (0) to the high end (1). */
export type ColorScale = ReadonlyArray<readonly [number, number, number]>;

const hex = (h: string): readonly [number, number, number] => [
  parseInt(h.slice(1, 3), 16),
  parseInt(h.slice(3, 5), 16),
  parseInt(h.slice(5, 7), 16),
];

/** matplotlib's viridis at 0, 0.1, ..., 1. */
export const VIRIDIS: ColorScale = [
  "#440154",
  "#482475",
  "#414487",
  "#355F8D",
  "#2A788E",
  "#21918C",
  "#22A884",
  "#44BF70",
  "#7AD151",
  "#BDDF26",
  "#FDE725",
].map(hex);

/** ColorBrewer RdBu (11 classes) reversed: dark blue (low) through white to dark red (high). */
export const BLUE_WHITE_RED: ColorScale = [
  "#053061",
  "#2166AC",
  "#4393C3",
  "#92C5DE",
  "#D1E5F0",
  "#F7F7F7",
  "#FDDBC7",
  "#F4A582",
  "#D6604D",
  "#B2182B",
  "#67001F",
].map(hex);

/** A 256-entry RGBA lookup table of a scale, for filling ImageData quickly. */
export function lookupTable(scale: ColorScale): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  const last = scale.length - 1;
  for (let i = 0; i < 256; i++) {
    const pos = (i / 255) * last;
    const k = Math.min(last - 1, Math.floor(pos));
    const f = pos - k;
    const a = scale[k] as readonly [number, number, number];
    const b = scale[k + 1] as readonly [number, number, number];
    for (let c = 0; c < 3; c++)
      lut[i * 4 + c] = Math.round((a[c] as number) + f * ((b[c] as number) - (a[c] as number)));
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

/** Index into a lookup table for `value` on [min, max] (clipped). */
export function lutIndex(value: number, min: number, max: number): number {
  const t = (value - min) / (max - min || 1);
  return Math.max(0, Math.min(255, Math.round(t * 255))) * 4;
}

/** A vertical colour bar at `rect` with its value axis on the right, titled with the unit. */
export function drawColorBar(
  surface: Surface,
  rect: PlotRect,
  lut: Uint8ClampedArray,
  min: number,
  max: number,
  title: string,
): void {
  const { ctx } = surface;
  for (let y = 0; y < rect.height; y++) {
    const i = Math.round((1 - y / Math.max(1, rect.height - 1)) * 255) * 4;
    ctx.fillStyle = `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
    ctx.fillRect(rect.left, rect.top + y, rect.width, 1);
  }
  ctx.save();
  ctx.strokeStyle = "#222222";
  ctx.strokeRect(rect.left + 0.5, rect.top + 0.5, rect.width - 1, rect.height - 1);
  ctx.restore();
  // value labels on the right of the bar, the title rotated along it
  const axisRect: PlotRect = { left: rect.left + rect.width, top: rect.top, width: 1, height: rect.height };
  ctx.save();
  ctx.font = font(15);
  ctx.fillStyle = "#222222";
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  const steps = 4;
  for (let i = 0; i <= steps; i++) {
    const v = min + ((max - min) * i) / steps;
    const y = axisRect.top + axisRect.height - (axisRect.height * i) / steps;
    ctx.fillText(Math.abs(max - min) >= 20 ? v.toFixed(0) : v.toFixed(1), axisRect.left + 5, y);
  }
  ctx.translate(axisRect.left + 58, rect.top + rect.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.font = font();
  ctx.fillText(title, 0, 0);
  ctx.restore();
}
