// What a static notebook viewer shows: a code host's .ipynb preview and nbviewer render the saved
// notebook to HTML (nbconvert, or their own code on the same rules) and show it without running any
// script. Here: nbconvert's HTML export of the saved .ipynb, opened in headless Chromium with
// JavaScript disabled, and the checks a standalone image/svg+xml must pass to be shown as a picture.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";

const ROOT = resolve(__dirname, "..", "..");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** nbconvert's two HTML templates: `lab` (its default, JupyterLab's look) and `classic` (nbviewer's base). */
export type HtmlTemplate = "lab" | "classic";

/** One output of a saved notebook, flattened over its cells in order. */
interface SavedOutput {
  output_type: string;
  data?: Record<string, unknown>;
}

const joined = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");

function savedOutputs(ipynb: string): SavedOutput[] {
  const nb = JSON.parse(readFileSync(ipynb, "utf8")) as { cells: Array<{ outputs?: SavedOutput[] }> };
  return nb.cells.flatMap((c) => c.outputs ?? []);
}

/** Positions (in {@link savedOutputs} order) of the figure outputs: those carrying plotly JSON. */
export function figureOutputIndexes(ipynb: string): number[] {
  return savedOutputs(ipynb)
    .map((o, i) => (o.data?.[PLOTLY_MIME] === undefined ? -1 : i))
    .filter((i) => i >= 0);
}

/** The image/svg+xml of every figure output (null where a figure output has none), in order. */
export function figureSvgs(ipynb: string): Array<string | null> {
  return savedOutputs(ipynb)
    .filter((o) => o.data?.[PLOTLY_MIME] !== undefined)
    .map((o) => (o.data?.["image/svg+xml"] === undefined ? null : joined(o.data["image/svg+xml"])));
}

/**
 * Export `ipynb` to HTML with nbconvert's command line (`python -m nbconvert --to html`), as a static
 * viewer does; returns the HTML file. Throws a message saying what to install when nbconvert is missing.
 */
export async function nbconvertHtml(ipynb: string, outDir: string, template: HtmlTemplate): Promise<string> {
  const { defaultPython } = (await import(join(ROOT, "scripts", "python.mjs"))) as { defaultPython: () => string };
  const python = defaultPython();
  mkdirSync(outDir, { recursive: true });
  const output = `${basename(ipynb, ".ipynb")}.${template}`;
  const r = spawnSync(
    python,
    ["-m", "nbconvert", "--to", "html", "--template", template, "--output-dir", outDir, "--output", output, ipynb],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  const html = join(outDir, `${output}.html`);
  if (r.error !== undefined || r.status !== 0 || !existsSync(html))
    throw new Error(
      `nbconvert could not export ${ipynb} to HTML with ${python} ` +
        `(${r.error?.message ?? r.stderr.trim().split("\n").slice(-3).join(" | ")}): ` +
        "install it (Debian: apt install python3-nbconvert, as .ci/run does; else pip install nbconvert) " +
        "or point SOUNDCHECK_PYTHON at a Python that has it",
    );
  return html;
}

/** A figure output as a static viewer shows it. */
export interface StaticFigure {
  /** What is drawn: a loaded `<img>`, an inline `<svg>`, or nothing. */
  drawn: "img" | "svg" | null;
  /** Size on the page, CSS pixels (0 x 0 when nothing is drawn). */
  width: number;
  height: number;
}

/**
 * Open `html` with JavaScript disabled and no network, and report what each figure output shows.
 * `figureIndexes` are the figure outputs' positions among all outputs of the saved notebook; the
 * page must hold exactly `outputCount` outputs, so position i on the page is output i of the file.
 */
export async function staticFigures(
  browser: Browser,
  html: string,
  outputCount: number,
  figureIndexes: number[],
): Promise<StaticFigure[]> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.route(/^https?:/, (route) => route.abort());
    await page.goto(`file://${html}`, { waitUntil: "load" });
    // page.evaluate runs in Playwright's own world: the page's scripts stay off
    // no named functions inside: tsx would wrap them in a helper the page does not have
    const outputs = await page.evaluate((indexes) => {
      const selector = ".jp-OutputArea-output, .output_subarea";
      const all = Array.from(document.querySelectorAll(selector)).filter((e) => !e.parentElement?.closest(selector));
      const figures: Array<{ drawn: "img" | "svg" | null; width: number; height: number }> = [];
      for (const i of indexes) {
        let found: { drawn: "img" | "svg" | null; width: number; height: number } = {
          drawn: null,
          width: 0,
          height: 0,
        };
        for (const e of Array.from(all[i]?.querySelectorAll("img, svg") ?? [])) {
          const r = e.getBoundingClientRect();
          const [width, height] = [Math.round(r.width), Math.round(r.height)];
          const loaded = e instanceof HTMLImageElement ? e.complete && e.naturalWidth > 0 : true;
          if (loaded && width > 0 && height > 0) {
            found = { drawn: e instanceof HTMLImageElement ? "img" : "svg", width, height };
            break;
          }
        }
        figures.push(found);
      }
      return { count: all.length, figures };
    }, figureIndexes);
    if (outputs.count !== outputCount)
      throw new Error(`${html}: ${outputs.count} outputs on the page, ${outputCount} in the notebook`);
    return outputs.figures;
  } finally {
    await context.close();
  }
}

