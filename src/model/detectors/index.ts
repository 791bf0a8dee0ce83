/** Models on pooled features with one fit/score interface (see ./detector). */
export {
  createDetector,
  normalRows,
  scoreDetectorModel,
  type Detector,
  type DetectorModel,
  type PooledRows,
} from "./detector";
export { fitKnn, scoreKnn, type KnnModel } from "./knn";
export { fitMahalanobis, ledoitWolf, scoreMahalanobis, type MahalanobisModel } from "./mahalanobis";
export { applyStandardiser, fitStandardiser, type Standardiser } from "./standardise";
