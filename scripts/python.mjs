import { existsSync } from "node:fs";

/**
 * The Python that has Jupyter: $SOUNDCHECK_PYTHON, else Debian's /usr/bin/python3 (the
 * python3 on PATH may be another installation without Jupyter), else python3 / python.
 */
export function defaultPython() {
  if (process.env.SOUNDCHECK_PYTHON) return process.env.SOUNDCHECK_PYTHON;
  if (process.platform !== "win32" && existsSync("/usr/bin/python3")) return "/usr/bin/python3";
  return process.platform === "win32" ? "python" : "python3";
}
