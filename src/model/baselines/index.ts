/**
 * Baselines next to the CNN, same split and metrics: logistic regression on pooled MFCC
 * statistics (supervised, linear) and a dense autoencoder trained on normal clips only, scored by
 * reconstruction error (unsupervised, the DCASE task-2 baseline idea).
 */
export { pooledMfccStatistics, pooledStatisticNames } from "./pooledStatistics";
export {
  type LogisticRegressionModel,
  type LogisticRegressionOptions,
  scoreLogisticRegression,
  standardisation,
  trainLogisticRegression,
} from "./logisticRegression";
export {
  AUTOENCODER_DEFAULTS,
  type AutoencoderModel,
  type AutoencoderOptions,
  scoreAutoencoder,
  trainAutoencoder,
} from "./autoencoder";
