import { parentPort } from "node:worker_threads";
import { TASKS, type TaskName } from "./tasks";

/** Worker-thread entry: runs the named task on each message and posts the result back. */
interface Request {
  id: number;
  task: TaskName;
  input: unknown;
}

parentPort?.on("message", async (request: Request) => {
  try {
    const run = TASKS[request.task] as (input: unknown) => Promise<unknown>;
    const output = await run(request.input);
    parentPort?.postMessage({ id: request.id, output });
  } catch (err) {
    parentPort?.postMessage({ id: request.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
