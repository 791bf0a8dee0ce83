/**
 * soundcheck-ts: the typed core. Notebooks and the CLI import from here (compiled to dist/).
 */
export * from "./errors";
export * from "./config/features";
export * from "./config/augment";
export * from "./dsp/matrix";
export * from "./data/npy";
export * from "./util/random";
export * from "./util/atomicWrite";
