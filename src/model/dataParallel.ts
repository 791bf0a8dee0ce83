/**
 * Data-parallel gradients for training the CNN on several worker threads.
 *
 * tfjs's wasm backend runs on one thread in Node, so one training process uses one core. Here N
 * worker threads (trainWorker.ts) each load tfjs, the same backend and our kernels once, and each
 * keeps a fixed shard of the training clips: clip k of the training order goes to worker k mod N
 * (strided, so a mini-batch of consecutive clips splits evenly even without shuffling). Per step
 * the main thread sends every worker the current flat parameter vector (and, for a mini-batch,
 * which of its clips are in the batch); each worker runs the hand-written backward pass
 * (backprop.ts) with reduction "sum" on its part and returns the gradient *sum*, loss sum and
 * correct count. The main thread adds the workers' results in a fixed order (worker 0, 1, ...),
 * in float64, and divides by the batch size once: the result is the batch's mean gradient, the
 * same as one thread's up to float32 summation order, and deterministic for a given worker count.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { BackendPreference } from "./backend";
import type { CnnConfig } from "./cnn";

/** Most worker threads the automatic choice uses (the model is small; more threads mostly add messages). */
export const MAX_AUTO_TRAIN_WORKERS = 4;

/**
 * Single-thread clip-epochs (training clips × epochs) below which the automatic choice stays on
 * one thread: starting the workers (each loads tfjs and compiles the wasm module, ~0.3–1 s)
 * would cost about as much as it saves. 4096 clip-epochs take about 0.7 s on one thread.
 */
export const MIN_AUTO_PARALLEL_CLIP_EPOCHS = 4096;

/**
 * Smallest mini-batch the automatic choice splits across workers: below it a step is dominated by
 * per-kernel overhead, which every worker pays again, plus the message round trip.
 */
export const MIN_AUTO_PARALLEL_BATCH = 64;

/** What {@link resolveTrainWorkers} needs to know about the run. */
export interface ParallelContext {
  /** tfjs backend the main thread trains on ("wasm", "cpu", "tensorflow"). */
  backend: string;
  /** True when the explicit backward pass covers the model (workers need it). */
  explicitGradients: boolean;
  trainCount: number;
  /** Clips per step (trainCount for full batch). */
  batch: number;
  epochs: number;
}

/**
 * Number of gradient workers to train with; 1 means today's single-thread path.
 *
 * @param requested  a positive integer (used as given, but at most one per training clip and 1
 *   when the explicit backward pass does not cover the model), or null for automatic: one per
 *   core up to {@link MAX_AUTO_TRAIN_WORKERS} on the wasm and cpu backends (tfjs-node is already
 *   multi-threaded), and 1 when the run is too small to repay the workers' start-up
 *   ({@link MIN_AUTO_PARALLEL_CLIP_EPOCHS}) or its mini-batches too small to split
 *   ({@link MIN_AUTO_PARALLEL_BATCH}).
 * @param cores  available cores (default: os.availableParallelism())
 */
export function resolveTrainWorkers(requested: number | null, context: ParallelContext, cores = availableParallelism()): number {
  if (!context.explicitGradients) return 1;
  if (requested !== null) return Math.max(1, Math.min(requested, context.trainCount));
  if (context.backend !== "wasm" && context.backend !== "cpu") return 1;
  if (context.trainCount * context.epochs < MIN_AUTO_PARALLEL_CLIP_EPOCHS) return 1;
  if (context.batch < Math.min(MIN_AUTO_PARALLEL_BATCH, context.trainCount)) return 1;
  return Math.max(1, Math.min(cores, MAX_AUTO_TRAIN_WORKERS, context.batch));
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
    /** The worker's clips, model layout `[clips][frames][nMfcc]`, flat. */
    x: Float32Array;
    /** Class index per clip, `[clips]`. */
    labels: Int32Array;
  }
  | {
    type: "step";
    /** Flat parameter vector (FlatAdam's layout). */
    params: Float32Array;
    /** Indices into the worker's shard, in batch order; null = the whole shard. */
    local: Int32Array | null;
  };

/** Worker → main thread. */
export type WorkerReply =
  | { type: "ready" }
  | {
    type: "gradients";
    /** d(summed loss)/d(params) over the worker's clips, flat, FlatAdam's layout. */
    grad: Float32Array;
    /** Summed softmax cross-entropy, nats. */
    lossSum: number;
    correct: number;
    clips: number;
  }
  | { type: "error"; message: string };

