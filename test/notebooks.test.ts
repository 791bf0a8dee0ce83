// Executes every notebook in a fresh tslab kernel through real Jupyter (nbclient), then checks
// what each one shows, the files its stage wrote, and that its HTML export draws every figure
// in headless Chromium; shows each executed notebook as a static viewer does (nbconvert HTML with
// JavaScript off) and checks every figure's standalone SVG; then runs, saves and reopens every notebook
// in JupyterLab (.venv-jupyterlab, made by .ci/run; else Debian's classic Notebook) and counts the
// figure outputs drawn, trusted and untrusted. Set SOUNDCHECK_SKIP_NOTEBOOKS=1 to skip (needs Jupyter
// and Chromium).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readCsv } from "../src/data/csv";
import { AUGMENTATION_NAMES } from "../src/config/augment";
import { featureRowOrder } from "../src/pipeline/stages/augmentAndExtract";
import { findChromium, CHROMIUM_FLAGS } from "../src/plots/save";
import { PLOTLY_MIME } from "../src/notebook/display";
import type { Browser } from "playwright-core";
import { findFrontend, figureOutputsIn, JupyterServer, type DrawnFigure } from "./helpers/jupyterFrontend";
import {
  figureOutputIndexes,
  figureSvgs,
  nbconvertHtml,
  staticFigures,
  svgProblems,
  type HtmlTemplate,
  type StaticFigure,
} from "./helpers/staticViewer";

const ROOT = resolve(__dirname, "..");
const SKIP = process.env["SOUNDCHECK_SKIP_NOTEBOOKS"] === "1";
const work = mkdtempSync(join(tmpdir(), "soundcheck-notebooks-"));
const out = join(work, "generated");
const executedDir = join(work, "executed");
const htmlDir = join(work, "html");
/** Screenshots of the HTML exports, kept for people (and CI artifacts) to look at. */
const screenshotDir = join(ROOT, "notebooks", "_build", "test-screenshots");
const NAMES = [
  "00_overview",
  "01_clean_and_sample",
  "02_augment_and_extract",
  "03_split",
  "04_train",
  "05_evaluate",
  "06_evaluation_beyond_accuracy",
  "07_which_representation_hears_the_fault",
];

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name: string } };
}
interface Fig {
  data: Array<Record<string, unknown> & { type: string }>;
  layout: Record<string, unknown> & { width?: number; height?: number; title?: { text?: string } };
}

const text = (v: unknown): string =>
  Array.isArray(v) ? v.join("") : typeof v === "string" ? v : v == null ? "" : JSON.stringify(v);
const readNb = (path: string): Notebook => JSON.parse(readFileSync(path, "utf8")) as Notebook;
const executed = (name: string): Notebook => readNb(join(executedDir, `${name}.ipynb`));
const outputs = (name: string): Output[] => executed(name).cells.flatMap((c) => c.outputs ?? []);
const figures = (name: string): Fig[] =>
  outputs(name)
    .filter((o) => o.data?.[PLOTLY_MIME])
    .map((o) => o.data![PLOTLY_MIME] as Fig);
const figure = (name: string, title: RegExp): Fig => {
  const found = figures(name).filter((f) => title.test(f.layout.title?.text ?? ""));
  assert.equal(
    found.length,
    1,
    `${name}: one figure titled ${title}, found ${figures(name)
      .map((f) => f.layout.title?.text)
      .join(" | ")}`,
  );
  return found[0]!;
};
const plainTexts = (name: string): string =>
  outputs(name)
    .map((o) => text(o.data?.["text/plain"] ?? o.text))
    .join("\n");
/** The text of the one DataFrame table (src/notebook/frames.ts) whose caption matches. */
const frameText = (name: string, caption: RegExp): string => {
  const found = outputs(name)
    .filter((o) => text(o.data?.["text/html"]).startsWith('<table class="soundcheck-frame"'))
    .map((o) => text(o.data?.["text/plain"]))
    .filter((t) => caption.test(t));
  assert.equal(found.length, 1, `${name}: one DataFrame table captioned ${caption}`);
  return found[0]!;
};
const htmlOf = (name: string): string =>
  outputs(name)
    .map((o) => text(o.data?.["text/html"]))
    .join("\n");
