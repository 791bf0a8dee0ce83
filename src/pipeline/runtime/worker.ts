import { parentPort } from "node:worker_threads";
import { initFloat32Fft } from "../../dsp/fft";
import { TASKS, type TaskName } from "./tasks";

/** Worker-thread entry: runs the named task on each message and posts the result back. */
interface Request {
  id: number;
  task: TaskName;
  input: unknown;
}

// start loading the WebAssembly FFT now, while the first request is on its way (the feature
// extractor awaits the same load; a failure surfaces there)
initFloat32Fft().catch(() => undefined);

/** Runs one request and posts its output or its error back; never rejects. */
async function handle(request: Request): Promise<void> {
  try {
    const run = TASKS[request.task] as (input: unknown) => Promise<unknown>;
    const output = await run(request.input);
    parentPort?.postMessage({ id: request.id, output });
  } catch (err) {
    parentPort?.postMessage({
      id: request.id,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
}

parentPort?.on("message", (request: Request) => void handle(request));
