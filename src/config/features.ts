/**
 * Feature extraction parameters. The defaults are the thesis's (librosa 0.10 defaults with
 * n_mfcc=40, padded or truncated to 100 frames).
 */
export interface FeatureConfig {
  /** Target sample rate, Hz. */
  sampleRateHz: number;
  /** FFT size and window length, samples. */
  nFft: number;
  /** Hop between frames, samples. */
  hopLength: number;
  /** Number of mel bands. */
  nMels: number;
  /** Lowest mel band edge, Hz. */
  fMinHz: number;
  /** Highest mel band edge, Hz; null = sampleRateHz / 2. */
  fMaxHz: number | null;
  /** power_to_db dynamic range below the clip's global maximum, dB; null = no floor. */
  topDb: number | null;
  /** Number of MFCC coefficients kept. */
  nMfcc: number;
  /** Frames per feature matrix: pad with zeros or truncate to this many; null = keep all. */
  frames: number | null;
  /**
   * Level normalisation of each clip before its features: "none" (the thesis) or "rms": scale
   * the clip to an RMS of 0.1 (-20 dBFS). When the classes were recorded at different
   * loudness, a model can score well by learning the level instead of the sound; with "rms"
   * the level is gone. (With power_to_db's ref = 1 a gain only shifts MFCC 0, so this is the
   * coefficient it changes.) Absent in models saved before the option existed: "none".
   */
  levelNormalization?: "none" | "rms";
}

export const DEFAULT_FEATURE_CONFIG: Readonly<FeatureConfig> = Object.freeze({
  sampleRateHz: 22050,
  nFft: 2048,
  hopLength: 512,
  nMels: 128,
  fMinHz: 0,
  fMaxHz: null,
  topDb: 80,
  nMfcc: 40,
  frames: 100,
  levelNormalization: "none",
});
