/**
 * The soundcheck browser app: load a saved model, classify dropped files or the microphone window
 * by window with the pipeline's own DSP and model code (src/), and show the waveform, a scrolling
 * mel spectrogram, the MFCC matrix of the current window, its class probabilities and verdict
 * (with the decision threshold), and a timeline of the scores.
 */
import { loadAudioBytes } from "../src/audio/loadBytes";
import { resample } from "../src/audio/resample";
import { LiveWindowCutter } from "../src/browser/liveWindows";
import type { ModelDescription } from "../src/browser/modelDescription";
import { StreamingMelSpectrogram } from "../src/browser/streamingMel";
import type { WindowClassifier, WindowVerdict } from "../src/browser/windowClassifier";
import { createMfccExtractor, type MfccExtractor } from "../src/dsp/mfcc";
import { setPffftWasmSource } from "../src/dsp/pffft";
import { SoundcheckError } from "../src/errors";
import { storedDetectorVerdicts, type DetectorVerdict } from "../src/pipeline/detect/storedScoring";
import { selectBackend } from "./backend";
import { classColor } from "./classes";
import { startMicrophone, type MicrophoneStream } from "./microphone";
import { loadModelFromFiles, loadServedModel, type LoadedModel } from "./model";
import { ResultsList, type RecordingRecord, type SoundcheckHook } from "./results";
import { RingBuffer } from "./ringBuffer";
import { MfccView } from "./views/mfcc";
import { ProbabilityView } from "./views/probabilities";
import { SpectrogramView } from "./views/spectrogram";
import { TimelineView } from "./views/timeline";
import { WaveformView } from "./views/waveform";

/** Seconds of sound the waveform and spectrogram show while listening live. */
const LIVE_SPAN_SECONDS = 10;
/** Seconds of sound the scrolling spectrogram shows. */
const SPECTROGRAM_SPAN_SECONDS = 10;

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

// pffft.wasm is fetched from the vendor folder and instantiated by src/dsp/pffft.ts itself, so
// the SIMD mel kernel shares its memory as in Node: features bit-identical to the CLI's
setPffftWasmSource(async (simd) => {
  const url = new URL(`vendor/pffft/${simd ? "simd" : "non-simd"}/pffft.wasm`, document.baseURI);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.href}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
});

const hook: SoundcheckHook = { ready: false, backend: "", model: null, recordings: [], errors: [], busy: 0, queued: 0 };
window.soundcheck = hook;

const ui = {
  status: element<HTMLParagraphElement>("status"),
  error: element<HTMLParagraphElement>("error"),
  announcer: element<HTMLParagraphElement>("announcer"),
  modelSummary: element<HTMLParagraphElement>("model-summary"),
  modelFolderButton: element<HTMLButtonElement>("model-folder-button"),
  modelFolderInput: element<HTMLInputElement>("model-folder-input"),
  modelFilesButton: element<HTMLButtonElement>("model-files-button"),
  modelFilesInput: element<HTMLInputElement>("model-files-input"),
  dropZone: element<HTMLDivElement>("drop-zone"),
  fileInput: element<HTMLInputElement>("file-input"),
  micButton: element<HTMLButtonElement>("mic-button"),
  verdictNow: element<HTMLDivElement>("verdict-now"),
  verdictLabel: element<HTMLParagraphElement>("verdict-label"),
  verdictDetail: element<HTMLParagraphElement>("verdict-detail"),
  verdictRule: element<HTMLParagraphElement>("verdict-rule"),
};

const views = {
  waveform: new WaveformView(element("waveform")),
  spectrogram: new SpectrogramView(element("spectrogram")),
  mfcc: new MfccView(element("mfcc"), element("mfcc-caption")),
  probabilities: new ProbabilityView(element("probabilities")),
  timeline: new TimelineView(element("timeline")),
};
const results = new ResultsList(element("window-table"), element("recording-verdicts"), hook);

