/**
 * Reading a DCASE task-2 machine folder directly (`dev_data/raw/<machine>/`): `train/` holds
 * normal clips only, `test/` normal and anomalous ones, and every file name says its class
 * (`section_00_source_test_anomaly_0003_pat_02.wav`, see ./dcaseNames). The folder decides the
 * split, the name decides the class.
 */
import { dataPath, type PipelineConfig } from "../config/pipeline";
import { ConfigError } from "../errors";
import type { Reporter } from "../util/reporter";
import { listAudioFiles } from "./dataset";
import { parseDcaseName, type DcaseName, type DcaseSplit } from "./dcaseNames";

/** One recording of a DCASE machine folder. */
export interface DcaseRecording {
  /** Absolute path. */
  file: string;
  /** 0 = normal, 1 = anomaly (from the name). */
  label: 0 | 1;
  /** The folder it was found in (train/ or test/). */
  split: DcaseSplit;
  name: DcaseName;
}

/**
 * The recordings of `<dataRoot>/<layout.rawDcaseTrain>` and `<dataRoot>/<layout.rawDcaseTest>`,
 * each folder sorted by name. A file whose name does not say normal or anomaly is skipped with
 * one line (the run goes on); an anomalous clip in train/ is kept and reported, because DCASE's
 * train/ holds normal clips only.
 *
 * @throws ConfigError  when a folder is missing or train/ holds no normal clip or test/ no clip of some class
 */
export function listDcaseRecordings(config: PipelineConfig, reporter: Reporter): DcaseRecording[] {
  const out: DcaseRecording[] = [];
  for (const [split, key] of [
    ["train", "rawDcaseTrain"],
    ["test", "rawDcaseTest"],
  ] as const) {
    const folder = dataPath(config, key);
    for (const file of listAudioFiles(folder, reporter, `DCASE ${split} clips`)) {
      const name = parseDcaseName(file);
      if (name.condition === null) {
        reporter.skip(
          file,
          "the name does not say normal or anomaly " +
            "(DCASE: section_XX_<source|target>_<train|test>_<normal|anomaly>_NNNN_...wav); " +
            "rename it, or use --layout folders with broken_audio/ and normal_audio/",
        );
        continue;
      }
      out.push({ file, label: name.condition === "anomaly" ? 1 : 0, split, name });
    }
  }
  const count = (split: DcaseSplit, label: 0 | 1) => out.filter((r) => r.split === split && r.label === label).length;
  const train = dataPath(config, "rawDcaseTrain");
  const test = dataPath(config, "rawDcaseTest");
  if (count("train", 0) === 0)
    throw new ConfigError(
      train,
      "holds no normal clip named as DCASE",
      "put the machine's normal training clips (section_XX_..._train_normal_NNNN_...wav) into it",
    );
  for (const label of [0, 1] as const) {
    if (count("test", label) === 0)
      throw new ConfigError(
        test,
        `holds no ${label === 1 ? "anomalous" : "normal"} clip named as DCASE`,
        "use the development set's test/ folder, whose names say normal or anomaly",
      );
  }
  const anomalousTrain = count("train", 1);
  if (anomalousTrain > 0) {
    const found = `${train} holds ${anomalousTrain} anomalous clips`;
    reporter.warn(`${found}; DCASE's train/ holds normal clips only, and the normal-only detectors leave them out`);
  }
  return out;
}
