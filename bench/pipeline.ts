/**
 * Wall time per stage of the whole pipeline on the full valve set in ../shared (120 recordings
 * of 10 s), thesis preset. The raw folders are linked into a temporary data root (../shared is
 * read only); everything generated goes there and is removed afterwards.
 *
 * Reference: the same stages in Python (scripts/reference/thesis_pipeline.py: librosa + numpy +
 * scikit-learn + PyTorch), run on the same recordings in this run when $PYTHON (default
 * /usr/bin/python3) imports those packages. Otherwise the table says "not measured in this run"
 * and shows the figure measured earlier (librosa 0.10.2 + PyTorch 1.13, CPU: about 205 s, 187 s
 * of it in augmentation + MFCC).
 *
 * Runs the compiled core (dist/, built first), as users run it.
 *
 * Usage: npm run bench:pipeline [-- --dataset <folder with broken_audio/ normal_audio/>]
 */
import { mkdtempSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { thesisConfig } from "../dist/config/pipeline";
import { probePython, runReference } from "./referencePython";
import { runPipeline } from "../dist/pipeline/run";
import { silentReporter } from "../dist/util/reporter";

/** The Python pipeline on the valve set, measured earlier (shown when it cannot run here). */
const PYTHON_SECONDS_EARLIER = { total: 205, augmentAndMfcc: 187 };

interface PythonRun {
  rows: number;
  seconds: Record<"clean" | "preprocess" | "split" | "train" | "evaluate" | "total", number>;
  accuracy: number;
  versions: Record<string, string>;
}

/** The Python reference pipeline on its own data root over the same recordings, or why it was not run. */
function runPythonPipeline(dataset: string, epochs: number): PythonRun | { notMeasured: string } {
  const probe = probePython(["numpy", "librosa", "soundfile", "sklearn", "torch"]);
  if (!probe.ok) return { notMeasured: `${probe.python}: ${probe.missing.join("; ")}` };
  const root = mkdtempSync(join(tmpdir(), "soundcheck-bench-python-"));
  try {
    symlinkSync(join(dataset, "broken_audio"), join(root, "broken_audio"));
    symlinkSync(join(dataset, "normal_audio"), join(root, "normal_audio"));
    return runReference<PythonRun>("thesis_pipeline.py", ["--data", root, "--epochs", String(epochs)], 4 * 3_600_000);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dataset: { type: "string" }, epochs: { type: "string" } } });
  const dataset = resolve(values.dataset ?? join(__dirname, "..", "..", "shared", "datasets", "dcase2023-valve"));
  if (!existsSync(join(dataset, "broken_audio")))
    throw new Error(`${dataset} has no broken_audio folder; pass --dataset`);
  const root = mkdtempSync(join(tmpdir(), "soundcheck-bench-"));
  try {
    symlinkSync(join(dataset, "broken_audio"), join(root, "broken_audio"));
    symlinkSync(join(dataset, "normal_audio"), join(root, "normal_audio"));
    const config = thesisConfig(root);
    config.dataRoot = root;
    if (values.epochs) config.train.epochs = Number(values.epochs);
    const report = await runPipeline(config, silentReporter);
    const t = report.timings;
    const rows = report.preprocess.shape[0];
    console.log(`Pipeline on ${dataset}`);
    console.log(
      `${report.clean.recordings.broken} broken + ${report.clean.recordings.normal} normal recordings -> ${rows} feature rows; ${config.train.epochs} epochs, batch ${config.train.batchSize ?? "full"}, backend ${report.train.backend}; ${cpus().length} cores`,
    );
    console.log("");
    console.log("stage         seconds");
    for (const k of ["clean", "preprocess", "split", "train", "evaluate", "total"] as const)
      console.log(`${k.padEnd(12)}${t[k].toFixed(2).padStart(9)}`);
    console.log("");
    const python = runPythonPipeline(dataset, config.train.epochs);
    let pythonSeconds: { total: number; augmentAndMfcc: number };
    if ("notMeasured" in python) {
      pythonSeconds = PYTHON_SECONDS_EARLIER;
      console.log(`Python (scripts/reference/thesis_pipeline.py): not measured in this run (${python.notMeasured})`);
      console.log(
        `Python (librosa + PyTorch), measured earlier on the 120-recording valve set: ${pythonSeconds.total} s total, ${pythonSeconds.augmentAndMfcc} s augmentation + MFCC`,
      );
      console.log(
        `speed-up against the earlier figure: ${(pythonSeconds.total / t.total).toFixed(1)}x total, ${(pythonSeconds.augmentAndMfcc / t.preprocess).toFixed(1)}x augmentation + MFCC`,
      );
    } else {
      pythonSeconds = { total: python.seconds.total, augmentAndMfcc: python.seconds.preprocess };
      const versions = Object.entries(python.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      console.log(`Python (scripts/reference/thesis_pipeline.py; ${versions}), this run, ${python.rows} rows:`);
      for (const k of ["clean", "preprocess", "split", "train", "evaluate", "total"] as const)
        console.log(`${k.padEnd(12)}${python.seconds[k].toFixed(2).padStart(9)}`);
      console.log(
        `speed-up: ${(pythonSeconds.total / t.total).toFixed(1)}x total, ${(pythonSeconds.augmentAndMfcc / t.preprocess).toFixed(1)}x augmentation + MFCC; Python test accuracy ${python.accuracy.toFixed(4)}`,
      );
    }
    console.log(
      `test accuracy ${report.evaluate.report.accuracy.toFixed(4)}, balanced accuracy ${report.evaluate.report.balancedAccuracy.toFixed(4)}`,
    );
    console.log(
      JSON.stringify({
        bench: "pipeline",
        dataset,
        rows,
        epochs: config.train.epochs,
        backend: report.train.backend,
        seconds: Object.fromEntries(Object.entries(t).map(([k, v]: [string, number]) => [k, Number(v.toFixed(3))])),
        python:
          "notMeasured" in python
            ? { measuredInThisRun: false, notMeasuredBecause: python.notMeasured }
            : { measuredInThisRun: true, ...python },
        pythonSecondsMeasuredEarlier: PYTHON_SECONDS_EARLIER,
        speedupTotal: Number((pythonSeconds.total / t.total).toFixed(2)),
        speedupAugmentAndMfcc: Number((pythonSeconds.augmentAndMfcc / t.preprocess).toFixed(2)),
        accuracy: report.evaluate.report.accuracy,
        balancedAccuracy: report.evaluate.report.balancedAccuracy,
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
