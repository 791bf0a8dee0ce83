/**
 * The worker thread behind {@link ../notebook/figureImages}: owns one headless Chromium (a
 * {@link FigureRenderer}, started on the first request and kept open), draws each requested
 * figure to PNG or SVG, posts the answer on the port it was given, then wakes the waiting thread
 * through the shared flag. Requests are answered one at a time, in order.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { FigureRenderer } from "../plots/save";
import type { Figure } from "../plots/figure";

/** A request: draw `figure` as `format` at `scale` PNG pixels per CSS pixel. */
export interface ImageRequest {
  id: number;
  figure: Figure;
  format: "png" | "svg";
  scale: number;
}

/** The answer: base64 PNG or SVG text, or why there is none; `ms` = wall time of this request. */
export type ImageReply =
  { id: number; ok: true; data: string; ms: number; launchMs: number } | { id: number; ok: false; error: string };

interface WorkerData {
  port: MessagePort;
  flag: Int32Array;
  executablePath: string | undefined;
}

if (parentPort !== null) {
  const { port, flag, executablePath } = workerData as WorkerData;
  let renderer: Promise<FigureRenderer> | null = null;
  let queue: Promise<void> = Promise.resolve();
  const answer = (reply: ImageReply) => {
    port.postMessage(reply);
    Atomics.store(flag, 0, reply.id);
    Atomics.notify(flag, 0);
  };
  port.on("message", (request: ImageRequest) => {
    queue = queue.then(async () => {
      const start = performance.now();
      let launchMs = 0;
      try {
        if (renderer === null) {
          renderer = FigureRenderer.launch(executablePath);
          await renderer;
          launchMs = performance.now() - start;
        }
        const bytes = await (await renderer).image(request.figure, request.format, request.scale);
        const data = request.format === "png" ? bytes.toString("base64") : bytes.toString("utf8");
        answer({ id: request.id, ok: true, data, ms: performance.now() - start, launchMs });
      } catch (err) {
        renderer = null;
        answer({ id: request.id, ok: false, error: (err as Error).message.split("\n")[0] ?? String(err) });
      }
    });
  });
  parentPort.on("message", (message: unknown) => {
    if (message === "close") {
      void queue.then(async () => {
        if (renderer !== null) await (await renderer.catch(() => null))?.close();
        port.close();
        parentPort?.postMessage("closed");
      });
    }
  });
}
