/**
 * Pooled-feature detectors in the pipeline, for `soundcheck cv`, the stages and a sweep:
 * recordings -> window representations (cached per representation) -> pooled vectors -> a
 * detector with fit/score -> scores per recording, judged by grouped CV, domain transfer or
 * nested CV.
 */
export { loadRecordings, type Recording, type RecordingFolders } from "./recordings";
export {
  extractWindowFeatures,
  poolWindows,
  RepresentationCache,
  windowsOfRecordings,
  type PooledWindows,
  type RecordingLike,
  type WindowFeatures,
} from "./windowFeatures";
export {
  crossValidateDetector,
  domainTransfer,
  runDetector,
  splitValidation,
  type DetectorEvaluationOptions,
  type DetectorFold,
  type DetectorRun,
  type RecordingInfo,
} from "./evaluateDetectors";
export { crossFittedThreshold, DEFAULT_CROSS_FIT, outOfFoldScores, type CrossFitOptions } from "./crossFit";
export {
  configuredDetectors,
  configuredFeatureName,
  configuredPooledWindows,
  crossValidateConfiguredDetectors,
  detectorEvaluationOptions,
  recordingAggregation,
  type DetectorCrossValidation,
  type DomainTransferResult,
} from "./configured";
export {
  candidateName,
  nestedCrossValidate,
  type DetectorCandidate,
  type NestedCrossValidation,
  type NestedFold,
  type NestedSelection,
  type NestedSettings,
} from "../experiments/nestedSelection";
export { detectorFoldResults, detectorReportName, domainTransferTable, writeDomainTransferReport } from "./reports";
export {
  DETECTORS_JSON,
  loadStoredDetectors,
  scoreWithStoredDetectors,
  trainConfiguredDetectors,
  type StoredDetector,
  type StoredDetectors,
} from "./store";
export {
  recordingFigures,
  recordingLevelReport,
  writeRecordingLevelReport,
  type RecordingLevelReport,
  type WindowModelScores,
} from "./recordingReport";
