/**
 * Window features of recordings for the pooled-feature detectors: each recording is cut into
 * windows (the whole recording, or `chunkSeconds` chunks), each window becomes its configured
 * representation `[rows][frames]`, then one pooled vector. Representations are computed once per
 * (feature parameters, representation, window) and kept in a {@link RepresentationCache}, so a
 * sweep over poolings and models extracts each representation only once.
 */
import type { PoolingConfig, RepresentationConfig } from "../../config/detect";
import type { FeatureConfig } from "../../config/features";
import { ConfigError } from "../../errors";
import type { Matrix } from "../../dsp/matrix";
import { pooledNames, poolRows } from "../../dsp/pooling";
import { createRepresentationExtractor, representationRowNames } from "../../dsp/representation";
import type { PooledRows } from "../../model/detectors/detector";
import { cutIntoChunks } from "../chunking";

/** What one window of one recording is. */
export interface RecordingLike {
  id: string;
  label: 0 | 1;
  samples: Float32Array;
}

/** The representation of every window of every recording. */
export interface WindowFeatures {
  representation: RepresentationConfig;
  /** Window length in seconds, or null for whole recordings. */
  windowSeconds: number | null;
  /** Index (into the recordings passed in) of each window's recording. */
  recordingOfWindow: Int32Array;
  /** `[rows][frames]` per window. */
  matrices: Matrix[];
  rowNames: string[];
}

/** Pooled vectors of the windows: `x` `[rows = windows][dims]` plus which recording each came from. */
export interface PooledWindows extends PooledRows {
  recordingOfWindow: Int32Array;
  /** Name of each of the `dims` features, e.g. "max mel 3". */
  names: string[];
}

/**
 * Cut every recording into windows and compute the representation of each.
 *
 * @param recordings  mono signals at `features.sampleRateHz`
 * @param chunkSeconds  window length when `representation.window` is "chunk" (remainder dropped)
 */
export async function extractWindowFeatures(
  recordings: readonly RecordingLike[],
  features: FeatureConfig,
  representation: RepresentationConfig,
  chunkSeconds: number,
): Promise<WindowFeatures> {
  const extract = await createRepresentationExtractor(features, representation);
  const chunkSamples = Math.round(chunkSeconds * features.sampleRateHz);
  const matrices: Matrix[] = [];
  const owner: number[] = [];
  recordings.forEach((r, i) => {
    const windows = representation.window === "recording" ? [r.samples] : cutIntoChunks(r.samples, chunkSamples);
    if (windows.length === 0)
      throw new ConfigError(
        r.id,
        `is shorter than one ${chunkSeconds} s window`,
        'use longer recordings or representation.window "recording"',
      );
    for (const w of windows) {
      matrices.push(extract(w));
      owner.push(i);
    }
  });
  return {
    representation,
    windowSeconds: representation.window === "recording" ? null : chunkSeconds,
    recordingOfWindow: Int32Array.from(owner),
    matrices,
    rowNames: representationRowNames(representation),
  };
}

/** Pool every window's representation into one vector (see dsp/pooling). */
export function poolWindows(windows: WindowFeatures, pooling: PoolingConfig): PooledWindows {
  if (pooling.statistics.length === 0)
    throw new ConfigError("pooling.statistics", "is empty", 'name at least one statistic, e.g. ["max"]');
  const dims = pooling.statistics.length * windows.rowNames.length;
  const x = new Float64Array(windows.matrices.length * dims);
  windows.matrices.forEach((m, i) => x.set(poolRows(m, pooling.statistics), i * dims));
  return {
    x,
    rows: windows.matrices.length,
    dims,
    recordingOfWindow: windows.recordingOfWindow,
    names: pooledNames(windows.rowNames, pooling.statistics),
  };
}

/** The windows (rows) of `pooled` whose recording is in `recordings` (indices), in order. */
export function windowsOfRecordings(
  pooled: PooledWindows,
  recordings: ArrayLike<number>,
): { data: PooledRows; windows: Int32Array } {
  const wanted = new Set(Array.from(recordings));
  const windows: number[] = [];
  for (let w = 0; w < pooled.rows; w++) if (wanted.has(pooled.recordingOfWindow[w] as number)) windows.push(w);
  const x = new Float64Array(windows.length * pooled.dims);
  windows.forEach((w, i) => x.set(pooled.x.subarray(w * pooled.dims, (w + 1) * pooled.dims), i * pooled.dims));
  return { data: { x, rows: windows.length, dims: pooled.dims }, windows: Int32Array.from(windows) };
}

/**
 * Window features computed once per (recording set, feature parameters, representation, window
 * length): the sweep asks for the same representation under many poolings and models.
 */
export class RepresentationCache {
  private readonly entries = new Map<string, Promise<WindowFeatures>>();
  constructor(readonly recordings: readonly RecordingLike[]) {}

  /** The window features of this representation (computed on first use). */
  get(features: FeatureConfig, representation: RepresentationConfig, chunkSeconds: number): Promise<WindowFeatures> {
    const key = JSON.stringify([features, representation, representation.window === "chunk" ? chunkSeconds : null]);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = extractWindowFeatures(this.recordings, features, representation, chunkSeconds);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Forget every representation (free the memory). */
  clear(): void {
    this.entries.clear();
  }
}