let current: LoadedModel | null = null;
/**
 * True while a model is loading and none is in use yet (from the start, when the page loads the
 * default model): files and microphone sound that arrive meanwhile wait for it instead of being
 * refused.
 */
let awaitingModel = true;
/** Files that arrived while awaitingModel, in order. */
let pendingFiles: File[] = [];
/** Called with the model (or null when loading ended without one) once awaitingModel ends. */
let modelWaiters: Array<(model: LoadedModel | null) => void> = [];
let microphone: {
  stream: MicrophoneStream;
  extractor: MfccExtractor;
  record: RecordingRecord;
  verdicts: WindowVerdict[];
  /** Everything heard (copies, at the stream's rate), kept for the headline detector; null without detectors. */
  sound: Float32Array[] | null;
} | null = null;
/** Files are analysed one after the other. */
let fileQueue: Promise<void> = Promise.resolve();

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function showError(err: unknown): void {
  const message = err instanceof SoundcheckError ? err.message : err instanceof Error ? err.message : String(err);
  ui.error.textContent = message;
  ui.error.hidden = false;
  hook.errors.push(message);
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = "";
}

/** The decision rule in words, shown next to every verdict. */
function ruleText(d: ModelDescription): string {
  const t = d.decisionThreshold;
  const positive = d.classNames[1] ?? "class 1";
  if (t === null)
    return `Rule: the more probable class wins (no threshold stored${d.classNames.length === 2 ? ", so 0.5" : ""}).`;
  const criterion = t.criterion === undefined ? "" : `, maximising ${t.criterion}`;
  return (
    `Rule: ${positive} when P(${positive}) ≥ ${t.value.toFixed(3)} ` +
    `(threshold chosen on ${t.chosenOn}${criterion}).`
  );
}

/** The model in use, or once the loading in progress ends, that model (null when none loaded). */
function whenModelReady(): Promise<LoadedModel | null> {
  if (current !== null || !awaitingModel) return Promise.resolve(current);
  return new Promise((resolve) => modelWaiters.push(resolve));
}

/** What the status line says while files or the microphone wait for the model. */
function queuedStatus(): string {
  const files = pendingFiles.length;
  const what = [
    files > 0 ? `${files} file${files === 1 ? "" : "s"}` : "",
    hook.queued > files ? "the microphone's sound" : "",
  ];
  const queued = what.filter((s) => s !== "").join(" and ");
  return `The model is still loading: ${queued} queued, classified as soon as it is ready.`;
}

/** The model loading that awaitingModel waited for has ended (with `current` set, or not). */
function modelLoadSettled(): void {
  if (!awaitingModel) return;
  awaitingModel = false;
  const files = pendingFiles;
  pendingFiles = [];
  hook.queued -= files.length;
  hook.busy -= files.length;
  const waiters = modelWaiters;
  modelWaiters = [];
  for (const resolve of waiters) resolve(current);
  if (files.length === 0) return;
  if (current === null) {
    const n = files.length === 1 ? "1 queued file was" : `${files.length} queued files were`;
    showError(
      new SoundcheckError(
        "no model",
        `no model loaded, so the ${n} not classified`,
        "choose a model folder (step 1), then the files again",
      ),
    );
    return;
  }
  setStatus(
    `Model loaded (backend ${hook.backend}). ` +
      `Classifying the ${files.length === 1 ? "queued file" : `${files.length} queued files`}…`,
  );
  analyseFiles(files);
}

function useModel(model: LoadedModel): void {
  current = model;
  const d = model.classifier.description;
  const f = d.features;
  hook.model = {
    source: model.source,
    classNames: d.classNames,
    threshold: model.classifier.threshold,
    windowSeconds: d.windowSeconds,
  };
  ui.modelSummary.textContent =
    `${model.source}: classes ${d.classNames.join(" / ")}; ` +
    `MFCC [${f.nMfcc}][${f.frames ?? "all"}] at ${f.sampleRateHz} Hz; ${d.windowSeconds} s windows.` +
    (model.detectors === null || model.detectors.detectors.length === 0
      ? ""
      : ` Headline model (detectors.json): ${model.detectors.detectors[0]?.reportName ?? ""}, on whole recordings.`);
  ui.verdictRule.textContent = ruleText(d);
  ui.verdictRule.dataset["threshold"] = String(model.classifier.threshold ?? "");
  views.probabilities.setModel(d.classNames, model.classifier.threshold);
  views.timeline.setModel(d.classNames, model.classifier.threshold);
  results.setClasses(d.classNames);
  ui.micButton.disabled = false;
  setStatus(`Model loaded (backend ${hook.backend}). Drop sound files or start the microphone.`);
}

