/**
 * The Python reference implementations (scripts/reference/) from the benchmarks: which Python to
 * use, whether it has the packages a reference needs, and running one that prints a JSON object as
 * its last line. A benchmark measures the reference in the same run when the packages import, and
 * otherwise says "not measured in this run" next to the figure measured earlier.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The folder of the reference scripts. */
export const REFERENCE_SCRIPTS = join(__dirname, "..", "scripts", "reference");

/** $PYTHON, else Debian's /usr/bin/python3, else python3 on the PATH. */
export function referencePython(): string {
  const fromEnv = process.env["PYTHON"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/** Whether the reference Python imports every module, and if not which ones fail and why. */
export interface PythonProbe {
  python: string;
  ok: boolean;
  /** "module (ExceptionName: first line)" for each module that did not import. */
  missing: string[];
}

/** Import each module in a child Python (a real import: librosa without soxr, for one, fails only then). */
export function probePython(modules: readonly string[]): PythonProbe {
  const python = referencePython();
  const code = [
    "import json, sys",
    "missing = []",
    "for m in sys.argv[1:]:",
    "    try:",
    "        __import__(m)",
    "    except Exception as e:",
    "        missing.append(f'{m} ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else \"\"})')",
    "print(json.dumps(missing))",
  ].join("\n");
  const r = spawnSync(python, ["-c", code, ...modules], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0 || r.error !== undefined) {
    const why = r.error?.message ?? r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`;
    return { python, ok: false, missing: [`${python} did not run (${why})`] };
  }
  const missing = JSON.parse(r.stdout.trim().split("\n").pop() ?? "[]") as string[];
  return { python, ok: missing.length === 0, missing };
}

/** Run scripts/reference/<script> with the reference Python; returns the JSON object on its last stdout line. */
export function runReference<T>(script: string, args: readonly string[], timeoutMs: number): T {
  const out = execFileSync(referencePython(), [join(REFERENCE_SCRIPTS, script), ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 2 ** 20,
  });
  const last = out.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as T;
}
