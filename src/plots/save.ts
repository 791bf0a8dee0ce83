/**
 * Figures to files for a thesis: SVG (vector), PNG (raster at print scale) and PDF (vector, fonts
 * embedded), drawn by plotly.js in a headless Chromium that is already installed: no browser is
 * downloaded. Chromium is found by {@link findChromium}.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { SoundcheckError } from "../errors";
import { plotlySource } from "./plotlySource";
import { type Figure, figureSize } from "./figure";

/** File formats {@link saveFigure} writes. */
export type FigureFormat = "svg" | "png" | "pdf";

/** Options of {@link saveFigure}. */
export interface SaveFigureOptions {
  /** Formats to write (default all three). */
  formats?: FigureFormat[];
  /**
   * PNG pixels per CSS pixel (default 4: a 720 px wide figure becomes 2880 px, 300 dpi at
   * 24 cm). SVG and PDF are vector and ignore it.
   */
  pngScale?: number;
  /** Chromium or Chrome binary (default: {@link findChromium}). */
  executablePath?: string;
}

/** Chromium could not be found or started. */
export class BrowserNotFoundError extends SoundcheckError {}

const CANDIDATES: Record<string, string[]> = {
  linux: [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
  ],
  darwin: [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
  ],
  win32: [
    join(process.env["PROGRAMFILES"] ?? "C:\\Program Files", "Google", "Chrome", "Application", "chrome.exe"),
    join(
      process.env["PROGRAMFILES(X86)"] ?? "C:\\Program Files (x86)",
      "Google",
      "Chrome",
      "Application",
      "chrome.exe",
    ),
    join(process.env["LOCALAPPDATA"] ?? "", "Google", "Chrome", "Application", "chrome.exe"),
    join(
      process.env["PROGRAMFILES(X86)"] ?? "C:\\Program Files (x86)",
      "Microsoft",
      "Edge",
      "Application",
      "msedge.exe",
    ),
  ],
};

/**
 * The Chromium-family browser to draw with: `$SOUNDCHECK_CHROMIUM` or `$CHROME_PATH` if set,
 * else the first installed of Debian's chromium, Google Chrome, Chromium, Edge in their usual
 * places; null if none.
 */
export function findChromium(): string | null {
  for (const env of ["SOUNDCHECK_CHROMIUM", "CHROME_PATH"]) {
    const p = process.env[env];
    if (p) return p;
  }
  return (CANDIDATES[process.platform] ?? []).find((p) => existsSync(p)) ?? null;
}

/** Flags for a quiet, offline, throw-away headless browser. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Start headless Chromium through playwright-core (which manages a fresh profile folder). */
export async function launchChromium(executablePath: string | null = findChromium()): Promise<Browser> {
  if (executablePath === null) {
    throw new BrowserNotFoundError(
      "chromium",
      "no Chromium or Chrome found",
      "install Chromium (Debian: apt install chromium) or Chrome, or set SOUNDCHECK_CHROMIUM to its binary",
    );
  }
  const { chromium } = await import("playwright-core");
  try {
    return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  } catch (err) {
    throw new BrowserNotFoundError(
      executablePath,
      `could not start it: ${(err as Error).message.split("\n")[0]}`,
      "check that it runs (e.g. --version), or set SOUNDCHECK_CHROMIUM to another Chromium or Chrome",
    );
  }
}

/**
 * Draws figures to files with one browser; use it for many figures, then `close()`.
 * {@link saveFigure} is the one-figure shortcut.
 */