/**
 * What keeps `svg` from being shown on its own as a picture, as GitHub, nbviewer and VS Code show an
 * image/svg+xml (no script runs, nothing is fetched): not well-formed XML, a root other than an SVG
 * `<svg>` without width and height or viewBox, a `<script>` or `on...` handler, a reference to anything
 * but the SVG itself (`#id`) or a data: URL, or failing to load as an `<img>`. Empty when none.
 * `page` is any page with JavaScript on.
 */
export async function svgProblems(page: Page, svg: string): Promise<string[]> {
  return page.evaluate(async (text) => {
    const problems: string[] = [];
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const error = doc.getElementsByTagName("parsererror")[0];
    if (error !== undefined) return [`not well-formed XML: ${(error.textContent ?? "").slice(0, 200)}`];
    const root = doc.documentElement;
    if (root.localName !== "svg" || root.namespaceURI !== "http://www.w3.org/2000/svg")
      problems.push(`root element is <${root.tagName}>, not an SVG <svg>`);
    const [width, height] = [root.getAttribute("width"), root.getAttribute("height")].map((v) =>
      Number.parseFloat(v ?? ""),
    );
    const boxWidth = Number.parseFloat((root.getAttribute("viewBox") ?? "").trim().split(/[\s,]+/)[2] ?? "");
    if (!(width! > 0 && height! > 0) && !(boxWidth > 0)) problems.push("no width and height and no viewBox");
    if (doc.getElementsByTagNameNS("*", "script").length > 0) problems.push("has a <script>");
    const local = /^\s*(#|data:)/i;
    for (const el of Array.from(doc.getElementsByTagName("*"))) {
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.localName)) problems.push(`<${el.localName}> has an event handler ${attr.name}`);
        if (["href", "src"].includes(attr.localName) && !local.test(attr.value))
          problems.push(`<${el.localName} ${attr.name}="${attr.value.slice(0, 80)}"> refers outside the file`);
      }
      const styles = Array.from(el.attributes).map((a) => a.value);
      if (el.localName === "style") styles.push(el.textContent ?? "");
      for (const s of styles) {
        if (/@import/i.test(s)) problems.push(`<${el.localName}> imports a style sheet`);
        for (const m of s.matchAll(/url\(\s*['"]?([^'")]*)/gi))
          if (!local.test(m[1] ?? "")) problems.push(`<${el.localName}> refers to url(${(m[1] ?? "").slice(0, 80)})`);
      }
    }
    const loaded = await new Promise<number>((done) => {
      const img = new Image();
      img.onload = () => done(img.naturalWidth * img.naturalHeight);
      img.onerror = () => done(0);
      img.src = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    });
    if (loaded === 0) problems.push("does not load as an <img> on its own");
    return [...new Set(problems)];
  }, svg);
}
