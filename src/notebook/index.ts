/** Display helpers for tslab notebooks: figures, tables, audio players, a notebook reporter. */
export * from "./display";
export * from "./figureImages";
export * from "./audio";
export * from "./reporter";
export * from "./config";
export * from "./frames";
