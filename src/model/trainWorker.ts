/**
 * Worker thread of data-parallel training (see dataParallel.ts): loads tfjs and the main thread's
 * backend (with our wasm kernels) once, keeps its shard of the training clips, and per step
 * returns the gradient sum, loss sum and correct count of its part of the batch at the
 * parameters it is sent. Protocol: WorkerRequest in, WorkerReply out, one request at a time.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend";
import { cnnBackprop, type CnnBackprop } from "./backprop";
import { buildCnn } from "./cnn";
import type { WorkerReply, WorkerRequest } from "./dataParallel";

interface State {
  variables: tf.Variable[];
  backprop: CnnBackprop;
  /** Shard, model layout `[clips][frames][nMfcc]`, flat. */
  x: Float32Array;
  labels: Int32Array;
  frames: number;
  nMfcc: number;
  /** The whole shard as one tensor, built on the first full-batch step and kept. */
  whole: tf.Tensor3D | null;
}

let state: State | null = null;

async function init(request: Extract<WorkerRequest, { type: "init" }>): Promise<WorkerReply> {
  await selectBackend(request.backend);
  // the initial weights do not matter: every step assigns the main thread's parameters
  const model = buildCnn(request.cnn, 0);
  state = {
    variables: model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    backprop: cnnBackprop(model),
    x: request.x,
    labels: request.labels,
    frames: request.cnn.frames,
    nMfcc: request.cnn.nMfcc,
    whole: null,
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

function step(s: State, request: Extract<WorkerRequest, { type: "step" }>): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  assignParameters(s.variables, request.params);
  const per = s.frames * s.nMfcc;
  let x: tf.Tensor3D;
  let labels: Int32Array;
  if (request.local === null) {
    s.whole ??= tf.tensor3d(s.x, [s.labels.length, s.frames, s.nMfcc]);
    x = s.whole;
    labels = s.labels;
  } else {
    const local = request.local;
    const buffer = new Float32Array(local.length * per);
    labels = new Int32Array(local.length);
    for (let i = 0; i < local.length; i++) {
      const clip = local[i] as number;
      buffer.set(s.x.subarray(clip * per, (clip + 1) * per), i * per);
      labels[i] = s.labels[clip] as number;
    }
    x = tf.tensor3d(buffer, [local.length, s.frames, s.nMfcc]);
  }
  const r = s.backprop(x, labels, "sum");
  if (x !== s.whole) x.dispose();
  const flat = tf.tidy(() => tf.concat(r.grads.map((g) => tf.reshape(g, [-1]))));
  tf.dispose(r.grads);
  // a copy we own (the cpu backend's dataSync may hand out its own storage)
  const grad = (flat.dataSync() as Float32Array).slice();
  flat.dispose();
  return { reply: { type: "gradients", grad, lossSum: r.loss, correct: r.correct, clips: labels.length }, transfer: [grad.buffer as ArrayBuffer] };
}

const port = parentPort;
if (port === null) throw new Error("trainWorker.ts must run as a worker thread (see dataParallel.ts)");
port.on("message", (request: WorkerRequest) => {
  const handle = async (): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> => {
    if (request.type === "init") return { reply: await init(request), transfer: [] };
    if (state === null) throw new Error("step before init");
    return step(state, request);
  };
  handle().then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (err: unknown) => port.postMessage({ type: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies WorkerReply),
  );
});