/** Show one window's result everywhere: verdict, bars, MFCC, timeline, table. */
function showWindow(record: RecordingRecord, verdict: WindowVerdict, classifier: WindowClassifier): void {
  const f = classifier.description.features;
  ui.verdictLabel.textContent = verdict.label;
  ui.verdictNow.style.setProperty("--class-color", classColor(verdict.classIndex));
  ui.verdictNow.dataset["label"] = verdict.label;
  const endSeconds = verdict.startSeconds + verdict.durationSeconds;
  ui.verdictDetail.textContent =
    `${record.name}, window ${verdict.index + 1} (${verdict.startSeconds.toFixed(1)}–${endSeconds.toFixed(1)} s): ` +
    `P(${verdict.label}) = ${(100 * verdict.probability).toFixed(1)} %`;
  views.probabilities.show(verdict.probabilities);
  views.mfcc.show(verdict.features, f.hopLength / f.sampleRateHz, `window ${verdict.index + 1} of ${record.name}`);
  views.timeline.add({
    seconds: verdict.startSeconds + verdict.durationSeconds / 2,
    score: verdict.probabilities[1] ?? verdict.probability,
    classIndex: verdict.classIndex,
  });
  results.addWindow(record, verdict);
  ui.announcer.textContent =
    `${record.name}, window ${verdict.index + 1}: ` +
    `${verdict.label}, ${(100 * verdict.probability).toFixed(0)} percent.`;
}

/** A mel extractor for the display at `rateHz`, with the model's mel settings (window ≈ the model's in seconds). */
async function displayExtractor(classifier: WindowClassifier, rateHz: number): Promise<MfccExtractor> {
  const f = classifier.description.features;
  const nFft = rateHz === f.sampleRateHz ? f.nFft : 2 ** Math.round(Math.log2((f.nFft * rateHz) / f.sampleRateHz));
  const hopLength = rateHz === f.sampleRateHz ? f.hopLength : Math.max(1, Math.round((f.hopLength * nFft) / f.nFft));
  return createMfccExtractor({
    ...f,
    sampleRateHz: rateHz,
    nFft,
    hopLength,
    fMaxHz: f.fMaxHz ?? f.sampleRateHz / 2,
    frames: null,
  });
}

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** Milliseconds of work between two chances for the browser to draw and handle input. */
const WORK_SLICE_MS = 40;
let sliceStart = performance.now();

/**
 * Let the browser draw and handle input if this task has run for WORK_SLICE_MS. A message
 * channel, not a timer or an animation frame, so a long file goes on at full speed in a hidden tab.
 */
async function yieldIfDue(): Promise<void> {
  if (performance.now() - sliceStart < WORK_SLICE_MS) return;
  await new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
  sliceStart = performance.now();
}

/**
 * The headline detector's verdict (the first in the model's detectors.json) on a whole recording,
 * as `soundcheck predict` gives it; undefined when the model has no detectors, or (shown as an
 * error) when the recording cannot be scored, so the CNN's verdict still shows.
 *
 * @param atRate  the recording, mono, at the given rate in Hz
 */
async function headlineVerdict(
  model: LoadedModel,
  name: string,
  atRate: (rateHz: number) => Promise<Float32Array>,
): Promise<DetectorVerdict | undefined> {
  const stored = model.detectors;
  if (stored === null || stored.detectors.length === 0) return undefined;
  try {
    const samples = await atRate(stored.features.sampleRateHz);
    const headline = { ...stored, detectors: stored.detectors.slice(0, 1) };
    return (await storedDetectorVerdicts(headline, name, samples, model.classifier.description.classNames))[0];
  } catch (err) {
    showError(err);
    return undefined;
  }
}

