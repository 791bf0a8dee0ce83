/**
 * Wall time per stage of the whole pipeline on the full valve set in ../shared (120 recordings
 * of 10 s), thesis preset. The raw folders are linked into a temporary data root (../shared is
 * read only); everything generated goes there and is removed afterwards.
 *
 * Reference: the same stages in Python (librosa 0.10.2 + PyTorch 1.13, CPU) took about 205 s on
 * this machine, 187 s of it in augmentation + MFCC (measured earlier, not in this run).
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
import { runPipeline } from "../dist/pipeline/run";
import { silentReporter } from "../dist/util/reporter";

const PYTHON_SECONDS = { total: 205, augmentAndMfcc: 187 };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dataset: { type: "string" }, epochs: { type: "string" } } });
  const dataset = resolve(values.dataset ?? join(__dirname, "..", "..", "shared", "datasets", "dcase2023-valve"));
  if (!existsSync(join(dataset, "broken_audio"))) throw new Error(`${dataset} has no broken_audio folder; pass --dataset`);
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
    console.log(`${report.clean.recordings.broken} broken + ${report.clean.recordings.normal} normal recordings -> ${rows} feature rows; ${config.train.epochs} epochs, batch ${config.train.batchSize ?? "full"}, backend ${report.train.backend}; ${cpus().length} cores`);
    console.log("");
    console.log("stage         seconds");
    for (const k of ["clean", "preprocess", "split", "train", "evaluate", "total"] as const) console.log(`${k.padEnd(12)}${t[k].toFixed(2).padStart(9)}`);
    console.log("");
    console.log(`Python (librosa + PyTorch), measured earlier: ${PYTHON_SECONDS.total} s total, ${PYTHON_SECONDS.augmentAndMfcc} s augmentation + MFCC`);
    console.log(`speed-up: ${(PYTHON_SECONDS.total / t.total).toFixed(1)}x total, ${(PYTHON_SECONDS.augmentAndMfcc / t.preprocess).toFixed(1)}x augmentation + MFCC`);
    console.log(`test accuracy ${report.evaluate.report.accuracy.toFixed(4)}, balanced accuracy ${report.evaluate.report.balancedAccuracy.toFixed(4)}`);
    console.log(
      JSON.stringify({
        bench: "pipeline",
        dataset,
        rows,
        epochs: config.train.epochs,
        backend: report.train.backend,
        seconds: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Number(v.toFixed(3))])),
        pythonSeconds: PYTHON_SECONDS,
        speedupTotal: Number((PYTHON_SECONDS.total / t.total).toFixed(2)),
        speedupAugmentAndMfcc: Number((PYTHON_SECONDS.augmentAndMfcc / t.preprocess).toFixed(2)),
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
