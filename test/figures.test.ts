import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  confusionMatrixFigure,
  findChromium,
  lossCurveFigure,
  melBandCentersHz,
  mfccFigure,
  perClassMetricsFigure,
  saveFigure,
  spectrogramGridFigure,
  themedFigure,
  waveformEnvelope,
  FONT_FAMILY,
  PALETTE,
  type Figure,
} from "../src/plots";
import {
  closeFigureImages,
  configureFigureImages,
  figureBundle,
  figureImage,
  figureImageStats,
  LiveDisplay,
  loadPlotly,
  notebookConfig,
  NotebookReporter,
  plotlyLoaderBundle,
  plotlyVersion,
  PLOTLY_MIME,
  scriptJson,
  setDisplaySink,
  showFigure,
  tableBundle,
  tslabSink,
  type MimeBundle,
} from "../src/notebook";
import { classificationReport } from "../src/evaluate/metrics";
import { dataPath, thesisConfig } from "../src/config/pipeline";
import { emptyGeneratedFolder } from "../src/data/dataset";
import { saveNpy } from "../src/data/npy";
import { trainStage } from "../src/pipeline/stages/train";
import { CollectingReporter } from "../src/util/reporter";
import { SPLIT_FILES } from "../src/pipeline/stages/split";
import type { Matrix } from "../src/dsp/matrix";

const ROOT = resolve(__dirname, "..");
const matrix = (rows: number, cols: number, f: (r: number, c: number) => number): Matrix => {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
  return { rows, cols, data };
};

/** Collect what would be displayed, instead of sending it to a kernel. */
function captureDisplays(run: () => void): Array<{ bundle: MimeBundle; id: string | undefined; update: boolean }> {
  const seen: Array<{ bundle: MimeBundle; id: string | undefined; update: boolean }> = [];
  setDisplaySink((bundle, id, update) => seen.push({ bundle, id, update }));
  try {
    run();
  } finally {
    setDisplaySink(null);
  }
  return seen;
}