async function analyseFile(file: File, model: LoadedModel): Promise<void> {
  const classifier = model.classifier;
  const rate = classifier.sampleRateHz;
  setStatus(`Reading and resampling ${file.name} (${(file.size / 1048576).toFixed(1)} MB)…`);
  await nextFrame(); // show the message before the work starts
  const bytes = new Uint8Array(await file.arrayBuffer());
  const audio = await loadAudioBytes(bytes, file.name, rate);
  const samples = audio.samples;
  views.waveform.showRecording(samples, rate, classifier.description.windowSeconds);
  const extractor = await displayExtractor(classifier, rate);
  const verdicts: WindowVerdict[] = [];
  const record = results.startRecording("file", file.name);
  try {
    const mel = new StreamingMelSpectrogram(extractor);
    const f = extractor.config;
    views.spectrogram.reset({
      frameSeconds: f.hopLength / rate,
      nMels: f.nMels,
      fMinHz: f.fMinHz,
      fMaxHz: f.fMaxHz ?? rate / 2,
      spanSeconds: SPECTROGRAM_SPAN_SECONDS,
    });
    views.timeline.reset(audio.durationSeconds);
    const windows = classifier.windowsOf(samples);
    let fed = 0;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i] as Float32Array;
      const start = i * classifier.windowSamples;
      const end = start + window.length;
      setStatus(`${file.name}: window ${i + 1} of ${windows.length}`);
      views.spectrogram.append(mel.push(samples.subarray(fed, end)));
      fed = end;
      views.waveform.setHighlight(start / rate, end / rate);
      const verdict = classifier.classify(window, i, start / rate);
      verdicts.push(verdict);
      showWindow(record, verdict, classifier);
      await yieldIfDue();
    }
    if (fed < samples.length) views.spectrogram.append(mel.push(samples.subarray(fed)));
    views.spectrogram.append(mel.flush());
  } finally {
    extractor.dispose();
  }
  await nextFrame(); // the views show the last window before the recording counts as done
  const summary = classifier.summarize(verdicts);
  if (model.detectors !== null) setStatus(`${file.name}: the headline detector on the whole recording…`);
  const detector = await headlineVerdict(model, file.name, async (r) =>
    r === rate ? samples : (await loadAudioBytes(bytes, file.name, r)).samples,
  );
  results.finishRecording(record, summary, detector);
  const cnn =
    `${summary.label} (mean P ${(100 * summary.probability).toFixed(1)} % ` +
    `over ${summary.windows} window${summary.windows === 1 ? "" : "s"})`;
  setStatus(
    detector === undefined
      ? `${file.name}: ${cnn}.`
      : `${file.name}: ${detector.label} (${detector.reportName}, score ${detector.score.toFixed(3)}); CNN: ${cnn}.`,
  );
}

function analyseFiles(files: readonly File[]): void {
  if (files.length === 0) return;
  const model = current;
  if (model === null && awaitingModel) {
    pendingFiles.push(...files);
    hook.queued += files.length;
    hook.busy += files.length;
    setStatus(queuedStatus());
    return;
  }
  if (model === null) {
    showError(
      new SoundcheckError("no model", "there is no model to classify with", "choose a model folder first (step 1)"),
    );
    return;
  }
  clearError();
  hook.busy += files.length;
  fileQueue = fileQueue.then(async () => {
    if (microphone !== null) await stopMicrophone();
    for (const file of files) {
      try {
        await analyseFile(file, model);
      } catch (err) {
        showError(err);
        setStatus(`${file.name} could not be analysed.`);
      } finally {
        hook.busy--;
      }
    }
  });
}