const rawListing = (): string[] =>
  ["broken_audio", "normal_audio", "unseen_broken_audio", "unseen_normal_audio"]
    .flatMap((d) =>
      readdirSync(join(ROOT, "data", d)).map((f) => `${d}/${f}:${statSync(join(ROOT, "data", d, f)).mtimeMs}`),
    )
    .sort();
/** Headless Chromium for the browser checks; fails saying what to install when there is none. */
const launchTestBrowser = async (): Promise<Browser> => {
  const executablePath = findChromium();
  assert.ok(executablePath, "no Chromium: install it (Debian: apt install chromium) or set SOUNDCHECK_CHROMIUM");
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
};
/** `name`'s executed notebook without its figures' static images: the controls, where nothing may draw. */
const withoutStaticImages = (name: string): Notebook => {
  const nb = executed(name);
  for (const o of nb.cells.flatMap((c) => c.outputs ?? [])) {
    if (o.data?.[PLOTLY_MIME] === undefined) continue;
    delete o.data["image/svg+xml"];
    delete o.data["image/png"];
    o.data["text/html"] = text(o.data["text/html"]).replace(/<img class="soundcheck-figure-static"[^>]*>/, "");
  }
  return nb;
};

let run: { status: number; stdout: string; stderr: string } | undefined;
let rawBefore: string[] = [];

before(async () => {
  if (SKIP) return;
  rawBefore = rawListing();
  const { runNotebooks } = (await import(join(ROOT, "scripts", "notebooks.mjs"))) as {
    runNotebooks: (o: { outDir: string; htmlDir: string; stdio: string; env: NodeJS.ProcessEnv }) => {
      status: number;
      stdout: string;
      stderr: string;
    };
  };
  run = runNotebooks({
    outDir: executedDir,
    htmlDir,
    stdio: "pipe",
    // the default static images (SVG), whatever the caller's environment asks for: the tests below check them
    env: { ...process.env, SOUNDCHECK_NOTEBOOK_OUT: out, SOUNDCHECK_FIGURE_IMAGES: "svg" },
  });
});

after(() => {
  if (run?.status === 0 && process.env["SOUNDCHECK_KEEP_NOTEBOOK_RUN"] !== "1")
    rmSync(work, { recursive: true, force: true });
});

test("every notebook runs top to bottom in a fresh kernel without errors or stderr output", { skip: SKIP }, () => {
  assert.equal(run?.status, 0, `notebook run failed:\n${run?.stdout}\n${run?.stderr}`);
  for (const name of NAMES) {
    const nb = executed(name);
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      assert.equal(typeof cell.execution_count, "number", `${name} cell ${i} ran`);
      for (const o of cell.outputs ?? [])
        assert.ok(o.output_type !== "error" && o.name !== "stderr", `${name} cell ${i}: ${text(o.text)}`);
    }
  }
});

test("the committed notebooks have no outputs and run on the project's tslab kernel", () => {
  const committed = readdirSync(join(ROOT, "notebooks"))
    .filter((f) => f.endsWith(".ipynb"))
    .sort();
  assert.deepEqual(
    committed,
    NAMES.map((n) => `${n}.ipynb`),
  );
  for (const f of committed) {
    const nb = readNb(join(ROOT, "notebooks", f));
    assert.equal(nb.metadata.kernelspec?.name, "soundcheck-tslab", f);
    for (const c of nb.cells)
      if (c.cell_type === "code")
        assert.deepEqual([c.outputs, c.execution_count], [[], null], `${f}: clear outputs before committing`);
    assert.ok(nb.cells.filter((c) => c.cell_type === "markdown").length >= 3, `${f} explains its steps`);
    assert.match(
      text(nb.cells.find((c) => c.cell_type === "code")?.source),
      /from "\.\.\/dist\//,
      `${f} imports the built core`,
    );
  }
});

