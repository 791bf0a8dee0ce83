/**
 * How classes look everywhere on the page: the notebooks' class colours (Okabe-Ito blue for
 * class 0, vermillion for class 1; further classes take the rest of the palette) and a marker
 * shape per class, so a verdict is never told by colour alone.
 */
import { CLASS_COLORS, PALETTE } from "../src/plots/theme";

export function classColor(classIndex: number): string {
  if (classIndex === 0 || classIndex === 1) return CLASS_COLORS[classIndex];
  return PALETTE[(classIndex + 1) % PALETTE.length] as string;
}

/** A filled marker centred on (x, y): circle for class 0, triangle for class 1, then square, diamond. */
export function drawMarker(
  ctx: CanvasRenderingContext2D,
  classIndex: number,
  x: number,
  y: number,
  radius: number,
): void {
  ctx.fillStyle = classColor(classIndex);
  ctx.strokeStyle = "#FFFFFF";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  switch (classIndex % 4) {
    case 0:
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      break;
    case 1:
      ctx.moveTo(x, y - radius * 1.15);
      ctx.lineTo(x + radius * 1.1, y + radius * 0.8);
      ctx.lineTo(x - radius * 1.1, y + radius * 0.8);
      ctx.closePath();
      break;
    case 2:
      ctx.rect(x - radius * 0.85, y - radius * 0.85, radius * 1.7, radius * 1.7);
      break;
    default:
      ctx.moveTo(x, y - radius * 1.2);
      ctx.lineTo(x + radius, y);
      ctx.lineTo(x, y + radius * 1.2);
      ctx.lineTo(x - radius, y);
      ctx.closePath();
  }
  ctx.fill();
  ctx.stroke();
}