/**
 * Start the microphone and classify it window by window. Started before a model is ready (the
 * first one still loading), it keeps the sound from the start and classifies it once the model is
 * there, then goes on live.
 */
async function startListening(): Promise<void> {
  ui.micButton.disabled = true;
  setStatus("Asking for the microphone…");
  let live: {
    classifier: WindowClassifier;
    mel: StreamingMelSpectrogram;
    cutter: LiveWindowCutter;
    ring: RingBuffer;
    record: RecordingRecord;
    verdicts: WindowVerdict[];
    sound: Float32Array[] | null;
  } | null = null;
  /** Sound heard before the model was ready, block by block (copies). */
  let early: Float32Array[] | null = [];
  let heard = 0;
  let drawScheduled = false;
  const classifyBlock = (block: Float32Array): void => {
    if (live === null) return;
    const { classifier, mel, cutter, ring, record, verdicts, sound } = live;
    const rate = cutter.sourceRateHz;
    sound?.push(block.slice());
    heard += block.length;
    ring.push(block);
    views.spectrogram.append(mel.push(block));
    for (const window of cutter.push(block)) {
      const verdict = classifier.classify(window.samples, window.index, window.startSeconds);
      verdicts.push(verdict);
      showWindow(record, verdict, classifier);
    }
    if (!drawScheduled) {
      drawScheduled = true;
      requestAnimationFrame(() => {
        drawScheduled = false;
        views.waveform.showLive(ring.latest(), rate, heard / rate);
      });
    }
  };
  const stream = await startMicrophone((block) => {
    if (early !== null) early.push(block.slice());
    else classifyBlock(block);
  });
  let extractor: MfccExtractor;
  let model: LoadedModel | null;
  let waitedForModel = false;
  try {
    model = current;
    if (model === null) {
      waitedForModel = true;
      hook.queued++;
      hook.busy++;
      setStatus(queuedStatus());
      model = await whenModelReady().finally(() => {
        hook.queued--;
        hook.busy--;
      });
      if (model === null)
        throw new SoundcheckError(
          "no model",
          "no model loaded, so the microphone's sound was not classified",
          "choose a model folder first (step 1)",
        );
    }
    extractor = await displayExtractor(model.classifier, stream.sampleRateHz);
  } catch (err) {
    await stream.stop();
    throw err;
  }
  const classifier = model.classifier;
  const mel = new StreamingMelSpectrogram(extractor);
  const f = extractor.config;
  views.spectrogram.reset({
    frameSeconds: f.hopLength / stream.sampleRateHz,
    nMels: f.nMels,
    fMinHz: f.fMinHz,
    fMaxHz: f.fMaxHz ?? classifier.sampleRateHz / 2,
    spanSeconds: SPECTROGRAM_SPAN_SECONDS,
  });
  views.timeline.reset(0);
  const waited = early;
  early = null;
  const record = results.startRecording(
    "microphone",
    `microphone ${hook.recordings.filter((r) => r.source === "microphone").length + 1}`,
  );
  if (waitedForModel) record.queuedSeconds = waited.reduce((n, b) => n + b.length, 0) / stream.sampleRateHz;
  const ring = new RingBuffer(Math.round(LIVE_SPAN_SECONDS * stream.sampleRateHz));
  const cutter = new LiveWindowCutter(
    stream.sampleRateHz,
    classifier.sampleRateHz,
    classifier.description.windowSeconds,
  );
  const verdicts: WindowVerdict[] = [];
  const sound = model.detectors === null ? null : [];
  live = { classifier, mel, cutter, ring, record, verdicts, sound };
  microphone = { stream, extractor, record, verdicts, sound };
  for (const block of waited) classifyBlock(block); // the sound heard while waiting; from now on, live
  ui.micButton.textContent = "Stop microphone";
  ui.micButton.setAttribute("aria-pressed", "true");
  ui.micButton.disabled = false;
  setStatus(`Listening at ${stream.sampleRateHz} Hz: a verdict every ${classifier.description.windowSeconds} s.`);
}

