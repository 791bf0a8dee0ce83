#!/usr/bin/env node
// Execute the notebooks in fresh tslab kernels through Jupyter, and export them to HTML.
//
//   node scripts/notebooks.mjs run    [--out DIR] [--html] [NAME...]   (npm run notebooks:run)
//   node scripts/notebooks.mjs render [--out DIR] [NAME...]            (npm run notebooks:render)
//
// Executed notebooks go to DIR (default notebooks/_build/executed), HTML to DIR/../html. The
// kernel is this project's tslab, registered in a private Jupyter path for the run (nothing is
// installed for the user). Needs a Python with nbclient (and nbconvert for HTML): Debian's
// /usr/bin/python3 with python3-nbclient, or $SOUNDCHECK_PYTHON. Exit code 1 if any cell fails.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { KERNEL_NAME, PROJECT_ROOT, writeKernelSpec } from "./kernelspec.mjs";
import { defaultPython } from "./python.mjs";

export const NOTEBOOKS_DIR = join(PROJECT_ROOT, "notebooks");

/** The notebooks in run order (file names sort by their stage number). */
export function notebookFiles() {
  return readdirSync(NOTEBOOKS_DIR)
    .filter((f) => /^\d\d_.*\.ipynb$/.test(f))
    .sort();
}

/**
 * Execute `names` (default all) into `outDir`, HTML into `htmlDir` if given.
 * @returns the exit status of the run (0 = every cell ran without error or stderr)
 */
export function runNotebooks({
  outDir,
  htmlDir = null,
  names = notebookFiles(),
  stdio = "inherit",
  env = process.env,
  timeoutSeconds = 900,
}) {
  const jupyterPath = mkdtempSync(join(tmpdir(), "soundcheck-jupyter-"));
  try {
    writeKernelSpec(join(jupyterPath, "kernels"));
    const args = [
      join(PROJECT_ROOT, "scripts", "execute_notebooks.py"),
      "--kernel",
      KERNEL_NAME,
      "--cwd",
      NOTEBOOKS_DIR,
      "--out",
      outDir,
      "--timeout",
      String(timeoutSeconds),
    ];
    if (htmlDir) args.push("--html", htmlDir);
    args.push(...names.map((n) => join(NOTEBOOKS_DIR, n.endsWith(".ipynb") ? n : `${n}.ipynb`)));
    const r = spawnSync(defaultPython(), args, {
      stdio,
      env: {
        ...env,
        JUPYTER_PATH: [join(jupyterPath), env.JUPYTER_PATH]
          .filter(Boolean)
          .join(process.platform === "win32" ? ";" : ":"),
        PYDEVD_DISABLE_FILE_VALIDATION: "1",
      },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  } finally {
    rmSync(jupyterPath, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("notebooks.mjs")) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: "string" }, html: { type: "boolean" } },
  });
  const [command, ...names] = positionals;
  if (command !== "run" && command !== "render") {
    process.stderr.write("usage: node scripts/notebooks.mjs run|render [--out DIR] [--html] [NAME...]\n");
    process.exit(2);
  }
  const build = resolve(values.out ?? join(NOTEBOOKS_DIR, "_build"));
  const outDir = join(build, "executed");
  const htmlDir = command === "render" || values.html ? join(build, "html") : null;
  const { status } = runNotebooks({ outDir, htmlDir, names: names.length ? names : notebookFiles() });
  if (status === 0) process.stdout.write(`executed notebooks in ${outDir}${htmlDir ? `, HTML in ${htmlDir}` : ""}\n`);
  process.exit(status);
}
