import { readFileSync } from "node:fs";

/** Version of the plotly.js bundle the project ships with (plotly.js-dist-min). */
export function plotlyVersion(): string {
  const manifest = readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/** The minified plotly.js bundle (about 4.8 MB), for offline pages and notebook outputs. */
export function plotlySource(): string {
  return readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
}
