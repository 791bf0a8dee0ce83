#!/usr/bin/env node
// npm run jupyter:install [-- --prefix <dir>] [-- --python <python>]
// Registers the project's tslab as the Jupyter kernel "soundcheck-tslab" with
// jupyter_client's KernelSpecManager (per user by default; --prefix <dir> installs to
// <dir>/share/jupyter/kernels, --sys-prefix to the Python environment's).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { KERNEL_NAME, PROJECT_ROOT, writeKernelSpec } from "./kernelspec.mjs";
import { defaultPython } from "./python.mjs";

const { values } = parseArgs({
  options: { python: { type: "string" }, prefix: { type: "string" }, "sys-prefix": { type: "boolean" } },
});
if (!existsSync(join(PROJECT_ROOT, "node_modules", "tslab", "bin", "tslab"))) {
  process.stderr.write(`tslab is not installed in ${PROJECT_ROOT}/node_modules: run npm install first\n`);
  process.exit(1);
}
const python = values.python ?? defaultPython();
const staging = mkdtempSync(join(tmpdir(), "soundcheck-kernel-"));
try {
  const spec = writeKernelSpec(staging);
  // jupyter_client's own installer (the `jupyter kernelspec` command is not always installed)
  const where = values.prefix
    ? `prefix=${JSON.stringify(values.prefix)}`
    : values["sys-prefix"]
      ? "prefix=sys.prefix"
      : "user=True";
  const code = `import sys; from jupyter_client.kernelspec import KernelSpecManager as M; print(M().install_kernel_spec(${JSON.stringify(spec)}, ${JSON.stringify(KERNEL_NAME)}, ${where}))`;
  const r = spawnSync(python, ["-c", code], { stdio: "inherit" });
  if (r.error || r.status !== 0) {
    process.stderr.write(
      `could not register the kernel with ${python} (jupyter_client) (${r.error?.message ?? `exit ${r.status}`}).\n` +
        "Install Jupyter first (see environment.md), or name its Python with --python <path>.\n",
    );
    process.exit(1);
  }
  process.stdout.write(`Kernel "${KERNEL_NAME}" runs ${PROJECT_ROOT}/node_modules/tslab with ${process.execPath}.\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
