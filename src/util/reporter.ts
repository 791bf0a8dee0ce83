import type { EpochLog } from "../model/train";

/**
 * How a stage tells the outside world what it is doing. The core never prints: the CLI draws
 * progress bars, a notebook shows tables, a test collects the messages.
 */
export interface Reporter {
  /** A plain progress message ("wrote 180 chunks"). */
  info(message: string): void;
  /** Something the user should look at, while the run goes on. */
  warn(message: string): void;
  /** A file that was left out, with the reason and what to do (one line per file). */
  skip(file: string, reason: string): void;
  /** Progress of a long step: `done` of `total` items. */
  progress(label: string, done: number, total: number): void;
  /** Every training epoch's losses and accuracies, as they come (for live loss curves). */
  epoch?(log: EpochLog): void;
}

/** A file left out of a run and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/**
 * A reporter that passes every message on to `reporter` and also keeps the skipped files, for a
 * stage that lists them in its report (skipped.csv, the unseen-data report).
 */
export function keepingSkips(reporter: Reporter): Reporter & { readonly skipped: SkippedFile[] } {
  const skipped: SkippedFile[] = [];
  return {
    skipped,
    info: (message) => reporter.info(message),
    warn: (message) => reporter.warn(message),
    progress: (label, done, total) => reporter.progress(label, done, total),
    skip: (file, reason) => {
      skipped.push({ file, reason });
      reporter.skip(file, reason);
    },
  };
}

/** A reporter that keeps everything in memory (tests, notebooks). */
export class CollectingReporter implements Reporter {
  readonly infos: string[] = [];
  readonly warnings: string[] = [];
  readonly skipped: SkippedFile[] = [];
  readonly progressUpdates: Array<{ label: string; done: number; total: number }> = [];
  readonly epochs: EpochLog[] = [];
  info(message: string): void {
    this.infos.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  skip(file: string, reason: string): void {
    this.skipped.push({ file, reason });
  }
  progress(label: string, done: number, total: number): void {
    this.progressUpdates.push({ label, done, total });
  }
  epoch(log: EpochLog): void {
    this.epochs.push(log);
  }
}

/** A reporter that says nothing. */
export const silentReporter: Reporter = {
  info: () => undefined,
  warn: () => undefined,
  skip: () => undefined,
  progress: () => undefined,
};

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** Options of the terminal reporter. */
export interface ConsoleReporterOptions {
  /** Print only warnings and skipped files. */
  quiet?: boolean;
  /** Stream to write to (stderr by default, so stdout stays clean for data). */
  stream?: NodeJS.WriteStream;
}

/**
 * A reporter for terminals: messages as lines, progress as a bar with counts and ETA that
 * redraws in place on a TTY and prints at 25 % steps otherwise (logs stay short).
 */
export class ConsoleReporter implements Reporter {
  private readonly quiet: boolean;
  private readonly stream: NodeJS.WriteStream;
  private bar: { label: string; start: number; lastDraw: number; lastQuarter: number } | null = null;
  /** A progress line is on screen without its newline (TTY only). */
  private lineOpen = false;

  constructor(options: ConsoleReporterOptions = {}) {
    this.quiet = options.quiet ?? false;
    this.stream = options.stream ?? process.stderr;
  }

  /** End the progress line on screen, if any; the bar keeps its start time and redraws below. */
  private breakLine(): void {
    if (this.lineOpen) this.stream.write("\n");
    this.lineOpen = false;
    if (this.bar) this.bar.lastDraw = 0;
  }

  info(message: string): void {
    if (this.quiet) return;
    this.breakLine();
    this.stream.write(`${message}\n`);
  }

  warn(message: string): void {
    this.breakLine();
    this.stream.write(`warning: ${message}\n`);
  }

  skip(file: string, reason: string): void {
    this.breakLine();
    this.stream.write(`skipped ${file}: ${reason}\n`);
  }

  progress(label: string, done: number, total: number): void {
    if (this.quiet) return;
    const now = Date.now();
    if (!this.bar || this.bar.label !== label) {
      this.breakLine();
      this.bar = { label, start: now, lastDraw: 0, lastQuarter: -1 };
    }
    const bar = this.bar;
    const fraction = total > 0 ? done / total : 1;
    const elapsed = (now - bar.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
    const percent = `${(fraction * 100).toFixed(0).padStart(3)}%`;
    const text = `${label} ${done}/${total} ${percent} elapsed ${formatSeconds(elapsed)} eta ${formatSeconds(eta)}`;
    if (this.stream.isTTY) {
      if (done < total && now - bar.lastDraw < 100) return;
      bar.lastDraw = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}`);
      this.lineOpen = true;
      if (done >= total) {
        this.stream.write("\n");
        this.lineOpen = false;
        this.bar = null;
      }
    } else if (total >= 10) {
      const quarter = Math.floor(fraction * 4);
      if (quarter > bar.lastQuarter) {
        bar.lastQuarter = quarter;
        this.stream.write(`${text}\n`);
      }
      if (done >= total) this.bar = null;
    } else if (done >= total) this.bar = null;
  }
}
