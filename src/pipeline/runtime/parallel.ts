import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { TASKS, type TaskInput, type TaskName, type TaskOutput } from "./tasks";

/** Worker threads to use: `requested`, or all cores (at most 8) when null. */
export function workerCount(requested: number | null): number {
  if (requested !== null) return Math.max(1, Math.floor(requested));
  return Math.max(1, Math.min(8, availableParallelism()));
}

function startWorker(): Worker {
  const js = join(__dirname, "worker.js");
  if (existsSync(js)) return new Worker(js);
  // running from TypeScript sources (tests, benchmarks): the worker loads them through tsx
  const ts = join(__dirname, "worker.ts");
  return new Worker(`require("tsx/cjs"); require(${JSON.stringify(ts)});`, { eval: true });
}

/**
 * The shared pool: workers started by one mapTask stay for the next (the clean and preprocess
 * stages share them, so threads start and load their code once per process). Idle workers are
 * unref'd, so they never keep the process alive; `closeWorkerPool()` ends them.
 */
let pool: Worker[] = [];
let poolBusy = false;
/** Request ids are unique across calls, so a reply can only ever reach the call that asked. */
let nextRequestId = 0;

/**
 * A worker for the shared pool: it leaves the pool if it ever exits (a call running on it fails through its own
 * listeners).
 */
function startPooledWorker(): Worker {
  const worker = startWorker();
  worker.on("error", () => undefined); // reported to the running call by its own listener, then "exit" follows
  worker.once("exit", () => {
    pool = pool.filter((w) => w !== worker);
  });
  return worker;
}

interface Reply<K extends TaskName> {
  id: number;
  output?: TaskOutput<K>;
  error?: string;
}

/** Run every input on `workers` (one item at a time per worker), filling `results` in input order. */
function runOnWorkers<K extends TaskName>(
  task: K,
  inputs: ReadonlyArray<TaskInput<K>>,
  workers: Worker[],
  results: Array<TaskOutput<K>>,
  onDone: (done: number) => void,
): Promise<void> {
  const base = nextRequestId;
  nextRequestId += inputs.length;
  let next = 0;
  let done = 0;
  const detach: Array<() => void> = [];
  const finished = Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const send = () => {
            if (next >= inputs.length) return resolve();
            const index = next++;
            worker.postMessage({ id: base + index, task, input: inputs[index] });
          };
          const onMessage = (msg: Reply<K>) => {
            const index = msg.id - base;
            if (index < 0 || index >= inputs.length) return; // not ours
            if (msg.error !== undefined) return reject(new Error(`worker failed on item ${index}: ${msg.error}`));
            results[index] = msg.output as TaskOutput<K>;
            onDone(++done);
            send();
          };
          const onExit = (code: number) => reject(new Error(`worker exited with code ${code}`));
          worker.on("message", onMessage);
          worker.on("error", reject);
          worker.on("exit", onExit);
          detach.push(() => {
            worker.off("message", onMessage);
            worker.off("error", reject);
            worker.off("exit", onExit);
          });
          send();
        }),
    ),
  );
  return finished.then(() => undefined).finally(() => detach.forEach((off) => off()));
}

/**
 * Run `task` on every input, on `workers` threads (1 = in this thread), and return the outputs
 * in input order, whatever order they finish in. `onDone(count)` reports progress.
 *
 * Threads come from the shared pool (started on first use, kept between calls; see
 * `closeWorkerPool`). A second call while one is running gets threads of its own, ended when it
 * returns. If any item fails, the pool is ended too, so no thread is left in an unknown state.
 */
export async function mapTask<K extends TaskName>(
  task: K,
  inputs: ReadonlyArray<TaskInput<K>>,
  workers: number,
  onDone: (done: number) => void = () => undefined,
): Promise<Array<TaskOutput<K>>> {
  const results = new Array<TaskOutput<K>>(inputs.length);
  const threads = Math.min(workers, inputs.length);
  if (threads <= 1) {
    const run = TASKS[task] as (input: TaskInput<K>) => Promise<TaskOutput<K>>;
    for (let i = 0; i < inputs.length; i++) {
      results[i] = await run(inputs[i] as TaskInput<K>);
      onDone(i + 1);
    }
    return results;
  }
  if (poolBusy) {
    const own = Array.from({ length: threads }, startWorker);
    try {
      await runOnWorkers(task, inputs, own, results, onDone);
    } finally {
      await Promise.all(own.map((w) => w.terminate()));
    }
    return results;
  }
  poolBusy = true;
  try {
    while (pool.length < threads) pool.push(startPooledWorker());
    const use = pool.slice(0, threads);
    use.forEach((w) => w.ref());
    await runOnWorkers(task, inputs, use, results, onDone);
  } catch (err) {
    await closeWorkerPool();
    throw err;
  } finally {
    pool.forEach((w) => w.unref());
    poolBusy = false;
  }
  return results;
}

/**
 * End the shared pool's threads (a later mapTask starts new ones). Idle threads never keep the
 * process alive, so calling this is optional; it frees their memory.
 */
export async function closeWorkerPool(): Promise<void> {
  const ending = pool;
  pool = [];
  await Promise.all(ending.map((w) => w.terminate()));
}

/** Thread ids of the shared pool's workers (for tests and diagnostics). */
export function pooledWorkerIds(): number[] {
  return pool.map((w) => w.threadId);
}
