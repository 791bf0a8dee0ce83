/**
 * The list of results on the page (one row per window, one line per finished recording), and the
 * same results as data on `window.soundcheck` for automation and tests.
 *
 * Stable hooks: every window's verdict is a `[data-testid="verdict"]` element with `data-label`
 * (class name), `data-probability` (probability of that class), `data-probabilities` (JSON, one
 * per class), `data-recording`, `data-window` and `data-start-seconds`; every finished recording
 * is a `[data-testid="recording-verdict"]` element with `data-recording`, `data-label` and
 * `data-probability` (the mean over its windows, as `soundcheck predict` prints it). When the model
 * folder has detectors.json, it also has `data-detector` (the headline detector's report name),
 * `data-detector-label`, `data-detector-score` and `data-detector-threshold` (its verdict on the
 * whole recording, as `soundcheck predict` prints it first), and the text leads with that verdict.
 */
import type { RecordingVerdict, WindowVerdict } from "../src/browser/windowClassifier";
import type { DetectorVerdict } from "../src/pipeline/detect/storedScoring";
import { classColor } from "./classes";

/** A window's result as data (features flattened `[nMfcc][frames]`, row-major). */
export interface WindowRecord {
  index: number;
  startSeconds: number;
  durationSeconds: number;
  probabilities: number[];
  label: string;
  probability: number;
  features: number[];
  featureShape: [number, number];
}

export interface RecordingRecord {
  /** Where the sound came from. */
  source: "file" | "microphone";
  /** File name, or "microphone N". */
  name: string;
  windows: WindowRecord[];
  /** Set when the recording is finished (files) or stopped (microphone). */
  summary: RecordingVerdict | null;
  /** Set with the summary when the model has detectors.json: the headline detector's verdict. */
  detector?: DetectorVerdict;
  /** Microphone only: seconds of sound heard while waiting for the model, classified once it was ready. */
  queuedSeconds?: number;
}

/** What the page exposes on `window.soundcheck`. */
export interface SoundcheckHook {
  /** True once the backend is up and the default model (if any) has been tried. */
  ready: boolean;
  /** tfjs backend in use. */
  backend: string;
  model: { source: string; classNames: string[]; threshold: number | null; windowSeconds: number } | null;
  recordings: RecordingRecord[];
  /** Errors shown to the user, oldest first. */
  errors: string[];
  /** Number of recordings (files or microphone sessions) still being analysed, queued ones included. */
  busy: number;
  /**
   * Files (and a microphone session) waiting for the model: what arrives while the first model is
   * still loading is queued and classified as soon as it is ready.
   */
  queued: number;
}

declare global {
  interface Window {
    soundcheck: SoundcheckHook;
  }
}

const percent = (p: number): string => `${(100 * p).toFixed(1)} %`;

export class ResultsList {
  constructor(
    private readonly table: HTMLTableElement,
    private readonly summaries: HTMLElement,
    readonly hook: SoundcheckHook,
  ) {}

  /** Set the table's columns for a model's classes. */
  setClasses(classNames: string[]): void {
    const head = this.table.tHead ?? this.table.createTHead();
    head.innerHTML = "";
    const row = head.insertRow();
    for (const title of ["recording", "window", "time (s)", ...classNames.map((c) => `P(${c})`), "verdict"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = title;
      row.appendChild(th);
    }
  }

  startRecording(source: RecordingRecord["source"], name: string): RecordingRecord {
    const record: RecordingRecord = { source, name, windows: [], summary: null };
    this.hook.recordings.push(record);
    return record;
  }

  addWindow(record: RecordingRecord, verdict: WindowVerdict): void {
    record.windows.push({
      index: verdict.index,
      startSeconds: verdict.startSeconds,
      durationSeconds: verdict.durationSeconds,
      probabilities: verdict.probabilities,
      label: verdict.label,
      probability: verdict.probability,
      features: Array.from(verdict.features.data),
      featureShape: [verdict.features.rows, verdict.features.cols],
    });
    const body = this.table.tBodies[0] ?? this.table.createTBody();
    const row = body.insertRow(0); // newest first
    const cells = [
      record.name,
      String(verdict.index + 1),
      `${verdict.startSeconds.toFixed(1)}–${(verdict.startSeconds + verdict.durationSeconds).toFixed(1)}`,
      ...verdict.probabilities.map(percent),
    ];
    for (const text of cells) row.insertCell().textContent = text;
    const cell = row.insertCell();
    const badge = document.createElement("span");
    badge.className = "verdict-badge";
    badge.dataset["testid"] = "verdict";
    badge.dataset["label"] = verdict.label;
    badge.dataset["probability"] = String(verdict.probability);
    badge.dataset["probabilities"] = JSON.stringify(verdict.probabilities);
    badge.dataset["recording"] = record.name;
    badge.dataset["window"] = String(verdict.index);
    badge.dataset["startSeconds"] = String(verdict.startSeconds);
    badge.style.setProperty("--class-color", classColor(verdict.classIndex));
    badge.textContent = `${verdict.label} ${percent(verdict.probability)}`;
    cell.appendChild(badge);
  }

  /** Show a finished recording's verdict: the headline detector's first when there is one, then the CNN's. */
  finishRecording(record: RecordingRecord, summary: RecordingVerdict, detector?: DetectorVerdict): void {
    record.summary = summary;
    const item = document.createElement("li");
    item.dataset["testid"] = "recording-verdict";
    item.dataset["recording"] = record.name;
    item.dataset["label"] = summary.label;
    item.dataset["probability"] = String(summary.probability);
    const badge = (label: string, classIndex: number): HTMLSpanElement => {
      const span = document.createElement("span");
      span.className = "verdict-badge";
      span.style.setProperty("--class-color", classColor(classIndex));
      span.textContent = label;
      return span;
    };
    const cnnText =
      ` mean P(${summary.label}) ${percent(summary.probability)} ` +
      `over ${summary.windows} window${summary.windows === 1 ? "" : "s"}`;
    if (detector === undefined) {
      item.append(`${record.name}: `, badge(summary.label, summary.classIndex), cnnText);
    } else {
      record.detector = detector;
      item.dataset["detector"] = detector.reportName;
      item.dataset["detectorLabel"] = detector.label;
      item.dataset["detectorScore"] = String(detector.score);
      item.dataset["detectorThreshold"] = String(detector.threshold);
      const headline = document.createElement("strong");
      headline.append(
        badge(detector.label, detector.score >= detector.threshold ? 1 : 0),
        ` ${detector.reportName}: score ${detector.score.toFixed(3)} (threshold ${detector.threshold.toFixed(3)})`,
      );
      item.append(`${record.name}: `, headline, "; CNN: ", badge(summary.label, summary.classIndex), cnnText);
    }
    this.summaries.prepend(item);
  }
}