test("a figure's bundle carries plotly JSON, HTML that draws it with the page's plotly.js, and a text description", () => {
  const fig = lossCurveFigure({ loss: [0.7, 0.5, 0.3] });
  const bundle = figureBundle(fig, "fig-1");
  assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
  assert.deepEqual((bundle[PLOTLY_MIME] as Figure).data, fig.data);
  const html = bundle["text/html"] as string;
  assert.match(html, /<div id="fig-1" class="soundcheck-figure" style="width:720px;height:380px/);
  assert.match(html, /window\.Plotly\.newPlot\(el, fig\.data, fig\.layout, fig\.config\)/);
  assert.ok(!html.includes("plotly.js v"), "the library itself is not inlined per figure");
  assert.ok(html.length < 20_000);
  assert.equal(bundle["text/plain"], 'Figure "Training loss": 1 scatter trace, 720 x 380 px');
});

test("with a static image, a figure's bundle carries it beside the plotly JSON and shows it inside the HTML until plotly.js draws", () => {
  const fig = lossCurveFigure({ loss: [0.7, 0.5, 0.3] });
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="380"></svg>';
  const bundle = figureBundle(fig, "fig-2", { mime: "image/svg+xml", data: svg, width: 720, height: 380 });
  assert.deepEqual(Object.keys(bundle).sort(), [
    "application/vnd.plotly.v1+json",
    "image/svg+xml",
    "text/html",
    "text/plain",
  ]);
  assert.equal(bundle["image/svg+xml"], svg);
  const html = bundle["text/html"] as string;
  const img = `<img class="soundcheck-figure-static" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}" width="720" height="380"`;
  assert.ok(
    html.startsWith(`<div id="fig-2" class="soundcheck-figure" style="width:720px;height:380px;max-width:100%">${img}`),
    html.slice(0, 300),
  );
  assert.match(html, /el\.textContent = ""; window\.Plotly\.newPlot/, "the interactive figure replaces the image");
  assert.match(
    html,
    /if \(el && !el\.firstChild\) el\.textContent = "plotly\.js is not loaded/,
    "without plotly.js the image stays",
  );
  const png = figureBundle(fig, "fig-3", { mime: "image/png", data: "iVBORw0KGgo=", width: 720, height: 380 });
  assert.equal(png["image/png"], "iVBORw0KGgo=");
  assert.match(png["text/html"] as string, /src="data:image\/png;base64,iVBORw0KGgo="/);
});

test(
  "figureImage draws figures with one warm Chromium: the browser starts once, later figures reuse it",
  { timeout: 120_000 },
  async () => {
    assert.ok(
      findChromium(),
      "no Chromium found: install it (Debian: apt install chromium) or set SOUNDCHECK_CHROMIUM",
    );
    configureFigureImages({ enabled: true, format: "svg" });
    try {
      const before = figureImageStats();
      const first = figureImage(
        confusionMatrixFigure(
          [
            [5, 1],
            [0, 9],
          ],
          ["normal", "broken"],
        ),
      );
      const afterFirst = figureImageStats();
      const second = figureImage(lossCurveFigure({ loss: [0.9, 0.4] }, "Second figure"));
      const afterSecond = figureImageStats();
      assert.ok(first && second);
      assert.equal(first.mime, "image/svg+xml");
      assert.match(first.data, /^<svg[^>]*width="520" height="460"/);
      assert.match(first.data, /Confusion matrix \(test set\)/);
      assert.match(second.data, /Second figure/);
      assert.deepEqual([second.width, second.height], [720, 380]);
      assert.equal(afterSecond.figures - before.figures, 2);
      assert.ok(afterFirst.launchMs > before.launchMs, "the first figure started the browser");
      assert.equal(afterSecond.launchMs, afterFirst.launchMs, "the second figure reused it");
      configureFigureImages({ format: "png", scale: 2 });
      const png = Buffer.from(figureImage(lossCurveFigure({ loss: [1] }))!.data, "base64");
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1440, 760], "PNG at 2 pixels per CSS pixel");
    } finally {
      configureFigureImages({ enabled: undefined, format: undefined, scale: undefined });
      await closeFigureImages();
    }
  },
);

