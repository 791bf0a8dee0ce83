/**
 * Worker thread of data-parallel training (see dataParallel.ts): loads tfjs and the main thread's
 * backend (with our wasm kernels) once, reads the clips from the main thread's SharedArrayBuffer,
 * and per request returns the gradient sum, loss sum and correct count of one micro-batch at the
 * step's parameters (microBatches.ts). Protocol: WorkerRequest in, WorkerReply out, one request
 * at a time.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend";
import { cnnBackprop } from "./backprop";
import { buildCnn } from "./cnn";
import type { WorkerReply, WorkerRequest } from "./dataParallel";
import { explicitSummedGradients, microBatchGradient, type SummedGradients } from "./microBatches";

interface State {
  variables: tf.Variable[];
  gradients: SummedGradients;
  /** Every clip, `[count][nMfcc][frames]`, flat (shared with the main thread, read only). */
  x: Float32Array;
  frames: number;
  nMfcc: number;
  /** Step whose parameters the variables hold (0 = none yet). */
  step: number;
  /** Scratch for one micro-batch in the model's layout, grown as needed. */
  buffer: Float32Array;
}

let state: State | null = null;

async function init(request: Extract<WorkerRequest, { type: "init" }>): Promise<WorkerReply> {
  await selectBackend(request.backend);
  // the initial weights do not matter: every step assigns the main thread's parameters
  const model = buildCnn(request.cnn, 0);
  state = {
    variables: model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    gradients: explicitSummedGradients(cnnBackprop(model)),
    x: request.x,
    frames: request.cnn.frames,
    nMfcc: request.cnn.nMfcc,
    step: 0,
    buffer: new Float32Array(0),
  };
  return { type: "ready" };
}

/** Set the variables from a flat vector (fresh tensors, as FlatAdam does: keeps the XNNPACK cache valid). */
function assignParameters(variables: readonly tf.Variable[], params: Float32Array): void {
  let at = 0;
  for (const v of variables) {
    const t = tf.tensor(params.subarray(at, at + v.size), v.shape, "float32");
    v.assign(t);
    t.dispose();
    at += v.size;
  }
  if (at !== params.length) throw new Error(`received ${params.length} parameters, the model has ${at}`);
}

function micro(
  s: State,
  request: Extract<WorkerRequest, { type: "micro" }>,
): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  if (request.params !== null) {
    assignParameters(s.variables, request.params);
    s.step = request.step;
  } else if (s.step !== request.step) {
    throw new Error(`micro-batch of step ${request.step} without parameters (the worker holds step ${s.step}'s)`);
  }
  const needed = request.rows.length * s.frames * s.nMfcc;
  if (s.buffer.length < needed) s.buffer = new Float32Array(needed);
  const r = microBatchGradient(s.gradients, s.x, s.nMfcc, s.frames, request.rows, request.labels, s.buffer);
  return { reply: { type: "gradients", ...r }, transfer: [r.grad.buffer as ArrayBuffer] };
}

const port = parentPort;
if (port === null) throw new Error("trainWorker.ts must run as a worker thread (see dataParallel.ts)");
port.on("message", (request: WorkerRequest) => {
  const handle = async (): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> => {
    if (request.type === "init") return { reply: await init(request), transfer: [] };
    if (state === null) throw new Error("step before init");
    return micro(state, request);
  };
  handle().then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (err: unknown) =>
      port.postMessage({
        type: "error",
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies WorkerReply),
  );
});
