import type { EpochLog } from "../model/train";
import { CollectingReporter } from "../util/reporter";
import { escapeHtml, LiveDisplay, displayBundle } from "./display";

/** Options of {@link NotebookReporter}. */
export interface NotebookReporterOptions {
  /** Called for every info message (after it is recorded). */
  onInfo?: (message: string) => void;
  /** Called for every training epoch (after it is recorded), e.g. to redraw a loss curve. */
  onEpoch?: (log: EpochLog) => void;
  /** Show the info messages as an updating log below the cell (default true). */
  showLog?: boolean;
  /** Lines of the log kept on screen (default 12). */
  logLines?: number;
}

/**
 * A reporter for notebooks: keeps every message (like CollectingReporter), shows progress as
 * one line updated in place, the info messages as a short log updated in place, and each
 * warning or skipped file as a highlighted box. Nothing goes to stderr, so an executed notebook
 * has stderr output only when something failed.
 */
export class NotebookReporter extends CollectingReporter {
  private readonly progressLine = new LiveDisplay();
  private readonly log = new LiveDisplay();
  private readonly options: NotebookReporterOptions;

  constructor(options: NotebookReporterOptions = {}) {
    super();
    this.options = options;
  }

  override info(message: string): void {
    super.info(message);
    if (this.options.showLog ?? true) {
      const lines = this.infos.slice(-(this.options.logLines ?? 12));
      const skipped = this.infos.length - lines.length;
      const text = (skipped > 0 ? [`... ${skipped} earlier lines`, ...lines] : lines).join("\n");
      this.log.show({
        "text/plain": text,
        "text/html": `<pre style="font-size:smaller;margin:0">${escapeHtml(text)}</pre>`,
      });
    }
    this.options.onInfo?.(message);
  }

  override epoch(log: EpochLog): void {
    super.epoch(log);
    this.options.onEpoch?.(log);
  }

  override warn(message: string): void {
    super.warn(message);
    this.box("warning", message);
  }

  override skip(file: string, reason: string): void {
    super.skip(file, reason);
    this.box("skipped", `${file}: ${reason}`);
  }

  override progress(label: string, done: number, total: number): void {
    super.progress(label, done, total);
    const pct = total > 0 ? Math.round((100 * done) / total) : 100;
    const text = `${label}: ${done}/${total} (${pct} %)`;
    this.progressLine.show({
      "text/plain": text,
      "text/html":
        `<div style="font-size:smaller"><progress value="${done}" max="${Math.max(total, 1)}" style="width:240px">` +
        `</progress> ${escapeHtml(text)}</div>`,
    });
  }

  private box(kind: string, message: string): void {
    displayBundle({
      "text/plain": `${kind}: ${message}`,
      "text/html":
        `<div style="border-left:4px solid #E69F00;background:#FFF6E5;padding:4px 8px;margin:2px 0">` +
        `<b>${kind}</b>: ${escapeHtml(message)}</div>`,
    });
  }
}
