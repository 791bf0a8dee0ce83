// The project-local tslab kernelspec: Jupyter starts *this* project's tslab with the Node that
// ran the install, so the notebooks get the versions in package-lock.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Name the notebooks' metadata refers to. */
export const KERNEL_NAME = "soundcheck-tslab";
export const KERNEL_DISPLAY_NAME = "TypeScript (soundcheck-ts, tslab)";
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** kernel.json content for the project at `root`, run by the Node binary `node`. */
export function kernelJson(root = PROJECT_ROOT, node = process.execPath) {
  return {
    argv: [node, join(root, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    metadata: { project: root },
  };
}

/** Write `<kernelsDir>/<KERNEL_NAME>/kernel.json`; returns the kernelspec folder. */
export function writeKernelSpec(kernelsDir, root = PROJECT_ROOT) {
  const dir = join(kernelsDir, KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelJson(root), null, 2) + "\n");
  return dir;
}
