/**
 * A run's report folder: everything a thesis table needs to cite one run, in one place
 * (`<reportsDir>/<runName>/`): the config, metrics (JSON, CSV, markdown), per-row predictions
 * and scores, figures (plotly JSON, an offline HTML page, optionally SVG/PNG), the skipped
 * files and the run's provenance.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PipelineConfig } from "../../config/pipeline";
import type { Figure } from "../../plots/figure";
import { BrowserNotFoundError, FigureRenderer } from "../../plots/save";
import { plotlySource } from "../../plots/plotlySource";
import { escapeHtml, scriptJson } from "../../util/html";
import { writeFileAtomic } from "../../util/atomicWrite";
import type { Reporter } from "../../util/reporter";

/** The folder a run's reports go to: `<reportsDir>/<runName>`, or reportsDir without a name. */
export function runDirectory(config: PipelineConfig): string {
  return config.runName === null ? config.reportsDir : join(config.reportsDir, config.runName);
}

/** A default run name: `<preset>-<YYYYMMDD-HHMMSS>` (local time), for the CLI. */
export function timestampedRunName(preset: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${preset}-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}` +
    `-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`
  );
}

/** Write `config.json` (the full effective config) into the run folder. */
export function writeRunConfig(dir: string, config: PipelineConfig): string {
  const path = join(dir, "config.json");
  writeFileAtomic(path, JSON.stringify(config, null, 2) + "\n");
  return path;
}

/** Copy a file into the run folder if it exists (e.g. the data folder's skipped.csv). */
export function copyIntoRun(dir: string, source: string, name: string): string | null {
  if (!existsSync(source)) return null;
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  copyFileSync(source, target);
  return target;
}

/** One figure of a report: file stem, and the plotly figure. */
export interface NamedFigure {
  name: string;
  figure: Figure;
}

/**
 * Write the figures into `<dir>/figures/`: `<name>.plotly.json` each (open with plotly in any
 * language), `index.html` showing all figures of the folder offline (also earlier steps') (plotly.js is
 * copied next to it), and with "html+svg" also `<name>.svg` and `<name>.png`, drawn by the installed
 * Chromium (a warning and no static files when there is none).
 *
 * @returns the files written
 */
export async function writeFigures(
  dir: string,
  figures: NamedFigure[],
  mode: PipelineConfig["evaluate"]["figures"],
  title: string,
  reporter: Reporter,
): Promise<string[]> {
  if (mode === "none" || figures.length === 0) return [];
  const folder = join(dir, "figures");
  const written: string[] = [];
  for (const { name, figure } of figures) {
    const path = join(folder, `${name}.plotly.json`);
    writeFileAtomic(path, JSON.stringify({ data: figure.data, layout: figure.layout, config: figure.config }) + "\n");
    written.push(path);
  }
  writeFileAtomic(join(folder, "plotly.min.js"), plotlySource());
  // the page shows every figure in the folder: these, and those an earlier step wrote (evaluate, then cv)
  const mine = new Set(figures.map((f) => f.name));
  const earlier: NamedFigure[] = readdirSync(folder)
    .filter((f) => f.endsWith(".plotly.json") && !mine.has(f.slice(0, -".plotly.json".length)))
    .map((f) => ({
      name: f.slice(0, -".plotly.json".length),
      figure: JSON.parse(readFileSync(join(folder, f), "utf8")) as Figure,
    }));
  const all = [...earlier, ...figures].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const divs = all.map(({ name }) => `<figure><div id="${escapeHtml(name)}"></div></figure>`).join("\n");
  const figureData = all.map(({ name, figure }) => ({
    name,
    data: figure.data,
    layout: figure.layout,
    config: figure.config,
  }));
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2rem;color:#222}figure{margin:0 0 2rem 0}</style>
<script src="plotly.min.js"></script></head>
<body><h1>${escapeHtml(title)}</h1>
${divs}
<script>
const figures = ${scriptJson(figureData)};
for (const f of figures) Plotly.newPlot(f.name, f.data, f.layout, f.config);
</script></body></html>
`;
  writeFileAtomic(join(folder, "index.html"), html);
  written.push(join(folder, "index.html"));
  if (mode === "html+svg") {
    let renderer: FigureRenderer | null = null;
    try {
      renderer = await FigureRenderer.launch();
      for (const { name, figure } of figures)
        written.push(...(await renderer.save(figure, join(folder, name), { formats: ["svg", "png"], pngScale: 2 })));
    } catch (err) {
      if (!(err instanceof BrowserNotFoundError)) throw err;
      reporter.warn(`static figures (SVG/PNG) not written: ${err.message}`);
    } finally {
      await renderer?.close();
    }
  }
  return written;
}