/** One step's result over the whole batch. */
export interface BatchGradients {
  /** Mean gradient over the batch, flat, FlatAdam's layout. */
  grad: Float32Array;
  /** Mean softmax cross-entropy over the batch, nats (before the update). */
  loss: number;
  correct: number;
}

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
  const worker = existsSync(js) ? new Worker(js) : new Worker(`require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(ts)});`, { eval: true });
  live++;
  worker.once("exit", () => live--);
  return worker;
}

/** A worker with at most one request in flight. */
class GradientWorker {
  private pending: { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(readonly index: number, private readonly worker: Worker) {
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
  /** Training position k (0..trainCount-1) lives in worker k % n, at index floor(k / n) of its shard. */
  private constructor(private readonly workers: GradientWorker[], private readonly paramCount: number) {}

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Start `n` workers and send each its shard (transferred, not copied).
   *
   * @param xModel  all clips, model layout `[count][frames][nMfcc]`, flat
   * @param labels  class per clip, `[count]`
   * @param trainIdx  the training clips (indices into xModel), in training-position order
   * @param cnn  full architecture; `paramCount` its number of trainable parameters
   */
  static async start(
    n: number,
    options: { backend: BackendPreference; cnn: CnnConfig; paramCount: number; xModel: Float32Array; labels: Int32Array; trainIdx: readonly number[] },
  ): Promise<GradientWorkers> {
    const { cnn, xModel, labels, trainIdx } = options;
    const per = cnn.nMfcc * cnn.frames;
    const workers: GradientWorker[] = [];
    const pool = new GradientWorkers(workers, options.paramCount);
    try {
      for (let w = 0; w < n; w++) workers.push(new GradientWorker(w, startWorker()));
      await Promise.all(workers.map((worker, w) => {
        const count = Math.ceil((trainIdx.length - w) / n);
        const x = new Float32Array(count * per);
        const y = new Int32Array(count);
        for (let local = 0; local < count; local++) {
          const clip = trainIdx[local * n + w] as number;
          x.set(xModel.subarray(clip * per, (clip + 1) * per), local * per);
          y[local] = labels[clip] as number;
        }
        return worker.request({ type: "init", cnn, backend: options.backend, x, labels: y }, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]).then((reply) => {
          if (reply.type !== "ready") throw new Error(`training worker ${w}: unexpected reply '${reply.type}' to init`);
        });
      }));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /**
   * Loss and mean gradient of one batch at parameters `params`.
   *
   * @param params  flat parameter vector (FlatAdam's layout)
   * @param positions  training positions in the batch (0..trainCount-1), or null for all of them
   *   (full batch: each worker uses its whole shard, kept resident)
   */
  async gradients(params: Float32Array, positions: ArrayLike<number> | null): Promise<BatchGradients> {
    const n = this.workers.length;
    let parts: Array<Int32Array | null>;
    if (positions === null) {
      parts = this.workers.map(() => null);
    } else {
      const counts = new Int32Array(n);
      for (let i = 0; i < positions.length; i++) counts[(positions[i] as number) % n]++;
      const local = Array.from(counts, (c) => new Int32Array(c));
      counts.fill(0);
      for (let i = 0; i < positions.length; i++) {
        const k = positions[i] as number;
        const w = k % n;
        (local[w] as Int32Array)[counts[w]++] = Math.floor(k / n);
      }
      parts = local;
    }
    const replies = await Promise.all(this.workers.map((worker, w) => {
      const local = parts[w] ?? null;
      if (local !== null && local.length === 0) return null;
      return worker.request({ type: "step", params, local });
    }));
    // fixed order: worker 0, 1, ...; float64 accumulation, one rounding to float32 at the end
    const sum = new Float64Array(this.paramCount);
    let lossSum = 0;
    let correct = 0;
    let clips = 0;
    replies.forEach((reply, w) => {
      if (reply === null) return;
      if (reply.type !== "gradients") throw new Error(`training worker ${w}: unexpected reply '${reply.type}' to step`);
      if (reply.grad.length !== this.paramCount) throw new Error(`training worker ${w}: ${reply.grad.length} gradient values for ${this.paramCount} parameters`);
      const g = reply.grad;
      for (let i = 0; i < g.length; i++) sum[i] = (sum[i] as number) + (g[i] as number);
      lossSum += reply.lossSum;
      correct += reply.correct;
      clips += reply.clips;
    });
    const grad = new Float32Array(this.paramCount);
    for (let i = 0; i < grad.length; i++) grad[i] = (sum[i] as number) / clips;
    return { grad, loss: lossSum / clips, correct };
  }

  /** Terminate every worker (idempotent). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
