/**
 * The recordings the pooled-feature detectors read: every raw recording of the data root (the
 * same files the clean stage reads), decoded once at the feature sample rate, with its class,
 * its id (the path under the data root, as the manifest's `source`, so CV folds and splits are
 * the CNN's) and its DCASE domain when the file name says it.
 */
import { relative } from "node:path";
import { loadAudio } from "../../audio/load";
import { dataPath, type PipelineConfig } from "../../config/pipeline";
import { assertSafeLayout, listAudioFiles } from "../../data/dataset";
import { parseDcaseName, type DcaseDomain } from "../../data/dcaseNames";
import { ConfigError, SoundcheckError } from "../../errors";
import type { Reporter } from "../../util/reporter";
import { normalizeRms } from "../features";

/** One recording, decoded. */
export interface Recording {
  /** Path under the data root, e.g. "broken_audio/x.wav" (the manifest's `source`). */
  id: string;
  /** Absolute path. */
  file: string;
  label: 0 | 1;
  /** DCASE domain from the file name, or null. */
  domain: DcaseDomain | null;
  /** Mono samples at `features.sampleRateHz`, level-normalised when `features.levelNormalization` is "rms". */
  samples: Float32Array;
}

/** Which raw folders to read: the training recordings, or the unseen ones. */
export type RecordingFolders = "training" | "unseen";

/**
 * Decode the recordings of `folders`, broken first then normal, each folder sorted by name (only
 * those whose id `only` accepts, when given). A file that cannot be decoded is skipped with a
 * reason; the rest go on.
 */
export async function loadRecordings(
  config: PipelineConfig,
  reporter: Reporter,
  folders: RecordingFolders = "training",
  only: ((id: string) => boolean) | null = null,
): Promise<Recording[]> {
  assertSafeLayout(config);
  const rate = config.features.sampleRateHz;
  const rms = (config.features.levelNormalization ?? "none") === "rms";
  const sources = [
    { label: 1 as const, folder: dataPath(config, folders === "training" ? "rawBroken" : "rawUnseenBroken") },
    { label: 0 as const, folder: dataPath(config, folders === "training" ? "rawNormal" : "rawUnseenNormal") },
  ];
  const out: Recording[] = [];
  for (const { label, folder } of sources) {
    const files = listAudioFiles(folder, reporter, `${config.classNames[label]} recordings`);
    for (const file of files) {
      if (only !== null && !only(relative(config.dataRoot, file))) continue;
      try {
        const audio = await loadAudio(file, rate);
        out.push({
          id: relative(config.dataRoot, file),
          file,
          label,
          domain: parseDcaseName(file).domain,
          samples: rms ? normalizeRms(audio.samples) : audio.samples,
        });
      } catch (err) {
        reporter.skip(file, err instanceof SoundcheckError ? err.message : `${file}: ${(err as Error).message}`);
      }
    }
  }
  for (const label of [0, 1] as const) {
    if (!out.some((r) => r.label === label))
      throw new ConfigError(
        config.dataRoot,
        `no "${config.classNames[label]}" recording could be read (${folders})`,
        "put readable recordings of both classes in the raw folders",
      );
  }
  return out;
}