async function stopMicrophone(): Promise<void> {
  const session = microphone;
  if (session === null) return;
  microphone = null;
  await session.stream.stop();
  session.extractor.dispose();
  ui.micButton.textContent = "Start microphone";
  ui.micButton.setAttribute("aria-pressed", "false");
  if (session.verdicts.length > 0 && current !== null) {
    const model = current;
    const detector = await headlineVerdict(model, session.record.name, (r) => {
      const blocks = session.sound ?? [];
      const all = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
      blocks.reduce((at, b) => (all.set(b, at), at + b.length), 0);
      const from = session.stream.sampleRateHz;
      return Promise.resolve(from === r ? all : resample(all, from, r));
    });
    results.finishRecording(session.record, model.classifier.summarize(session.verdicts), detector);
  }
  setStatus("Microphone stopped.");
}

async function loadChosenModel(files: FileList | null): Promise<void> {
  if (files === null || files.length === 0) return;
  clearError();
  setStatus("Loading the chosen model…");
  if (current === null) awaitingModel = true; // what arrives meanwhile waits for this model
  try {
    if (microphone !== null) await stopMicrophone();
    useModel(await loadModelFromFiles(Array.from(files)));
  } catch (err) {
    showError(err);
    setStatus(current === null ? "No model loaded." : `Still using ${current.source}.`);
  } finally {
    modelLoadSettled();
  }
}

function wireControls(): void {
  ui.modelFolderButton.addEventListener("click", () => ui.modelFolderInput.click());
  ui.modelFilesButton.addEventListener("click", () => ui.modelFilesInput.click());
  ui.modelFolderInput.addEventListener("change", () => void loadChosenModel(ui.modelFolderInput.files));
  ui.modelFilesInput.addEventListener("change", () => void loadChosenModel(ui.modelFilesInput.files));
  ui.fileInput.addEventListener("change", () => {
    analyseFiles(Array.from(ui.fileInput.files ?? []));
    ui.fileInput.value = ""; // choosing the same file again analyses it again
  });
  ui.dropZone.addEventListener("click", () => ui.fileInput.click());
  ui.dropZone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      ui.fileInput.click();
    }
  });
  ui.dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    ui.dropZone.classList.add("dragging");
  });
  ui.dropZone.addEventListener("dragleave", () => ui.dropZone.classList.remove("dragging"));
  ui.dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    ui.dropZone.classList.remove("dragging");
    analyseFiles(Array.from(event.dataTransfer?.files ?? []));
  });
  ui.micButton.addEventListener("click", () => {
    if (microphone !== null) {
      void stopMicrophone();
      return;
    }
    if (current === null && !awaitingModel) {
      showError(
        new SoundcheckError("no model", "there is no model to classify with", "choose a model folder first (step 1)"),
      );
      return;
    }
    clearError();
    startListening().catch((err: unknown) => {
      ui.micButton.disabled = false;
      showError(err);
      setStatus("The microphone did not start.");
    });
  });
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => Object.values(views).forEach((v) => v.redraw()), 150);
  });
}

async function start(): Promise<void> {
  wireControls();
  // files chosen before this script ran (its change event came before the listener) are not lost
  const early = Array.from(ui.fileInput.files ?? []);
  if (early.length > 0) {
    ui.fileInput.value = "";
    analyseFiles(early);
  }
  ui.micButton.disabled = false; // before the model is ready, the microphone's sound waits for it
  Object.values(views).forEach((v) => v.redraw());
  try {
    hook.backend = await selectBackend(new URLSearchParams(location.search).get("backend"));
    setStatus(`tfjs backend ${hook.backend}. ${hook.queued > 0 ? queuedStatus() : "Loading the default model…"}`);
    const served = await loadServedModel();
    if (served === null) setStatus("No model is served with this page: choose a model folder (step 1).");
    else useModel(served);
  } catch (err) {
    showError(err);
    setStatus("The default model could not be loaded: choose a model folder (step 1).");
  } finally {
    hook.ready = true;
    modelLoadSettled();
  }
}

void start();
