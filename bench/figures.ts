/**
 * What the notebooks' static figure images cost (src/notebook/figureImages.ts): the first figure
 * of a kernel (starts the warm Chromium and loads plotly.js), then each later figure, per kind of
 * figure the notebooks show, as SVG (the default) and PNG at 2x; and, for comparison, a cold
 * browser per figure (what a renderer without reuse would pay). Sizes are of the data stored in
 * the notebook (SVG text, PNG base64), which a figure output holds twice (its image/* entry and
 * the <img> inside its HTML, base64).
 *
 * Figures are drawn from the demo recordings in data/ (waveform, mel spectrogram, MFCC, the
 * ten-panel augmentation gallery) and from small hand-made numbers (loss curve, confusion matrix,
 * ROC, bars), in the project's theme, the way the notebooks build them.
 *
 * Usage: npm run bench:figures [-- --repeats 5]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { loadAudio } from "../src/audio/load";
import { augmentAll } from "../src/augment";
import { thesisConfig } from "../src/config/pipeline";
import { melSpectrogramDb, mfccFeatures } from "../src/dsp/mfcc";
import { listAudioFiles } from "../src/data/dataset";
import { silentReporter } from "../src/util/reporter";
import {
  confusionMatrixFigure,
  lossCurveFigure,
  melSpectrogramFigure,
  mfccFigure,
  rocFigure,
  splitBalanceFigure,
  spectrogramGridFigure,
  waveformFigure,
  FigureRenderer,
  type Figure,
} from "../src/plots";
import { closeFigureImages, configureFigureImages, figureImage, figureImageStats } from "../src/notebook/figureImages";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function figures(): Promise<Array<{ kind: string; figure: Figure }>> {
  const config = thesisConfig(join(__dirname, ".."));
  const rate = config.features.sampleRateHz;
  const file = listAudioFiles(join(config.dataRoot, config.layout.rawBroken), silentReporter)[0] as string;
  const clip = (await loadAudio(file, rate)).samples.subarray(0, 3 * rate);
  const copies = augmentAll(clip, rate, config.augment, 42);
  const small = { ...config.features, nMels: 64 };
  const roc = Array.from({ length: 50 }, (_, i) => i / 49);
  return [
    { kind: "waveform (3 s)", figure: waveformFigure(clip, rate, "Waveform") },
    {
      kind: "mel spectrogram 128 x 130",
      figure: melSpectrogramFigure(
        melSpectrogramDb(clip, rate, config.features),
        rate,
        config.features.hopLength,
        "Mel spectrogram",
      ),
    },
    {
      kind: "MFCC 2 x 40 x 100",
      figure: mfccFigure(
        [
          { name: "a", mfcc: mfccFeatures(clip, rate, config.features) },
          { name: "b", mfcc: mfccFeatures(copies[0]!.samples, rate, config.features) },
        ],
        rate,
        config.features.hopLength,
        "MFCC",
      ),
    },
    {
      kind: "gallery 10 x 64 x 130",
      figure: spectrogramGridFigure(
        [{ name: "original", samples: clip }, ...copies].map((p) => ({
          name: p.name,
          melDb: melSpectrogramDb(p.samples, rate, small),
        })),
        rate,
        config.features.hopLength,
        "Augmentation gallery",
      ),
    },
    {
      kind: "loss curve (50 epochs)",
      figure: lossCurveFigure({
        loss: Array.from({ length: 50 }, (_, i) => 0.7 * Math.exp(-i / 12)),
        valLoss: Array.from({ length: 50 }, (_, i) => 0.75 * Math.exp(-i / 15)),
        epochs: 50,
      }),
    },
    {
      kind: "confusion matrix",
      figure: confusionMatrixFigure(
        [
          [3, 1],
          [2, 14],
        ],
        config.classNames,
      ),
    },
    {
      kind: "ROC (2 curves)",
      figure: rocFigure(
        [
          { name: "cnn", fpr: roc, tpr: roc.map((x) => Math.sqrt(x)), auc: 0.83 },
          { name: "lr", fpr: roc, tpr: roc, auc: 0.5 },
        ],
        1,
      ),
    },
    { kind: "bars (split balance)", figure: splitBalanceFigure(config.classNames, [17, 479], [3, 121]) },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeats: { type: "string", default: "5" } } });
  const repeats = Math.max(1, Number(values.repeats));
  const figs = await figures();
  const rows: Array<{ format: string; kind: string; msMedian: number; msMax: number; bytes: number }> = [];
  const firstFigureMs: Record<string, number> = {};
  for (const [format, scale] of [
    ["svg", 1],
    ["png", 2],
  ] as const) {
    await closeFigureImages();
    configureFigureImages({ enabled: true, format, scale });
    const start = performance.now();
    figureImage(figs[figs.length - 1]!.figure); // the kernel's first figure: starts the browser
    firstFigureMs[format] = performance.now() - start;
    for (const { kind, figure } of figs) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < repeats; i++) {
        const t = performance.now();
        const image = figureImage(figure);
        times.push(performance.now() - t);
        if (image === null) throw new Error("no static image: is Chromium installed? (Debian: apt install chromium)");
        bytes = image.data.length;
      }
      rows.push({ format, kind, msMedian: median(times), msMax: Math.max(...times), bytes });
    }
  }
  await closeFigureImages();
  // without reuse: a browser started for every figure (as saveFigure does for one file)
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const renderer = await FigureRenderer.launch();
    await renderer.image(figs[5]!.figure, "svg");
    await renderer.close();
    cold.push(performance.now() - t);
  }

  const warmSvg = rows.filter((r) => r.format === "svg");
  const perFigureSvg = median(warmSvg.map((r) => r.msMedian));
  console.log(`static figure images, ${repeats} repeats per figure (median and slowest of the repeats), this machine`);
  console.log(
    `first figure of a kernel (browser start + plotly.js + the figure): svg ${firstFigureMs["svg"]!.toFixed(0)} ms, png ${firstFigureMs["png"]!.toFixed(0)} ms`,
  );
  console.log(`a cold browser per figure instead (confusion matrix, svg): median ${median(cold).toFixed(0)} ms`);
  console.log("");
  console.log("| format | figure | ms (median) | ms (slowest) | stored bytes |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  for (const r of rows)
    console.log(`| ${r.format} | ${r.kind} | ${r.msMedian.toFixed(1)} | ${r.msMax.toFixed(1)} | ${r.bytes} |`);
  console.log("");
  console.log(
    `warm SVG, median over figure kinds: ${perFigureSvg.toFixed(1)} ms per figure; renderer stats: ${JSON.stringify(figureImageStats())}`,
  );
  console.log(
    JSON.stringify({
      bench: "figures",
      repeats,
      firstFigureMs: { svg: Math.round(firstFigureMs["svg"]!), png: Math.round(firstFigureMs["png"]!) },
      coldBrowserPerFigureMs: Math.round(median(cold)),
      warmSvgMsPerFigureMedian: Number(perFigureSvg.toFixed(1)),
      figures: rows.map((r) => ({
        format: r.format,
        kind: r.kind,
        msMedian: Number(r.msMedian.toFixed(1)),
        msMax: Number(r.msMax.toFixed(1)),
        bytes: r.bytes,
      })),
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
