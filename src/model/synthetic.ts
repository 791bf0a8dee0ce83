/**
 * Synthetic MFCC-shaped data for tests, benchmarks and smoke runs of the training stage: no audio
 * needed, known answer (class 1 carries a pattern class 0 lacks).
 */
import { SeededRandom } from "../util/random";

export interface SyntheticDataset {
  /** `[count][nMfcc][frames]`, flat: N(0, 1) noise, plus the pattern for class-1 clips. */
  x: Float32Array;
  /** Class per clip, alternating 0, 1, 0, 1, ... */
  y: Int32Array;
  /** `[count, nMfcc, frames]` */
  shape: [number, number, number];
}

export interface SyntheticOptions {
  nMfcc?: number;
  frames?: number;
  seed?: number;
  /**
   * Amplitude of the class-1 pattern (a slow sine on the first 5 coefficients) relative to the unit
   * noise; 0 makes the classes indistinguishable (labels are then pure noise).
   */
  separation?: number;
}

/** `count` clips, half of each class; deterministic under `seed`. */
export function syntheticMfccDataset(count: number, options: SyntheticOptions = {}): SyntheticDataset {
  const { nMfcc = 40, frames = 100, seed = 0, separation = 0.5 } = options;
  const rng = new SeededRandom(seed);
  const per = nMfcc * frames;
  const x = new Float32Array(count * per);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    y[i] = label;
    const phase = rng.next() * 2 * Math.PI;
    for (let m = 0; m < nMfcc; m++) {
      for (let t = 0; t < frames; t++) {
        const pattern = label === 1 && m < 5 ? separation * Math.sin(t / 3 + phase) : 0;
        x[i * per + m * frames + t] = rng.gaussian() + pattern;
      }
    }
  }
  return { x, y, shape: [count, nMfcc, frames] };
}
