import { parseArgs } from "node:util";
import { createInterface } from "node:readline/promises";
import { existsSync, readdirSync } from "node:fs";
import { extname, resolve } from "node:path";
import {
  mergeConfig,
  PRESETS,
  presetConfig,
  readConfigFile,
  validateConfig,
  dataPath,
  type PipelineConfig,
  type PipelineConfigOverrides,
} from "../config/pipeline";
import { GENERATED_FOLDERS, emptyGeneratedFolder } from "../data/dataset";
import { saveNpy } from "../data/npy";
import { SoundcheckError } from "../errors";
import { loadAudio } from "../audio/load";
import { cleanAndSample } from "./stages/cleanAndSample";
import { augmentAndExtract } from "./stages/augmentAndExtract";
import { splitFeatures } from "./stages/split";
import { trainStage } from "./stages/train";
import { evaluateStage } from "./stages/evaluate";
import { predictFiles, formatPredictions } from "./predict";
import { runPipeline } from "./run";
import { createClipFeatureExtractor } from "./features";
import { compareRuns } from "./reports/compareRuns";
import { crossValidate } from "./experiments/crossValidation";
import { domainTransferTable } from "./detect/reports";
import { evaluateUnseen } from "./experiments/unseen";
import { runSweep } from "./experiments/sweep";
import { defaultSweepGrid, readSweepGrid } from "../config/sweep";
import { evaluateDcaseLayout, runDcasePipeline, supervisedModelsNote } from "./experiments/dcaseRun";
import { timestampedRunName } from "./reports/runReport";
import { writeFileAtomic } from "../util/atomicWrite";
import { ConsoleReporter, type Reporter } from "../util/reporter";
import { installInterruptHandlers } from "./runtime/signals";

const HELP = `soundcheck: detect faulty machines by their sound

Usage: soundcheck <command> [options]

Pipeline stages (each reads what the previous one wrote under the data root):
  clean         read data/broken_audio and data/normal_audio, resample to 22050 Hz mono,
                cut broken recordings into 3 s chunks -> *_samples folders
  preprocess    nine augmentations of the broken clips, then 40 x 100 MFCC of every clip
                -> processed_data/features.npy, labels.npy, manifest.csv
  split         80/20 split with a fixed seed -> X_train.npy, X_test.npy, y_train.npy, y_test.npy
  train         train the 1D CNN -> models/cnn_model (tfjs format + metadata.json)
  evaluate      accuracy, balanced accuracy, per-class precision/recall/F1, confusion matrix,
                ROC AUC, pAUC, average precision, baselines -> reports/<run>/
  pipeline      all five stages in order

Evaluation beyond one split:
  cv            repeated k-fold cross-validation on the features (mean ± sd of every metric)
  unseen        score data/unseen_broken_audio and data/unseen_normal_audio with the saved
                model, without retraining
  sweep         representation x pooling x model grid of the pooled-feature models, every
                cell on the same grouped CV folds, ranked by recording-level ROC AUC
                -> reports/<run>/sweep.csv, .json, .md, figures [--grid grid.json]
  compare <run folder...>
                side-by-side table of runs (e.g. thesis vs recommended) [--out file.md]

Tools:
  features <audio> --out <file.npy> [--frames all|N]
                MFCC of one file ([40][100] float32, or every frame with --frames all)
  predict <audio...>
                classify recordings with the saved model (3 s chunks, like training)
  clean-samples empty the generated data folders (asks before deleting anything unexpected)

Options:
  --data <dir>          data root laid out like data/ (default: ./data)
  --layout <name>       folders (default: broken_audio/, normal_audio/ under --data) or dcase
                        (--data is a DCASE dev_data/raw/<machine> folder: train/ holds normal
                        clips, test/ both, the class from the file names; clean, preprocess,
                        split, evaluate and pipeline; only normal-only detectors are trained)
  --config <file.json>  settings to override, e.g. {"train": {"epochs": 20}}
  --preset <name>       starting configuration: thesis (default; the original, row-level
                        split) or recommended (split by recording, balanced, threshold
                        chosen on validation, CNN on standardised MFCCs with global max
                        pooling, baselines, pooled log-mel detectors (the headline:
                        logistic regression), one decision per recording)
  --run <name>          name of the report folder under reports/ (default: <preset>-<time>)
  --model <dir>         model folder (default: ./models/cnn_model)
  --reports <dir>       reports folder (default: ./reports)
  --epochs <n>          training epochs (thesis: 50)
  --batch-size <n|full> mini-batch size, or full for full-batch training (thesis: full)
  --validation-split <f> fraction of training rows for validation loss (default 0)
  --patience <n>        early stopping after n epochs without better validation loss
  --seed <n>            seed of the split, training and augmentation noise (default 42)
  --backend <name>      auto | tfjs-node | wasm | cpu (default auto)
  --workers <n>         threads for clean, preprocess and training (default: one per core)
  --folds <n>, --repeats <n>
                        cross-validation folds and repetitions (default 5 x 2)
  --grid <file.json>    sweep grid, e.g. {"poolings": [["max"]], "models": ["knn"]}; lists not
                        given keep the default grid's (144 cells, see src/config/sweep.ts)
  --nested              sweep: also pick the best cell inside each fold's training recordings
                        and score that pick on the fold (about --folds times slower)
  --quiet               only warnings, skipped files and results
  --yes                 do not ask before deleting (clean-samples)
  -h, --help            this help
`;

