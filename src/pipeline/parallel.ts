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
 * Run `task` on every input, on `workers` threads (1 = in this thread), and return the outputs
 * in input order, whatever order they finish in. `onDone(count)` reports progress.
 */
export async function mapTask<K extends TaskName>(
  task: K,
  inputs: ReadonlyArray<TaskInput<K>>,
  workers: number,
  onDone: (done: number) => void = () => undefined,
): Promise<Array<TaskOutput<K>>> {
  const run = TASKS[task] as (input: TaskInput<K>) => Promise<TaskOutput<K>>;
  const results = new Array<TaskOutput<K>>(inputs.length);
  let done = 0;
  const threads = Math.min(workers, inputs.length);
  if (threads <= 1) {
    for (let i = 0; i < inputs.length; i++) {
      results[i] = await run(inputs[i] as TaskInput<K>);
      onDone(++done);
    }
    return results;
  }
  let next = 0;
  const pool = Array.from({ length: threads }, startWorker);
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= inputs.length) return resolve();
              const id = next++;
              worker.postMessage({ id, task, input: inputs[id] });
            };
            worker.on("message", (msg: { id: number; output?: TaskOutput<K>; error?: string }) => {
              if (msg.error !== undefined) return reject(new Error(`worker failed on item ${msg.id}: ${msg.error}`));
              results[msg.id] = msg.output as TaskOutput<K>;
              onDone(++done);
              send();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => {
              if (code !== 0) reject(new Error(`worker exited with code ${code}`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
