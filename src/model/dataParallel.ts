/**
 * Data-parallel gradients for training the CNN on several worker threads.
 *
 * tfjs's wasm backend runs on one thread in Node, so one training process uses one core. Here N
 * threads compute: the main thread and N - 1 worker threads (trainWorker.ts), which each load tfjs,
 * the same backend and our kernels once, and share the training clips with the main thread (a
 * SharedArrayBuffer, never copied per worker). A step's rows are cut into the fixed micro-batches
 * of microBatches.ts; whichever thread is free takes the next micro-batch (a worker gets the
 * step's parameter vector once per step), runs the hand-written backward pass (backprop.ts) with
 * reduction "sum" on it and returns its gradient sum, loss sum and correct count. The main thread
 * adds the micro-batches in micro-batch order in float64 and divides once by the step's rows
 * ({@link OrderedGradientSum}): exactly what one thread computes micro-batch by micro-batch, so the
 * weights are byte-identical for any number of threads.
 * A step of a single micro-batch (a mini-batch of up to 128 clips) never comes here: train.ts runs
 * it on the main thread, with or without workers.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { BackendPreference } from "./backend";
import type { CnnConfig } from "./cnn";
import {
  microBatchGradient,
  microBatchRanges,
  OrderedGradientSum,
  type MicroBatchGradient,
  type SummedGradients,
} from "./microBatches";

/** Most worker threads the automatic choice uses (the model is small; more threads mostly add messages). */
export const MAX_AUTO_TRAIN_WORKERS = 4;

/**
 * Single-thread clip-epochs (training clips × epochs) below which the automatic choice stays on
 * one thread: starting the workers (each loads tfjs and compiles the wasm module, ~0.3–1 s)
 * would cost about as much as it saves. 4096 clip-epochs take about 0.7 s on one thread.
 */
export const MIN_AUTO_PARALLEL_CLIP_EPOCHS = 4096;

/** What {@link resolveTrainWorkers} needs to know about the run. */
export interface ParallelContext {
  /** tfjs backend the main thread trains on ("wasm", "cpu", "tensorflow"). */
  backend: string;
  /** True when the explicit backward pass covers the model (workers need it). */
  explicitGradients: boolean;
  trainCount: number;
  /** Clips per step (trainCount for full batch). */
  batch: number;
  /** Rows per micro-batch (microBatches.ts); workers share out a step's micro-batches. */
  microBatch: number;
  epochs: number;
}

/**
 * Number of threads computing gradients; 1 means the main thread alone, n > 1 the main thread and
 * n - 1 workers. The trained weights do not depend on it (see the file comment), only the speed.
 *
 * @param requested  a positive integer (used as given, but at most one per micro-batch of a step
 *   and 1 when the explicit backward pass does not cover the model), or null for automatic: one
 *   per core up to {@link MAX_AUTO_TRAIN_WORKERS} on the wasm and cpu backends (tfjs-node is
 *   already multi-threaded), and 1 when the run is too small to repay the workers' start-up
 *   ({@link MIN_AUTO_PARALLEL_CLIP_EPOCHS}) or a step is a single micro-batch.
 * @param cores  available cores (default: os.availableParallelism())
 */
export function resolveTrainWorkers(
  requested: number | null,
  context: ParallelContext,
  cores = availableParallelism(),
): number {
  if (!context.explicitGradients) return 1;
  const microBatches = Math.ceil(context.batch / context.microBatch);
  if (requested !== null) return Math.max(1, Math.min(requested, microBatches));
  if (context.backend !== "wasm" && context.backend !== "cpu") return 1;
  if (context.trainCount * context.epochs < MIN_AUTO_PARALLEL_CLIP_EPOCHS) return 1;
  return Math.max(1, Math.min(cores, MAX_AUTO_TRAIN_WORKERS, microBatches));
}

/** The preference that selects tfjs backend `name` in a worker. */
export function backendPreferenceOf(name: string): BackendPreference {
  if (name === "wasm" || name === "cpu") return name;
  if (name === "tensorflow") return "tfjs-node";
  throw new Error(`no backend preference selects tfjs backend '${name}'`);
}

/** Main thread → worker. */
export type WorkerRequest =
  | {
      type: "init";
      /** Full architecture (nMfcc and frames from the data). */
      cnn: CnnConfig;
      backend: BackendPreference;
      /** Every clip, `[count][nMfcc][frames]`, flat, over a SharedArrayBuffer (shared, not copied). */
      x: Float32Array;
    }
  | {
      type: "micro";
      /** Step number; the worker keeps the parameters it was last sent for it. */
      step: number;
      /** Flat parameter vector (FlatAdam's layout), sent with a worker's first micro-batch of a step, else null. */
      params: Float32Array | null;
      /** Clips of the micro-batch (indices into x), in order. */
      rows: Int32Array;
      /** Their class indices. */
      labels: Int32Array;
    };