const OPTIONS = {
  data: { type: "string" },
  layout: { type: "string" },
  config: { type: "string" },
  preset: { type: "string" },
  run: { type: "string" },
  folds: { type: "string" },
  repeats: { type: "string" },
  model: { type: "string" },
  reports: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  "validation-split": { type: "string" },
  patience: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  workers: { type: "string" },
  out: { type: "string" },
  frames: { type: "string" },
  grid: { type: "string" },
  nested: { type: "boolean" },
  quiet: { type: "boolean" },
  yes: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

class UsageError extends Error {}

function numberFlag(values: Values, name: keyof Values, integer = true): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw !== "string") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"}, got "${raw}"`);
  return n;
}

/** Build the run's configuration: preset, then the JSON file, then flags. */
export function configFromFlags(values: Values, cwd: string = process.cwd(), now: Date = new Date()): PipelineConfig {
  const presetName = values.preset ?? "thesis";
  if (!Object.hasOwn(PRESETS, presetName))
    throw new UsageError(`unknown preset "${presetName}"; known: ${Object.keys(PRESETS).join(", ")}`);
  let config = presetConfig(presetName, cwd);
  if (values.config) config = mergeConfig(config, readConfigFile(resolve(cwd, values.config)));
  const flags: PipelineConfigOverrides = {};
  if (values.data) flags.dataRoot = resolve(cwd, values.data);
  if (values.layout !== undefined) {
    if (values.layout !== "folders" && values.layout !== "dcase") {
      throw new UsageError(`--layout must be folders or dcase, got "${values.layout}"`);
    }
    flags.dataFormat = values.layout;
    if (values.layout === "dcase") flags.dcaseNames = true;
  }
  if (values.model) flags.modelDir = resolve(cwd, values.model);
  if (values.reports) flags.reportsDir = resolve(cwd, values.reports);
  const train: Partial<PipelineConfig["train"]> = {};
  const epochs = numberFlag(values, "epochs");
  if (epochs !== undefined) train.epochs = epochs;
  if (values["batch-size"] !== undefined)
    train.batchSize = values["batch-size"] === "full" ? null : numberFlag(values, "batch-size")!;
  const val = numberFlag(values, "validation-split", false);
  if (val !== undefined) train.validationFraction = val;
  const patience = numberFlag(values, "patience");
  if (patience !== undefined) train.earlyStoppingPatience = patience;
  const seed = numberFlag(values, "seed");
  if (seed !== undefined) {
    train.seed = seed;
    flags.split = { seed };
    flags.augmentSeed = seed;
  }
  if (values.backend) {
    if (!["auto", "tfjs-node", "wasm", "cpu"].includes(values.backend))
      throw new UsageError(`--backend must be auto, tfjs-node, wasm or cpu, got "${values.backend}"`);
    train.backend = values.backend as PipelineConfig["train"]["backend"];
  }
  const workers = numberFlag(values, "workers");
  if (workers !== undefined) flags.workers = workers;
  const folds = numberFlag(values, "folds");
  const repeats = numberFlag(values, "repeats");
  if (folds !== undefined || repeats !== undefined)
    flags.cv = { ...(folds === undefined ? {} : { folds }), ...(repeats === undefined ? {} : { repeats }) };
  flags.runName = values.run ?? config.runName ?? timestampedRunName(config.preset, now);
  if (Object.keys(train).length > 0) flags.train = train;
  config = mergeConfig(config, flags);
  validateConfig(config);
  return config;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const EXPECTED_GENERATED = new Set([".wav", ".npy", ".csv", ".json"]);

async function cleanSamples(config: PipelineConfig, values: Values, reporter: Reporter): Promise<number> {
  const unexpected: string[] = [];
  for (const key of GENERATED_FOLDERS) {
    const folder = dataPath(config, key);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder))
      if (!EXPECTED_GENERATED.has(extname(name).toLowerCase())) unexpected.push(resolve(folder, name));
  }
  if (unexpected.length > 0 && !values.yes) {
    process.stderr.write(
      `These files were not written by the pipeline:\n${unexpected.map((f) => `  ${f}`).join("\n")}\n`,
    );
    if (!(await confirm("Delete them too?"))) {
      process.stderr.write("Nothing deleted. Move those files elsewhere, or pass --yes.\n");
      return 1;
    }
  }
  for (const key of GENERATED_FOLDERS) reporter.info(`emptied ${emptyGeneratedFolder(config, key)}`);
  return 0;
}