test("without static images, the first figure says once what a reopened notebook will miss", () => {
  configureFigureImages({ enabled: false });
  try {
    const seen = captureDisplays(() => {
      showFigure(lossCurveFigure({ loss: [1] }));
      showFigure(lossCurveFigure({ loss: [1, 0.5] }));
    });
    assert.equal(seen.length, 3);
    assert.match(
      seen[0]!.bundle["text/plain"] as string,
      /^note: Figures in this notebook have no static image: static figure images are turned off .* blank/,
    );
    for (const s of seen.slice(1))
      assert.deepEqual(Object.keys(s.bundle).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
  } finally {
    configureFigureImages({ enabled: undefined });
  }
});

test("figure JSON inside a script cannot close the script element", () => {
  const fig = themedFigure([{ type: "scatter", name: "</script><script>alert(1)</script>" }], {});
  const html = figureBundle(fig, "x")["text/html"] as string;
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  assert.equal(JSON.parse(scriptJson("</script>")), "</script>");
});

test("the plotly.js loader inlines the library once, guarded by its version", () => {
  const html = plotlyLoaderBundle()["text/html"] as string;
  assert.ok(html.length > 3_000_000, "the minified library is inlined");
  assert.match(html, new RegExp(`window\\.Plotly\\.version !== "${plotlyVersion().replace(/\./g, "\\.")}"`));
  assert.equal(html.match(/<\/script>/gi)?.length, 1);
});

test("displays go to the sink as one message per bundle, and nowhere outside a kernel", () => {
  assert.equal(tslabSink(), null);
  const seen = captureDisplays(() => loadPlotly());
  assert.equal(seen.length, 1);
  assert.ok((seen[0]!.bundle["text/plain"] as string).startsWith("plotly.js"));
});

test("tslab still exposes the kernel's display writer the bundles are sent through", () => {
  const jupyter = require("tslab/dist/jupyter") as Record<string, unknown>;
  assert.ok(
    "lastWriteDisplayData" in jupyter,
    "tslab/dist/jupyter.lastWriteDisplayData is gone: update src/notebook/display.ts for this tslab",
  );
});

test("a live display creates its output once and then replaces it under the same id", () => {
  const seen = captureDisplays(() => {
    const live = new LiveDisplay();
    live.showFigure(lossCurveFigure({ loss: [1] }));
    live.showFigure(lossCurveFigure({ loss: [1, 0.5] }));
  });
  assert.deepEqual(
    seen.map((s) => s.update),
    [false, true],
  );
  assert.ok(seen[0]!.id !== undefined && seen[0]!.id === seen[1]!.id);
});

test(
  "a live display redrawn faster than its image interval skips the static images in between, and finish() gives the last figure its image",
  { timeout: 120_000 },
  async () => {
    configureFigureImages({ enabled: true, format: "svg" });
    try {
      const seen = captureDisplays(() => {
        const live = new LiveDisplay(60_000);
        for (const n of [1, 2, 3])
          live.showFigure(lossCurveFigure({ loss: Array.from({ length: n }, (_, i) => 1 / (i + 1)) }, `epoch ${n}`));
        live.finish();
        live.finish(); // nothing left to finish
      });
      assert.deepEqual(
        seen.map((s) => "image/svg+xml" in s.bundle),
        [true, false, false, true],
      );
      assert.deepEqual(
        seen.map((s) => s.update),
        [false, true, true, true],
      );
      assert.ok(seen.every((s) => s.id === seen[0]!.id));
      assert.match(seen[3]!.bundle["image/svg+xml"] as string, /epoch 3/, "the image is of the last figure");
    } finally {
      configureFigureImages({ enabled: undefined, format: undefined });
      await closeFigureImages();
    }
  },
);

test("the notebook reporter shows warnings and progress as outputs, never on stderr", () => {
  const seen = captureDisplays(() => {
    const r = new NotebookReporter();
    r.progress("clean", 1, 4);
    r.warn("only one class");
  });
  const texts = seen.map((s) => s.bundle["text/plain"]);
  assert.ok(texts.includes("clean: 1/4 (25 %)"));
  assert.ok(texts.includes("warning: only one class"));
});

test("the train stage hands every epoch to the reporter, and logs every logEveryEpochs-th", async () => {
  const root = mkdtempSync(join(tmpdir(), "soundcheck-epochs-"));
  const config = thesisConfig(root);
  config.train = { ...config.train, epochs: 3, logEveryEpochs: 2, validationFraction: 0.25, backend: "cpu" };
  config.modelDir = join(root, "model");
  const processed = dataPath(config, "processed");
  mkdirSync(processed, { recursive: true });
  const n = 8;
  const x = new Float32Array(n * 40 * 100).map((_, i) => Math.sin(i * 0.01) * ((i / 4000) % 2 ? 1 : -1));
  saveNpy(join(processed, SPLIT_FILES.xTrain), { dtype: "<f4", shape: [n, 40, 100], data: x });
  saveNpy(join(processed, SPLIT_FILES.yTrain), {
    dtype: "<i8",
    shape: [n],
    data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2)),
  });
  const reporter = new CollectingReporter();
  const trained = await trainStage(config, reporter);
  assert.deepEqual(
    reporter.epochs.map((e) => e.epoch),
    [1, 2, 3],
  );
  reporter.epochs.forEach((e, i) => {
    assert.equal(e.epochs, 3);
    assert.equal(e.loss, trained.history.loss[i]);
    assert.equal(e.valLoss, trained.history.valLoss![i]);
  });
  const logged = reporter.infos.filter((m) => m.startsWith("Epoch ["));
  assert.equal(logged.length, 2);
  assert.match(logged[0]!, /^Epoch \[2\/3\], Loss: /);
  assert.match(logged[1]!, /^Epoch \[3\/3\], Loss: /);
});

