import { execFileSync } from "node:child_process";

/** The Python the NumPy tests run (Debian's python3-numpy, which .ci/run installs). */
export const PYTHON = process.env.SOUNDCHECK_PYTHON ?? "/usr/bin/python3";

/**
 * Run {@link PYTHON} with `args` and return its standard output; a failure names what is needed.
 * @param options  working folder and time limit (ms) of the run
 */
export function runNumpyPython(args: string[], options: { cwd?: string; timeout?: number } = {}): string {
  try {
    return execFileSync(PYTHON, args, { encoding: "utf8", ...options });
  } catch (err) {
    throw new Error(
      `${PYTHON} with numpy is needed for this test (apt-get install python3-numpy): ${(err as Error).message}`,
      { cause: err },
    );
  }
}