async function featuresCommand(config: PipelineConfig, files: string[], values: Values): Promise<number> {
  if (files.length !== 1 || !values.out)
    throw new UsageError("usage: soundcheck features <audio file> --out <file.npy> [--frames all|N]");
  const framesFlag = values.frames;
  const frames =
    framesFlag === undefined ? config.features.frames : framesFlag === "all" ? null : numberFlag(values, "frames")!;
  const features = { ...config.features, frames };
  const audio = await loadAudio(resolve(files[0] as string), features.sampleRateHz);
  const extract = await createClipFeatureExtractor(features);
  const m = extract(audio.samples);
  const out = resolve(values.out);
  saveNpy(out, { dtype: "<f4", shape: [m.rows, m.cols], data: m.data });
  process.stdout.write(
    `${out}: float32 [${m.rows}][${m.cols}] MFCC of ${files[0]} ` +
      `(${audio.durationSeconds.toFixed(2)} s at ${audio.sourceRateHz} Hz -> ${features.sampleRateHz} Hz)\n`,
  );
  return 0;
}

/**
 * The commands that work differently on a DCASE machine folder (`--layout dcase`): pipeline and
 * evaluate fit the normal-only detectors; train says in one message why the supervised CNN is
 * not trained; cv and unseen say what to run instead. Other commands: null (run as usual).
 */
async function dcaseCommand(command: string, config: PipelineConfig, reporter: Reporter): Promise<number | null> {
  switch (command) {
    case "pipeline":
      process.stdout.write(`${(await runDcasePipeline(config, reporter)).text}\n`);
      return 0;
    case "evaluate":
      process.stdout.write(`${(await evaluateDcaseLayout(config, reporter)).text}\n`);
      return 0;
    case "train":
      reporter.warn(`nothing trained: ${supervisedModelsNote(config)} fitted by "soundcheck evaluate --layout dcase"`);
      return 0;
    case "cv":
    case "unseen":
    case "sweep":
      throw new UsageError(
        `"${command}" does not apply with --layout dcase: DCASE fixes the split (train/ normal clips, test/ clips ` +
          'to score); run "soundcheck pipeline --layout dcase --data <machine folder>"',
      );
    default:
      return null;
  }
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  // Ctrl-C / SIGTERM: stop writes, delete temporary files, say so in one line, exit 130 / 143
  const interrupts = installInterruptHandlers({ command: `soundcheck ${command}` });
  const reporter = interrupts.watch(new ConsoleReporter({ quiet: values.quiet ?? false }));
  try {
    const config = configFromFlags(values);
    interrupts.protect(config);
    if (config.dataFormat === "dcase") {
      const handled = await dcaseCommand(command, config, reporter);
      if (handled !== null) return handled;
    }
    switch (command) {
      case "clean":
        await cleanAndSample(config, reporter);
        return 0;
      case "preprocess":
        await augmentAndExtract(config, reporter);
        return 0;
      case "split":
        splitFeatures(config, reporter);
        return 0;
      case "train":
        await trainStage(config, reporter);
        return 0;
      case "evaluate":
        process.stdout.write(`${(await evaluateStage(config, reporter)).text}\n`);
        return 0;
      case "pipeline":
        process.stdout.write(`${(await runPipeline(config, reporter)).text}\n`);
        return 0;
      case "clean-samples":
        return await cleanSamples(config, values, reporter);
      case "features":
        return await featuresCommand(config, rest, values);
      case "cv": {
        const cv = await crossValidate(config, reporter);
        process.stdout.write(
          `${cv.table}\n${cv.dcaseTable === null ? "" : `\nDCASE metrics (cv_dcase_summary.md)\n${cv.dcaseTable}\n`}`,
        );
        const transfer = cv.detectors === null ? null : domainTransferTable(cv.detectors);
        if (transfer !== null)
          process.stdout.write(`\nDomain transfer, per recording (cv_domain_transfer.md)\n${transfer}\n`);
        return 0;
      }
      case "unseen":
        process.stdout.write(`${(await evaluateUnseen(config, reporter)).text}\n`);
        return 0;
      case "sweep": {
        const grid = values.grid === undefined ? defaultSweepGrid() : readSweepGrid(resolve(values.grid));
        if (values.nested) grid.nested = true;
        const sweep = await runSweep(config, grid, reporter);
        process.stdout.write(`${sweep.table}\n\nAll ${sweep.result.cells.length} cells: ${sweep.runDir}/sweep.md\n`);
        return 0;
      }
      case "compare": {
        if (rest.length === 0) throw new UsageError("usage: soundcheck compare <run folder...> [--out file.md]");
        const table = compareRuns(rest.map((d) => resolve(d)));
        if (values.out) {
          writeFileAtomic(resolve(values.out), table);
          reporter.info(`comparison written to ${resolve(values.out)}`);
        }
        process.stdout.write(table);
        return 0;
      }
      case "predict": {
        if (rest.length === 0) throw new UsageError("usage: soundcheck predict <audio file...>");
        const predictions = await predictFiles(
          config,
          rest.map((f) => resolve(f)),
          reporter,
        );
        process.stdout.write(`${formatPredictions(predictions)}\n`);
        return predictions.some((p) => p.error !== undefined) ? 1 : 0;
      }
      default:
        process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof SoundcheckError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    interrupts.uninstall();
  }
}