test("tables show numbers right-aligned with fixed decimals, in HTML and text", () => {
  const b = tableBundle(
    ["class", "recall"],
    [
      ["normal", 0.5],
      ["broken", 1],
    ],
    2,
  );
  assert.match(b["text/html"] as string, /<td style="text-align:right;padding:2px 10px">0\.50<\/td>/);
  assert.equal(b["text/plain"], "class   recall\nnormal    0.50\nbroken       1");
});

test("every figure uses the theme: one font stack, the colour-blind safe palette, framed axes on every subplot", () => {
  const grid = spectrogramGridFigure(
    [1, 2, 3].map((i) => ({ name: `p${i}`, melDb: matrix(8, 5, () => -i) })),
    22050,
    512,
    "grid",
    2,
  );
  for (const fig of [grid, lossCurveFigure({ loss: [1] })]) {
    assert.equal((fig.layout["font"] as { family: string }).family, FONT_FAMILY);
    assert.deepEqual(fig.layout["colorway"], [...PALETTE]);
  }
  for (const axis of ["xaxis", "xaxis2", "yaxis3"])
    assert.equal((grid.layout[axis] as { showline: boolean }).showline, true, axis);
});

test("the confusion matrix is annotated with each cell's count and share of its row", () => {
  const fig = confusionMatrixFigure(
    [
      [3, 1],
      [2, 14],
    ],
    ["normal", "broken"],
  );
  const texts = (fig.layout["annotations"] as Array<{ text: string }>).map((a) => a.text);
  assert.deepEqual(texts, [
    "<b>3</b><br>75 % of row",
    "<b>1</b><br>25 % of row",
    "<b>2</b><br>13 % of row",
    "<b>14</b><br>88 % of row",
  ]);
  assert.deepEqual(fig.data[0]!["z"], [
    [3, 1],
    [2, 14],
  ]);
  assert.equal((fig.layout["yaxis"] as { autorange: string }).autorange, "reversed", "true classes read top to bottom");
});

