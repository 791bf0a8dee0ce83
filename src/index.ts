/**
 * soundcheck-ts: the typed core. Notebooks and the CLI import from here (compiled to dist/).
 */
export * from "./errors";
export * from "./config/features";
export * from "./config/augment";
export * from "./config/pipeline";
export * from "./dsp/matrix";
export * from "./dsp/realFftAnyLength";
export * from "./dsp/mfcc";
export * from "./data/npy";
export * from "./data/csv";
export * from "./data/dataset";
export * from "./data/split";
export * from "./audio/decodedAudio";
export * from "./audio/mono";
export * from "./audio/wav";
export * from "./audio/decode";
export * from "./audio/resample";
export * from "./audio/load";
export * from "./augment";
export * from "./evaluate/metrics";
export * from "./pipeline/reporter";
export * from "./pipeline/clean";
export * from "./pipeline/preprocess";
export * from "./pipeline/split";
export * from "./pipeline/train";
export * from "./pipeline/evaluate";
export * from "./pipeline/predict";
export * from "./pipeline/run";
export * from "./pipeline/features";
export * from "./pipeline/modelStore";
export * from "./util/random";
export * from "./util/mt19937";
export * from "./util/atomicWrite";
