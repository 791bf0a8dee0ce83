/**
 * Child process of test/model.save.test.ts: runs selectBackend("auto") and selectBackend("tfjs-node")
 * in a fresh process and prints one JSON line with the outcome.
 */
import * as tf from "@tensorflow/tfjs";
import { ConfigError } from "../../src/errors";
import { selectBackend } from "../../src/model/backend";

async function main(): Promise<void> {
  const notes: string[] = [];
  const auto = await selectBackend("auto", (n) => notes.push(n));
  const active = tf.getBackend();
  let demanded: { backend: string } | { error: string; configError: boolean };
  try {
    demanded = { backend: await selectBackend("tfjs-node") };
  } catch (err) {
    demanded = { error: err instanceof Error ? err.message : String(err), configError: err instanceof ConfigError };
  }
  process.stdout.write(`${JSON.stringify({ auto, active, notes, demanded })}\n`);
}

void main();