/** Worker → main thread. */
export type WorkerReply =
  { type: "ready" } | ({ type: "gradients" } & MicroBatchGradient) | { type: "error"; message: string };

/** One step's result over the whole batch. */
export interface BatchGradients {
  /** Mean gradient over the batch, flat, FlatAdam's layout. */
  grad: Float32Array;
  /** Mean softmax cross-entropy over the batch, nats (before the update). */
  loss: number;
  correct: number;
}

/** `x` itself if it lies in a SharedArrayBuffer, else a copy in one (workers read it in place). */
export function sharedFloat32(x: Float32Array): Float32Array {
  if (x.buffer instanceof SharedArrayBuffer) return x;
  const out = new Float32Array(new SharedArrayBuffer(x.byteLength));
  out.set(x);
  return out;
}

/**
 * V8 heap limits of a training worker. A worker's JS allocations per micro-batch are small (tfjs
 * tensor objects, the rows and gradient messages; the data lives in shared and wasm memory), so a
 * young generation of 4 MB instead of V8's default (up to 3 x 16 MB semi-spaces) keeps 12-15 MB
 * less resident per worker (bench/trainMemory.ts, 2500 rows: 287 -> 258 MB peak with 2 workers,
 * 413 -> 364 MB with 4) at the same CPU time (4 epochs of 10000 rows on 2 workers: 6.7-7.1 s
 * user vs 6.6-7.3 s with V8's default, three runs each).
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4 };

let live = 0;

/** Training worker threads started in this process that have not exited yet (0 after training). */
export function liveTrainWorkers(): number {
  return live;
}

function startWorker(): Worker {
  const js = join(__dirname, "trainWorker.js");
  // from TypeScript sources (tests, benchmarks) the worker loads them through tsx, resolved here
  // so that the eval'd script does not depend on the working directory
  const ts = join(__dirname, "trainWorker.ts");
  const worker = existsSync(js)
    ? new Worker(js, { resourceLimits: WORKER_HEAP_LIMITS })
    : new Worker(`require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(ts)});`, {
        eval: true,
        resourceLimits: WORKER_HEAP_LIMITS,
      });
  live++;
  worker.once("exit", () => live--);
  return worker;
}

/** A worker answering its requests in the order they were sent (it handles one at a time). */
class GradientWorker {
  private readonly pending: Array<{ resolve: (reply: WorkerReply) => void; reject: (err: Error) => void }> = [];
  private failure: Error | null = null;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on("message", (reply: WorkerReply) => {
      const p = this.pending.shift();
      if (reply.type === "error") p?.reject(new Error(`training worker ${index}: ${reply.message}`));
      else p?.resolve(reply);
    });
    worker.on("error", (err) => this.fail(new Error(`training worker ${index} failed: ${err.message}`)));
    worker.on("exit", (code) => this.fail(new Error(`training worker ${index} exited with code ${code}`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  /** Send `message`; the promise settles with the worker's reply to it. */
  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`training worker ${this.index} was terminated`);
    await this.worker.terminate();
  }
}

/** The calling thread's share of the micro-batches (see {@link GradientWorkers.start}). */
interface MainThreadShare {
  gradients: SummedGradients;
  x: Float32Array;
  nMfcc: number;
  frames: number;
  /** Scratch for one micro-batch, grown as needed. */
  buffer: Float32Array;
}

/**
 * N threads computing gradients of one batch together: worker threads, and optionally the
 * calling thread as one of them. Start with {@link start}; always {@link close} (it terminates
 * the worker threads).
 */
export class GradientWorkers {
  private steps = 0;

  private constructor(
    private readonly workers: GradientWorker[],
    private readonly paramCount: number,
    private readonly main: MainThreadShare | null,
  ) {}

  /** Number of threads computing gradients (the worker threads, plus this one if it takes part). */
  get size(): number {
    return this.workers.length + (this.main === null ? 0 : 1);
  }