test("per-class metrics match the classification report", () => {
  const report = classificationReport([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ["normal", "broken"]);
  const fig = perClassMetricsFigure(report);
  assert.deepEqual(
    fig.data.map((t) => t["name"]),
    ["precision", "recall", "F1"],
  );
  assert.deepEqual(fig.data[1]!["y"], [0.5, 0.667]);
});

test("the loss figure adds a validation curve only when there is one", () => {
  assert.equal(lossCurveFigure({ loss: [1, 0.5] }).data.length, 1);
  const both = lossCurveFigure({ loss: [1, 0.5], valLoss: [1.1, 0.7], epochs: 50 });
  assert.deepEqual(
    both.data.map((t) => t["name"]),
    ["training loss", "validation loss"],
  );
  assert.deepEqual((both.layout["xaxis"] as { range: number[] }).range, [0.5, 50.5]);
});

test("the waveform envelope keeps every bucket's extremes in time order", () => {
  const x = new Float32Array(100_000).map((_, i) => Math.sin(i / 50) * (i === 77_777 ? 0 : 0.5));
  x[12_345] = 0.99;
  x[54_321] = -0.98;
  const { t, y } = waveformEnvelope(x, 22050, 100);
  assert.equal(y.length, 200);
  assert.equal(Math.max(...y), 0.99);
  assert.equal(Math.min(...y), -0.98);
  assert.ok(t.every((v, i) => i === 0 || v >= t[i - 1]!));
});

test("mel band centres rise from near 0 Hz to below the top frequency, 1 kHz near the middle of 128 bands", () => {
  const c = melBandCentersHz(128, 11025);
  assert.ok(c.every((v, i) => i === 0 || v > c[i - 1]!));
  assert.ok(c[0]! > 20 && c[0]! < 30 && c[127]! < 11025 && c[127]! > 10_500);
  const k = c.findIndex((v) => v >= 1000);
  assert.ok(k > 30 && k < 50, `1 kHz at band ${k}`);
});

test("MFCC colours are centred on 0 and scaled without coefficient 0", () => {
  const m = matrix(40, 10, (r) => (r === 0 ? -500 : r % 2 ? 3 : -3));
  const t = mfccFigure([{ name: "a", mfcc: m }], 22050, 512, "m").data[0]!;
  assert.equal(t["zmid"], 0);
  assert.equal(t["zmax"], 3);
  assert.equal(t["zmin"], -3);
});

test("notebooks read the raw recordings in data/ and write only under their own output root", () => {
  const saved = process.env["SOUNDCHECK_NOTEBOOK_OUT"];
  const out = mkdtempSync(join(tmpdir(), "soundcheck-nbcfg-"));
  process.env["SOUNDCHECK_NOTEBOOK_OUT"] = out;
  try {
    const config = notebookConfig({ train: { epochs: 7 } });
    assert.equal(dataPath(config, "rawBroken"), join(ROOT, "data", "broken_audio"));
    assert.equal(dataPath(config, "rawNormal"), join(ROOT, "data", "normal_audio"));
    for (const key of ["brokenSamples", "normalSamples", "augmentedBroken", "processed"] as const)
      assert.ok(dataPath(config, key).startsWith(out + "/"), key);
    assert.ok(config.modelDir.startsWith(out) && config.reportsDir.startsWith(out));
    assert.equal(config.train.epochs, 7);
    assert.equal(config.train.logEveryEpochs, 1);
    assert.equal(emptyGeneratedFolder(config, "processed"), join(out, "data", "processed_data"));
  } finally {
    if (saved === undefined) delete process.env["SOUNDCHECK_NOTEBOOK_OUT"];
    else process.env["SOUNDCHECK_NOTEBOOK_OUT"] = saved;
  }
});

test("jupyter:install registers a kernelspec that starts this project's tslab", () => {
  const prefix = mkdtempSync(join(tmpdir(), "soundcheck-kernelspec-"));
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "jupyter-install.mjs"), "--prefix", prefix], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const spec = JSON.parse(
    readFileSync(join(prefix, "share", "jupyter", "kernels", "soundcheck-tslab", "kernel.json"), "utf8"),
  ) as { argv: string[]; language: string };
  assert.deepEqual(spec.argv, [
    process.execPath,
    join(ROOT, "node_modules", "tslab", "bin", "tslab"),
    "kernel",
    "--config-path",
    "{connection_file}",
  ]);
  assert.equal(spec.language, "typescript");
});

test(
  "saveFigure writes SVG, a print-scale PNG and a PDF with embedded fonts, with the installed Chromium",
  { timeout: 120_000 },
  async () => {
    assert.ok(
      findChromium(),
      "no Chromium found: install it (Debian: apt install chromium) or set SOUNDCHECK_CHROMIUM",
    );
    const dir = mkdtempSync(join(tmpdir(), "soundcheck-save-"));
    const files = await saveFigure(
      confusionMatrixFigure(
        [
          [5, 1],
          [0, 9],
        ],
        ["normal", "broken"],
      ),
      join(dir, "cm.pdf"),
    );
    assert.deepEqual(
      files,
      ["svg", "png", "pdf"].map((e) => join(dir, `cm.${e}`)),
    );
    const svg = readFileSync(files[0]!, "utf8");
    assert.match(svg, /^<svg[^>]*width="520" height="460"/);
    assert.match(svg, /Confusion matrix \(test set\)/);
    const png = readFileSync(files[1]!);
    assert.equal(png.readUInt32BE(16), 520 * 4, "PNG width = 4 x the figure's");
    assert.equal(png.readUInt32BE(20), 460 * 4);
    const pdf = readFileSync(files[2]!).toString("latin1");
    assert.ok(pdf.startsWith("%PDF-"));
    assert.match(pdf, /\/FontFile2/, "fonts are embedded");
    assert.match(pdf, /\/MediaBox \[0 0 390 345(\.\d+)?\]/, "page = figure size (520 x 460 px = 390 x 345 pt)");
    writeFileSync(join(dir, "ok"), "");
  },
);
