/**
 * Child process of test/robustness.permissions.test.ts: runs the clean stage over a data root and
 * prints one JSON line (the user it ran as, the files it skipped and why, the clips it wrote).
 *
 *   node --import tsx test/helpers/cleanAsUser.ts <data root> [<warm-up data root> <uid> <gid>]
 *
 * With a uid and gid, the process (started as root) first runs the stage once over the warm-up
 * root, so every module and WebAssembly file it needs is loaded while it may still read them, and
 * then drops to that user and group for the real run: chmod binds it like any user.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { thesisConfig } from "../../src/config/pipeline";
import { cleanAndSample } from "../../src/pipeline/stages/cleanAndSample";
import { CollectingReporter } from "../../src/util/reporter";

async function clean(root: string): Promise<CollectingReporter> {
  const config = thesisConfig(root);
  config.dataRoot = root;
  config.workers = 1; // in this process, so the dropped privileges apply
  const reporter = new CollectingReporter();
  await cleanAndSample(config, reporter);
  return reporter;
}

async function main(): Promise<void> {
  const [root, warmUp, uid, gid] = process.argv.slice(2);
  if (root === undefined) throw new Error("usage: cleanAsUser.ts <data root> [<warm-up root> <uid> <gid>]");
  if (warmUp !== undefined && uid !== undefined && gid !== undefined) {
    await clean(warmUp);
    process.setgroups?.([]);
    process.setgid?.(Number(gid));
    process.setuid?.(Number(uid));
  }
  const reporter = await clean(root);
  const written = readdirSync(join(root, "broken_audio_samples")).sort();
  const result = { uid: process.getuid?.() ?? null, skipped: reporter.skipped, written };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