  /**
   * Start `n` gradient threads and share the clips with them.
   *
   * Each worker thread holds its own V8 isolate, tfjs and wasm heap (about 45 MB resident), so
   * with `mainThread` this thread computes micro-batches too and only n - 1 workers are started:
   * `n` threads compute, and no thread waits idle for the others.
   *
   * @param x  every clip, `[count][nMfcc][frames]`, flat; copied once into a SharedArrayBuffer
   *   unless it already lies in one ({@link sharedFloat32})
   * @param cnn  full architecture; `paramCount` its number of trainable parameters
   * @param mainThread  gradients of this thread's copy of the model, which must hold the
   *   parameters passed to {@link gradients} (then n >= 2)
   */
  static async start(
    n: number,
    options: {
      backend: BackendPreference;
      cnn: CnnConfig;
      paramCount: number;
      x: Float32Array;
      mainThread?: SummedGradients;
    },
  ): Promise<GradientWorkers> {
    const { cnn, mainThread } = options;
    const x = sharedFloat32(options.x);
    const workers: GradientWorker[] = [];
    const main =
      mainThread === undefined
        ? null
        : { gradients: mainThread, x, nMfcc: cnn.nMfcc, frames: cnn.frames, buffer: new Float32Array(0) };
    const pool = new GradientWorkers(workers, options.paramCount, main);
    try {
      for (let w = 0; w < n - (main === null ? 0 : 1); w++) workers.push(new GradientWorker(w, startWorker()));
      await Promise.all(
        workers.map((worker, w) =>
          worker.request({ type: "init", cnn, backend: options.backend, x }).then((reply) => {
            if (reply.type !== "ready")
              throw new Error(`training worker ${w}: unexpected reply '${reply.type}' to init`);
          }),
        ),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /**
   * Loss and mean gradient of one batch at parameters `params`, over micro-batches of
   * `microBatch` rows, summed in micro-batch order (independent of the number of threads).
   *
   * Whichever thread is free takes the next micro-batch. When this thread computes too, each
   * worker gets its next micro-batch before its current one is done (while enough are left), so
   * that it does not wait for this thread's synchronous micro-batch to finish.
   *
   * @param params  flat parameter vector (FlatAdam's layout)
   * @param rows  the batch's clips (indices into the shared x), in training order
   * @param labels  class per clip of x (indexed like x, not like rows)
   */
  async gradients(
    params: Float32Array,
    rows: Int32Array,
    labels: Int32Array,
    microBatch: number,
  ): Promise<BatchGradients> {
    const ranges = microBatchRanges(rows.length, microBatch);
    const sum = new OrderedGradientSum(this.paramCount);
    const step = ++this.steps;
    const main = this.main;
    let next = 0;
    /** The next micro-batch to compute; a read-ahead request takes one only while many are left. */
    const take = (readAhead: boolean): number | null =>
      next < ranges.length && (!readAhead || ranges.length - next > this.size) ? next++ : null;
    const labelsOf = (part: Int32Array): Int32Array => Int32Array.from(part, (r) => labels[r] as number);
    const sent = this.workers.map(() => false);
    /** One request at a time to worker `w`; its parameters go with the worker's first request of the step. */
    const lane = async (w: number, readAhead: boolean): Promise<void> => {
      const worker = this.workers[w] as GradientWorker;
      for (let k = take(readAhead); k !== null; k = take(readAhead)) {
        const [from, to] = ranges[k] as [number, number];
        const part = rows.slice(from, to);
        const message: WorkerRequest = {
          type: "micro",
          step,
          params: sent[w] ? null : params,
          rows: part,
          labels: labelsOf(part),
        };
        const reply = worker.request(message);
        sent[w] = true;
        const r = await reply;
        if (r.type !== "gradients")
          throw new Error(`training worker ${w}: unexpected reply '${r.type}' to a micro-batch`);
        sum.add(k, r);
      }
    };
    /** This thread's micro-batches, each after the workers' replies so far have been handed out anew. */
    const local = async (share: MainThreadShare): Promise<void> => {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const k = take(false);
        if (k === null) return;
        const [from, to] = ranges[k] as [number, number];
        const part = rows.subarray(from, to);
        const needed = part.length * share.nMfcc * share.frames;
        if (share.buffer.length < needed) share.buffer = new Float32Array(needed);
        const { gradients, x, nMfcc, frames, buffer } = share;
        sum.add(k, microBatchGradient(gradients, x, nMfcc, frames, part, labelsOf(part), buffer));
      }
    };
    await Promise.all([
      ...this.workers.map((_, w) => lane(w, false)),
      ...(main === null ? [] : [...this.workers.map((_, w) => lane(w, true)), local(main)]),
    ]);
    return sum.mean(ranges.length);
  }

  /** Terminate every worker (idempotent). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