test(
  "each notebook loads plotly.js once, before its first figure, and sends every figure as plotly JSON + HTML + text",
  { skip: SKIP },
  () => {
    for (const name of NAMES) {
      const outs = outputs(name);
      const loaders = outs
        .map((o, i) => (text(o.data?.["text/html"]).includes("window.Plotly.version !==") ? i : -1))
        .filter((i) => i >= 0);
      const figs = outs.map((o, i) => (o.data?.[PLOTLY_MIME] ? i : -1)).filter((i) => i >= 0);
      assert.equal(loaders.length, 1, `${name}: plotly.js inlined once`);
      assert.ok(figs.length > 0 && loaders[0]! < figs[0]!, name);
      for (const i of figs) {
        const d = outs[i]!.data!;
        assert.match(text(d["text/html"]), /class="soundcheck-figure"/);
        assert.match(text(d["text/plain"]), /^Figure "/);
        assert.ok(text(d["text/html"]).length < 1_500_000, `${name}: a figure's HTML stays small`);
      }
    }
  },
);

test("00_overview shows one figure per stage without running the pipeline", { skip: SKIP }, () => {
  const titles = figures("00_overview").map((f) => f.layout.title?.text ?? "");
  for (const stage of ["Stage 1", "Stage 2", "Stage 3", "Stage 4", "Stage 5"])
    assert.ok(
      titles.some((t) => t.startsWith(stage)),
      stage,
    );
  const split = figure("00_overview", /^Stage 3/);
  const predicted = split.data.map((t) => (t["y"] as number[]).reduce((a, b) => a + b, 0));
  const rows = readCsv(join(out, "data", "processed_data", "manifest.csv")).length;
  assert.equal(predicted[0]! + predicted[1]!, rows, "the overview's row count is what preprocess made");
});

test(
  "featureRowOrder, which notebook 00 takes stage 2's row order from, is the order preprocess wrote",
  { skip: SKIP },
  () => {
    const processed = join(out, "data", "processed_data");
    const clips = readCsv(join(processed, "clean_manifest.csv")).map((r) => ({
      source: r.source,
      chunk: r.chunk,
      label: (r.label === "1" ? 1 : 0) as 0 | 1,
    }));
    const planned = featureRowOrder(clips, AUGMENTATION_NAMES).map((r) => [
      r.clip.label,
      r.clip.source,
      r.clip.chunk,
      r.augmentation === null ? "" : AUGMENTATION_NAMES[r.augmentation],
    ]);
    const written = readCsv(join(processed, "manifest.csv")).map((r) => [
      Number(r.label),
      r.source,
      r.chunk,
      r.augmentation,
    ]);
    assert.equal(
      written.length,
      clips.length * 10 - clips.filter((c) => c.label === 0).length * 9,
      "every broken clip has nine copies",
    );
    assert.deepEqual(planned, written);
  },
);

test(
  "01_clean_and_sample shows per-class counts matching its manifest, durations, and example clips with players",
  { skip: SKIP },
  () => {
    const manifest = readCsv(join(out, "data", "processed_data", "clean_manifest.csv"));
    const counts = figure("01_clean_and_sample", /^Recordings and clips per class/);
    assert.deepEqual(counts.data[1]!["y"], [
      manifest.filter((r) => r.label === "0").length,
      manifest.filter((r) => r.label === "1").length,
    ]);
    assert.deepEqual(counts.data[0]!["y"], [20, 20]);
    const durations = figure("01_clean_and_sample", /^Raw recording durations/);
    assert.deepEqual(
      durations.data.map((t) => (t["y"] as number[]).length),
      [20, 20],
    );
    for (const cls of ["normal", "broken"]) {
      figure("01_clean_and_sample", new RegExp(`^Waveform: ${cls} clip`));
      const mel = figure("01_clean_and_sample", new RegExp(`^Mel spectrogram: ${cls} clip`));
      assert.equal((mel.data[0]!["z"] as number[][]).length, 128);
    }
    assert.equal(htmlOf("01_clean_and_sample").match(/<audio controls/g)?.length, 2);
    assert.equal(
      readdirSync(join(out, "data", "broken_audio_samples")).length,
      manifest.filter((r) => r.label === "1").length,
    );
  },
);

test(
  "02_augment_and_extract shows the nine augmentations as spectrograms with players, and MFCC heatmaps of 40 x 100",
  { skip: SKIP },
  () => {
    const gallery = figure("02_augment_and_extract", /^Augmentation gallery/);
    assert.deepEqual(
      gallery.data.map((t) => t["name"]),
      ["original", ...AUGMENTATION_NAMES],
    );
    assert.ok(gallery.data.every((t) => t.type === "heatmap" && (t["z"] as number[][]).length === 64));
    const stretched = gallery.data.find((t) => t["name"] === "stretch")!;
    assert.ok(
      (stretched["x"] as number[]).length < (gallery.data[0]!["x"] as number[]).length,
      "stretch makes the clip shorter",
    );
    assert.equal(htmlOf("02_augment_and_extract").match(/<audio controls/g)?.length, 10);
    const mfcc = figure("02_augment_and_extract", /^MFCC matrices/);
    assert.equal(mfcc.data.length, 2);
    for (const t of mfcc.data)
      assert.deepEqual([(t["z"] as number[][]).length, (t["z"] as number[][])[0]!.length], [40, 100]);
    const manifest = readCsv(join(out, "data", "processed_data", "manifest.csv"));
    assert.match(
      plainTexts("02_augment_and_extract"),
      new RegExp(`${manifest.length} x 40 x 100|${manifest.length} × 40 × 100`),
    );
    const perAugmentation = frameText("02_augment_and_extract", /^rows per augmentation/);
    const brokenClips = manifest.filter((r) => r.label === "1" && r.augmentation === "").length;
    for (const aug of AUGMENTATION_NAMES)
      assert.match(
        perAugmentation,
        new RegExp(`\\b${aug}\\s+${brokenClips}\\s+1\\n`),
        `${aug}: one row per broken clip`,
      );
    assert.match(
      perAugmentation,
      new RegExp(`\\(original\\)\\s+${manifest.filter((r) => r.augmentation === "").length}\\s`),
    );
    assert.ok(existsSync(join(out, "data", "processed_data", "features.npy")));
  },
);

test("03_split shows the class balance of the split it wrote", { skip: SKIP }, () => {
  const indices = JSON.parse(readFileSync(join(out, "data", "processed_data", "split_indices.json"), "utf8")) as {
    train: number[];
    test: number[];
  };
  const labels = readCsv(join(out, "data", "processed_data", "manifest.csv")).map((r) => Number(r.label));
  const count = (rows: number[]) => [0, 1].map((c) => rows.filter((r) => labels[r] === c).length);
  const fig = figure("03_split", /^Class balance per split/);
  assert.deepEqual(
    fig.data.map((t) => t["y"]),
    [count(indices.train), count(indices.test)],
  );
  for (const f of ["X_train.npy", "X_test.npy", "y_train.npy", "y_test.npy"])
    assert.ok(existsSync(join(out, "data", "processed_data", f)), f);
});

test("04_train shows the loss over all 50 thesis epochs, and training against validation loss", { skip: SKIP }, () => {
  const metadata = JSON.parse(readFileSync(join(out, "models", "cnn_model", "metadata.json"), "utf8")) as {
    history: { loss: number[] };
  };
  const loss = figure("04_train", /^Training loss: epoch 50 of 50/);
  assert.equal(loss.data.length, 1);
  assert.deepEqual(
    loss.data[0]!["x"],
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  (loss.data[0]!["y"] as number[]).forEach((v, i) =>
    assert.ok(Math.abs(v - metadata.history.loss[i]!) < 1e-4, `epoch ${i + 1}`),
  );
  const val = figure("04_train", /^Training and validation loss/);
  assert.deepEqual(
    val.data.map((t) => [t["name"], (t["y"] as number[]).length]),
    [
      ["training loss", 50],
      ["validation loss", 50],
    ],
  );
  for (const f of ["model.json", "weights.bin", "metadata.json"])
    assert.ok(existsSync(join(out, "models", "cnn_model", f)), f);
});

test(
  "05_evaluate shows the confusion matrix and per-class metrics it wrote to reports/, and saves thesis figures",
  { skip: SKIP },
  () => {
    const metrics = JSON.parse(readFileSync(join(out, "reports", "metrics.json"), "utf8")) as {
      accuracy: number;
      confusionMatrix: { counts: number[][] };
    };
    const cm = figure("05_evaluate", /^Confusion matrix/);
    assert.deepEqual(cm.data[0]!["z"], metrics.confusionMatrix.counts);
    assert.equal((cm.layout["annotations"] as unknown[]).length, 4);
    const per = figure("05_evaluate", /^Per-class metrics/);
    assert.deepEqual(
      per.data.map((t) => t["name"]),
      ["precision", "recall", "F1"],
    );
    assert.match(plainTexts("05_evaluate"), new RegExp(`\\b${metrics.accuracy.toFixed(4)}\\b`));
    for (const base of ["confusion_matrix", "per_class_metrics"])
      for (const ext of ["svg", "png", "pdf"]) {
        const f = join(out, "figures", `${base}.${ext}`);
        assert.ok(existsSync(f) && statSync(f).size > 1000, f);
      }
  },
);

test(
  "06_evaluation_beyond_accuracy runs the recommended preset without leakage, shows ROC/PR/scores of what it wrote, CV, unseen data and the comparison with the thesis run",
  { skip: SKIP },
  () => {
    const name = "06_evaluation_beyond_accuracy";
    const runDir = join(out, "recommended", "reports", "recommended");
    const metrics = JSON.parse(readFileSync(join(runDir, "metrics.json"), "utf8")) as {
      rocAuc: number;
      threshold: { value: number };
      models: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(metrics.models), ["cnn", "logistic-regression", "autoencoder"]);
    const texts = outputs(name)
      .map((o) => text(o.data?.["text/markdown"] ?? o.data?.["text/plain"] ?? o.text))
      .join("\n");
    assert.match(texts, /Recordings on more than one side: 0\./);
    assert.match(texts, new RegExp(`P\\(broken\\) ≥ ${metrics.threshold.value.toFixed(4)}`));
    const roc = figure(name, /^ROC curves \(test set\)/);
    const stored = JSON.parse(readFileSync(join(runDir, "figures", "roc.plotly.json"), "utf8")) as Fig;
    assert.deepEqual(
      roc.data.map((t) => t["y"]),
      stored.data.map((t) => t["y"]),
      "the notebook shows the figure the run wrote",
    );
    assert.match(String(roc.data[0]!["name"]), new RegExp(`AUC ${metrics.rocAuc.toFixed(3)}`));
    figure(name, /^Precision-recall curves \(test set\)/);
    const hist = figure(name, /^Scores per class, cnn/);
    assert.equal(
      (hist.layout["shapes"] as Array<{ x0: number }>)[0]!.x0,
      metrics.threshold.value,
      "threshold line at the stored threshold",
    );
    figure(name, /^Cross-validation, 1 x 3 folds/);
    figure(name, /^Scores per class \(unseen data\)/);
    const folds = readCsv(join(runDir, "cv_folds.csv"));
    assert.equal(
      folds.filter((r) => r.level === "window" && Object.keys(metrics.models).includes(r.model)).length,
      9,
      "3 folds x 3 models",
    );
    const perModel = frameText(name, /^cv_folds\.csv per model and level/);
    assert.match(perModel, /\bcnn\s+window\s+3\b/, "the fold table counts the CNN's 3 folds");
    const perDomain = frameText(name, /^the CNN per domain and true class/);
    for (const domain of ["source", "target"])
      assert.match(perDomain, new RegExp(`\\b${domain}\\b`), `a row for the ${domain} domain`);
    const perRecording = frameText(name, /^the CNN per test recording/);
    const testRecordings = new Set(readCsv(join(runDir, "test_predictions.csv")).map((r) => r.source)).size;
    assert.match(perRecording, new RegExp(`\\n${testRecordings} rows × 8 columns$`), "one row per test recording");
    assert.equal(readCsv(join(runDir, "unseen_recordings.csv")).length, 12);
    // notebook 05 ran first, so the comparison holds both runs
    assert.match(texts, /recommended \(recommended, grouped split/);
    assert.match(texts, /reports \(thesis, row-level split/);
    assert.match(texts, /thesis \(rows\)/, "the thesis split's leakage is counted");
  },
);

test(
  "07_which_representation_hears_the_fault shows the ranked sweep it wrote, its figures and the per-band class separation",
  { skip: SKIP },
  () => {
    const name = "07_which_representation_hears_the_fault";
    const runDir = join(out, "recommended", "reports", "sweep");
    const rows = readCsv(join(runDir, "sweep.csv"));
    assert.equal(rows.length, 48, "4 representations x 4 poolings x 3 models");
    assert.deepEqual(
      rows.map((r) => Number(r.rank)),
      rows.map((_, i) => i + 1),
    );
    const texts = outputs(name)
      .map((o) => text(o.data?.["text/plain"] ?? o.text))
      .join("\n");
    assert.ok(texts.includes(rows[0]!.name!), "the table shows the best cell");
    const heatmap = figure(name, /^Sweep: mean ROC AUC per recording/);
    const stored = JSON.parse(readFileSync(join(runDir, "figures", "sweep_roc_auc.plotly.json"), "utf8")) as Fig;
    assert.deepEqual(
      heatmap.data.map((t) => t["z"]),
      stored.data.map((t) => t["z"]),
      "the notebook shows the figure the run wrote",
    );
    assert.deepEqual(
      heatmap.data.map((t) => t["name"]),
      ["logistic-regression", "knn", "mahalanobis"],
    );
    figure(name, /^Sweep: the 15 best cells/);
    const separation = figure(name, /^Class separation per log-mel band/);
    assert.deepEqual(
      separation.data.map((t) => (t["y"] as number[]).length),
      [128, 128, 128],
    );
    for (const f of ["sweep.json", "sweep.md", "config.json", "provenance.json"])
      assert.ok(existsSync(join(runDir, f)), f);
  },
);

test("the notebooks never touch the raw recordings in data/", { skip: SKIP }, () => {
  assert.deepEqual(rawListing(), rawBefore);
});

test(
  "every figure in each notebook's HTML export draws in headless Chromium without console errors",
  { skip: SKIP, timeout: 300_000 },
  async () => {
    mkdirSync(screenshotDir, { recursive: true });
    const browser = await launchTestBrowser();
    try {
      for (const name of NAMES) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        // offline: nothing may be fetched from the network (MathJax from a CDN, for instance, is allowed to fail quietly)
        await page.route(/^https?:/, (route) => route.abort());
        await page.goto(`file://${join(htmlDir, `${name}.html`)}`);
        const expected = figures(name);
        await page
          .waitForFunction(
            (n) => {
              const divs = Array.from(document.querySelectorAll(".soundcheck-figure"));
              return divs.length === n && divs.every((d) => d.querySelector("svg.main-svg .trace, svg.main-svg image"));
            },
            expected.length,
            { timeout: 60_000 },
          )
          .catch(() => undefined);
        const drawn = await page.evaluate(() =>
          Array.from(document.querySelectorAll(".soundcheck-figure")).map((d) => {
            const svg = d.querySelector("svg.main-svg");
            const r = (svg ?? d).getBoundingClientRect();
            return {
              width: Math.round(r.width),
              height: Math.round(r.height),
              // scatter, bar and box traces are <g class="trace">; heatmaps are an <image> per trace
              traces: d.querySelectorAll("svg.main-svg .trace, svg.main-svg image").length,
              title: d.querySelector(".gtitle")?.textContent ?? "",
            };
          }),
        );
        await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
        assert.equal(drawn.length, expected.length, `${name}: every figure has its div`);
        drawn.forEach((d, i) => {
          const f = expected[i]!;
          assert.equal(d.title, f.layout.title?.text, `${name} figure ${i}`);
          assert.deepEqual(
            [d.width, d.height],
            [Math.min(f.layout.width ?? 720, 1280), f.layout.height ?? 420],
            `${name} "${d.title}" size`,
          );
          assert.ok(d.traces >= 1, `${name} "${d.title}" drew its traces`);
        });
        const relevant = errors.filter(
          (e) => !/net::ERR_FAILED|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e),
        );
        assert.deepEqual(relevant, [], `${name}: console errors`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  },
);

test(
  "static viewers: every figure output of every executed notebook shows a drawn image in nbconvert's HTML (lab and classic templates) opened with JavaScript off",
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const staticDir = join(work, "static-viewer");
    const browser = await launchTestBrowser();
    const rows: string[] = [];
    const drawn = (figs: StaticFigure[]) => figs.filter((f) => f.drawn !== null).length;
    try {
      for (const name of NAMES) {
        const ipynb = join(executedDir, `${name}.ipynb`);
        const indexes = figureOutputIndexes(ipynb);
        assert.ok(indexes.length > 0, `${name}: the executed notebook holds figure outputs`);
        const seen: Record<HtmlTemplate, StaticFigure[]> = { lab: [], classic: [] };
        for (const template of ["lab", "classic"] as const) {
          const html = await nbconvertHtml(ipynb, staticDir, template);
          seen[template] = await staticFigures(browser, html, outputs(name).length, indexes);
        }
        rows.push(
          `${name.padEnd(40)} ${String(indexes.length).padStart(7)} ${`${drawn(seen.lab)}`.padStart(12)} ` +
            `${`${drawn(seen.classic)}`.padStart(16)} ${seen.lab.map((f) => f.drawn ?? "none").join(",")}`,
        );
        for (const template of ["lab", "classic"] as const)
          seen[template].forEach((f, i) =>
            assert.ok(
              f.drawn !== null && f.width > 0 && f.height > 0,
              `${name} (${template} template) figure ${i + 1} of ${indexes.length} shows no image without JavaScript`,
            ),
          );
      }
      // the control: the same outputs without their static images show nothing here
      const strippedFile = join(staticDir, "03_split_without_images.ipynb");
      writeFileSync(strippedFile, JSON.stringify(withoutStaticImages("03_split")));
      const control = await staticFigures(
        browser,
        await nbconvertHtml(strippedFile, staticDir, "lab"),
        outputs("03_split").length,
        figureOutputIndexes(strippedFile),
      );
      assert.deepEqual(
        [control.length, drawn(control)],
        [figures("03_split").length, 0],
        "control: without the static images nothing is drawn",
      );
    } finally {
      const header = `${"notebook".padEnd(40)} figures  drawn (lab)  drawn (classic)  what (lab)`;
      process.stdout.write(
        `# static viewers: figure outputs drawn in nbconvert HTML with JavaScript off\n` +
          `${[header, ...rows].map((r) => `#   ${r}`).join("\n")}\n`,
      );
      await browser.close();
    }
  },
);

test(
  "every figure output's image/svg+xml is a standalone SVG a viewer can show without scripts: well-formed, sized, no script, nothing fetched",
  { skip: SKIP, timeout: 300_000 },
  async () => {
    const browser = await launchTestBrowser();
    const counts: string[] = [];
    try {
      const page = await browser.newPage();
      for (const name of NAMES) {
        const svgs = figureSvgs(join(executedDir, `${name}.ipynb`));
        for (const [i, svg] of svgs.entries()) {
          assert.ok(svg !== null, `${name} figure ${i + 1}: no image/svg+xml in its output`);
          assert.deepEqual(await svgProblems(page, svg), [], `${name} figure ${i + 1}: its image/svg+xml`);
        }
        counts.push(`${name} ${svgs.length}`);
      }
    } finally {
      process.stdout.write(`# standalone image/svg+xml checked per notebook: ${counts.join(", ")}\n`);
      await browser.close();
    }
  },
);

test(
  "JupyterLab (the classic Notebook where JupyterLab is not installed, said in the output) draws every figure output of every notebook: run fresh, saved and reopened, reopened untrusted elsewhere, and as notebooks:render wrote it",
  { skip: SKIP, timeout: 1_800_000 },
  async (t) => {
    const frontend = findFrontend();
    assert.ok(
      frontend,
      "neither JupyterLab (.venv-jupyterlab, made by .ci/run) nor Debian's classic Notebook (apt install jupyter-notebook) is installed",
    );
    // said in the test output either way, so a run in the classic Notebook is never mistaken for a JupyterLab check
    t.diagnostic(`front end: ${frontend.why}`);
    process.stdout.write(`# notebooks in a real front end: ${frontend.why}\n`);
    const executablePath = findChromium();
    assert.ok(executablePath, "no Chromium: install it (Debian: apt install chromium) or set SOUNDCHECK_CHROMIUM");
    const labWork = join(work, "frontend");
    mkdirSync(screenshotDir, { recursive: true });
    const env = { ...process.env, SOUNDCHECK_NOTEBOOK_OUT: join(labWork, "generated") };
    // "here": the machine that ran and saved the notebooks; "elsewhere": another machine (its own signature database), where nothing is trusted
    const here = await JupyterServer.start(
      frontend,
      join(labWork, "here"),
      NAMES.map((n) => `${n}.ipynb`),
      env,
    );
    const elsewhere = await JupyterServer.start(frontend, join(labWork, "elsewhere"), [], env, false); // views only: no kernel
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
    const rows: string[] = [];
    const drawn = (figs: DrawnFigure[]) => figs.filter((f) => f.interactive || f.staticImage).length;
    try {
      for (const name of NAMES) {
        const file = `${name}.ipynb`;
        let page = await here.open(browser, file);
        await here.runAll(page, 900_000);
        await here.save(page);
        await page.waitForTimeout(500);
        const expected = figureOutputsIn(join(here.root, "notebooks", file));
        assert.ok(expected > 0, `${name}: the saved notebook holds figure outputs`);
        const fresh = await here.figures(page, expected, 60_000, true);
        await page.evaluate(
          'document.querySelector(".jp-OutputArea-output .soundcheck-figure, .output_subarea .soundcheck-figure")?.scrollIntoView()',
        );
        await page.screenshot({ path: join(screenshotDir, `${frontend.kind}-${name}-fresh.png`) });
        await page.close();

        page = await here.open(browser, file);
        const reopened = await here.figures(page, expected);
        const reopenedTrusted = await here.trusted(page);
        await page.close();

        copyFileSync(join(here.root, "notebooks", file), join(elsewhere.root, "notebooks", file));
        copyFileSync(join(executedDir, file), join(elsewhere.root, "notebooks", `rendered_${file}`));
        page = await elsewhere.open(browser, file, false);
        const untrusted = await elsewhere.figures(page, expected);
        const untrustedTrusted = await elsewhere.trusted(page);
        await page.evaluate(
          'document.querySelector(".jp-OutputArea-output .soundcheck-figure, .output_subarea .soundcheck-figure")?.scrollIntoView()',
        );
        await page.screenshot({ path: join(screenshotDir, `${frontend.kind}-${name}-reopened-untrusted.png`) });
        await page.close();
        const renderedExpected = figureOutputsIn(join(executedDir, file));
        page = await elsewhere.open(browser, `rendered_${file}`, false);
        const rendered = await elsewhere.figures(page, renderedExpected);
        const renderedTrusted = await elsewhere.trusted(page);
        await page.close();
        if (name === "03_split") {
          // the control: the same outputs without their static images draw nothing untrusted (as before images existed)
          writeFileSync(
            join(elsewhere.root, "notebooks", `without_images_${file}`),
            JSON.stringify(withoutStaticImages(name)),
          );
          page = await elsewhere.open(browser, `without_images_${file}`, false);
          const control = await elsewhere.figures(page, renderedExpected, 10_000);
          await page.close();
          assert.deepEqual(
            [control.length, drawn(control)],
            [renderedExpected, 0],
            "control: without the static images nothing is drawn untrusted",
          );
        }
        await here.shutdownKernels();

        rows.push(
          `${name.padEnd(40)} ${String(expected).padStart(7)} ${`${drawn(fresh)}`.padStart(6)} ${`${drawn(reopened)}${reopenedTrusted ? " (trusted)" : ""}`.padStart(18)} ${`${drawn(untrusted)}`.padStart(18)} ${`${drawn(rendered)}/${renderedExpected}`.padStart(16)}`,
        );
        assert.equal(fresh.length, expected, `${name}: a figure output per figure, run fresh`);
        assert.ok(
          fresh.every((f) => f.interactive),
          `${name}: run fresh, plotly.js draws every figure (interactive)`,
        );
        assert.equal(drawn(reopened), expected, `${name}: every figure drawn after saving and reopening`);
        assert.equal(untrustedTrusted, false, `${name}: opened elsewhere, the notebook is untrusted`);
        assert.equal(drawn(untrusted), expected, `${name}: every figure drawn when reopened untrusted`);
        assert.ok(
          untrusted.every((f) => f.staticImage && !f.interactive),
          `${name}: untrusted, the scripts are stripped and the static images show`,
        );
        assert.equal(renderedTrusted, false, `${name}: the rendered notebook is untrusted`);
        assert.equal(drawn(rendered), renderedExpected, `${name}: every figure of the notebooks:render output drawn`);
      }
    } finally {
      const header = `${"notebook".padEnd(40)} figures  fresh  saved+reopened  reopened untrusted  notebooks:render`;
      process.stdout.write(
        `# drawn figure outputs in ${frontend.why}\n${[header, ...rows].map((r) => `#   ${r}`).join("\n")}\n`,
      );
      await browser.close();
      await Promise.all([here.stop(), elsewhere.stop()]);
    }
  },
);