export class FigureRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  /** Start the browser and load plotly.js into a blank page. */
  static async launch(executablePath?: string): Promise<FigureRenderer> {
    const browser = await launchChromium(executablePath ?? findChromium());
    try {
      const page = await browser.newPage();
      await page.setContent(
        '<!DOCTYPE html><html><head><meta charset="utf-8">' +
          "<style>html,body{margin:0;padding:0;background:#fff}</style>" +
          '</head><body><div id="fig"></div></body></html>',
      );
      await page.addScriptTag({ content: plotlySource() });
      return new FigureRenderer(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** Draw `fig` on the page (static, no mode bar), sized as the figure; returns its size in CSS pixels. */
  private async draw(fig: Figure): Promise<{ width: number; height: number }> {
    const { width, height } = figureSize(fig);
    await this.page.setViewportSize({ width, height });
    await this.page.evaluate(
      async ({ data, layout }) => {
        const w = window as unknown as {
          Plotly: { newPlot(el: string, d: unknown, l: unknown, c: unknown): Promise<unknown> };
        };
        await w.Plotly.newPlot("fig", data, layout, { staticPlot: true, displayModeBar: false });
        await document.fonts.ready;
      },
      { data: fig.data, layout: { ...fig.layout, width, height } },
    );
    return { width, height };
  }

  /** The drawn figure as SVG or PNG bytes (plotly.js `toImage`); PNG at `scale` pixels per CSS pixel. */
  private async exportImage(format: "svg" | "png", width: number, height: number, scale: number): Promise<Buffer> {
    const url = await this.page.evaluate(
      async ({ format, width, height, scale }) => {
        const w = window as unknown as { Plotly: { toImage(el: string, o: unknown): Promise<string> } };
        return w.Plotly.toImage("fig", { format, width, height, scale: format === "png" ? scale : 1 });
      },
      { format, width, height, scale },
    );
    const comma = url.indexOf(",");
    const payload = url.slice(comma + 1);
    return url.slice(0, comma).endsWith(";base64")
      ? Buffer.from(payload, "base64")
      : Buffer.from(decodeURIComponent(payload), "utf8");
  }

  /**
   * `fig` as an image in memory: SVG (UTF-8 bytes) or PNG at `scale` pixels per CSS pixel
   * (default 1). The page and browser stay open, so many figures cost one browser start.
   */
  async image(fig: Figure, format: "svg" | "png", scale = 1): Promise<Buffer> {
    const { width, height } = await this.draw(fig);
    return this.exportImage(format, width, height, scale);
  }

  /**
   * Write `fig` as `<base>.svg`, `<base>.png` and `<base>.pdf` (those in `options.formats`);
   * `path` may end in one of these extensions or none.
   *
   * @returns  the files written
   */
  async save(fig: Figure, path: string, options: SaveFigureOptions = {}): Promise<string[]> {
    const formats = options.formats ?? ["svg", "png", "pdf"];
    const scale = options.pngScale ?? 4;
    const base = [".svg", ".png", ".pdf"].includes(extname(path).toLowerCase()) ? path.slice(0, -4) : path;
    const { width, height } = await this.draw(fig);
    mkdirSync(dirname(base) || ".", { recursive: true });
    const written: string[] = [];
    for (const format of formats) {
      const file = `${base}.${format}`;
      if (format === "pdf") {
        writeFileSync(
          file,
          await this.page.pdf({
            width: `${width}px`,
            height: `${height}px`,
            printBackground: true,
            margin: { top: "0", right: "0", bottom: "0", left: "0" },
            pageRanges: "1",
          }),
        );
      } else {
        writeFileSync(file, await this.exportImage(format, width, height, scale));
      }
      written.push(file);
    }
    return written;
  }

  /** Close the browser. */
  async close(): Promise<void> {
    await this.browser.close();
  }
}

/**
 * Save a figure for print: `<base>.svg`, `<base>.png` (at `pngScale`, default 4x) and
 * `<base>.pdf` (vector, page = figure size, fonts embedded), with a headless Chromium already on
 * the machine. `path` may end in .svg, .png, .pdf or nothing; the other formats go next to it.
 *
 * @returns  the files written
 */
export async function saveFigure(fig: Figure, path: string, options: SaveFigureOptions = {}): Promise<string[]> {
  const renderer = await FigureRenderer.launch(options.executablePath);
  try {
    return await renderer.save(fig, path, options);
  } finally {
    await renderer.close();
  }
}
