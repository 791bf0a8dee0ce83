/**
 * The CNN: backend selection, the model, training, inference, saving. What the pipeline and the
 * notebooks use; the wasm kernels register themselves through selectBackend.
 */
export {
  type BackendPreference,
  ensureBackend,
  parseBackendPreference,
  selectBackend,
  TFJS_NODE_BACKEND,
} from "./backend";
export {
  buildCnn,
  CNN_LAYER_NAMES,
  type CnnConfig,
  flattenedSize,
  flattenIndexFromTorch,
  modelInputShape,
  secondPoolSize,
  THESIS_CNN,
  toModelInput,
} from "./cnn";
export {
  type EpochLog,
  MINIBATCH_TRAINING,
  THESIS_TRAINING,
  type TrainHistory,
  trainCnn,
  TRAINING_PRESETS,
  type TrainingPreset,
  type TrainLabels,
  type TrainOptions,
  type TrainResult,
} from "./train";
export {
  argmaxRows,
  lossAndAccuracy,
  PREDICT_CHUNK,
  rowCrossEntropy,
  type RowCrossEntropy,
  predictClasses,
  predictLogitsModelLayout,
  predictProbabilities,
  softmaxRows,
} from "./predict";
export { decideClass, meanProbabilities } from "./decision";
export {
  type DecisionThreshold,
  folderLoadHandler,
  folderSaveHandler,
  loadCnn,
  METADATA_JSON,
  MODEL_JSON,
  type ModelMetadata,
  saveCnn,
  WEIGHTS_BIN,
} from "./save";
export {
  fitInputStandardisation,
  type InputStandardisation,
  parseInputStandardisation,
  standardiseInput,
} from "./standardise";
export { type AdamConfig, FlatAdam, PYTORCH_ADAM } from "./adam";
export { cnnBackprop, cnnBackpropUnsupported, type CnnBackprop, type LossAndGradients } from "./backprop";
export { MICRO_BATCH_ROWS } from "./microBatches";
export { fromTorchLayout, type LayoutTensor, toTorchLayout } from "./torchLayout";
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "./wasmKernels";
export { type SyntheticDataset, type SyntheticOptions, syntheticMfccDataset } from "./synthetic";
