/**
 * Data-parallel gradients for training the CNN on several worker threads.
 *
 * tfjs's wasm backend runs on one thread in Node, so one training process uses one core. Here N
 * worker threads (trainWorker.ts) each load tfjs, the same backend and our kernels once, and share
 * the training clips with the main thread (a SharedArrayBuffer, never copied per worker). A step's
 * rows are cut into the fixed micro-batches of microBatches.ts; whichever worker is free takes the
 * next micro-batch (with the step's parameter vector, sent once per worker and step), runs the
 * hand-written backward pass (backprop.ts) with reduction "sum" on it and returns its gradient sum,
 * loss sum and correct count. The main thread adds the micro-batches in micro-batch order in
 * float64 and divides once by the step's rows ({@link OrderedGradientSum}): exactly what one thread
 * computes micro-batch by micro-batch, so the weights are byte-identical for any number of workers.
 * A step of a single micro-batch (a mini-batch of up to 128 clips) never comes here: train.ts runs
 * it on the main thread, with or without workers.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { BackendPreference } from "./backend";
import type { CnnConfig } from "./cnn";
import { microBatchRanges, OrderedGradientSum, type MicroBatchGradient } from "./microBatches";

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
 * Number of gradient workers to train with; 1 means the main thread alone. The trained weights do
 * not depend on it (see the file comment), only the speed.
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

/** A worker with at most one request in flight. */
class GradientWorker {
  private pending: { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on("message", (reply: WorkerReply) => {
      const p = this.pending;
      this.pending = null;
      if (reply.type === "error") p?.reject(new Error(`training worker ${index}: ${reply.message}`));
      else p?.resolve(reply);
    });
    worker.on("error", (err) => this.fail(new Error(`training worker ${index} failed: ${err.message}`)));
    worker.on("exit", (code) => this.fail(new Error(`training worker ${index} exited with code ${code}`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }

  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) throw new Error(`training worker ${this.index} is busy`);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`training worker ${this.index} was terminated`);
    await this.worker.terminate();
  }
}

/**
 * N worker threads computing gradients of one batch together. Start with {@link start}; always
 * {@link close} (it terminates the threads).
 */
export class GradientWorkers {
  private steps = 0;

  private constructor(
    private readonly workers: GradientWorker[],
    private readonly paramCount: number,
  ) {}

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Start `n` workers and share the clips with them.
   *
   * @param x  every clip, `[count][nMfcc][frames]`, flat; copied once into a SharedArrayBuffer
   *   unless it already lies in one ({@link sharedFloat32})
   * @param cnn  full architecture; `paramCount` its number of trainable parameters
   */
  static async start(
    n: number,
    options: { backend: BackendPreference; cnn: CnnConfig; paramCount: number; x: Float32Array },
  ): Promise<GradientWorkers> {
    const { cnn } = options;
    const x = sharedFloat32(options.x);
    const workers: GradientWorker[] = [];
    const pool = new GradientWorkers(workers, options.paramCount);
    try {
      for (let w = 0; w < n; w++) workers.push(new GradientWorker(w, startWorker()));
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
   * `microBatch` rows, summed in micro-batch order (independent of the number of workers).
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
    let next = 0;
    await Promise.all(
      this.workers.map(async (worker, w) => {
        let sent = false;
        while (next < ranges.length) {
          const k = next++;
          const [from, to] = ranges[k] as [number, number];
          const part = rows.slice(from, to);
          const reply = await worker.request({
            type: "micro",
            step,
            params: sent ? null : params,
            rows: part,
            labels: Int32Array.from(part, (r) => labels[r] as number),
          });
          sent = true;
          if (reply.type !== "gradients")
            throw new Error(`training worker ${w}: unexpected reply '${reply.type}' to a micro-batch`);
          sum.add(k, reply);
        }
      }),
    );
    return sum.mean(ranges.length);
  }

  /** Terminate every worker (idempotent). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
