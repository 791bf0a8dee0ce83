/** Figures (plotly.js JSON in one theme) and their export to SVG, PNG and PDF. */
export * from "./figure";
export * from "./theme";
export * from "./figures";
export * from "./save";
