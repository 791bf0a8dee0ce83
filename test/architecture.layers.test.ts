import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

// The layer rules of README's layout, checked on the real import graph of src/: the core never
// reaches up into the notebook or browser layers, and data/ does not depend on the pipeline.

const SRC = resolve(__dirname, "..", "src");
const CORE = ["audio", "dsp", "augment", "data", "model", "evaluate", "plots", "pipeline", "config", "util"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Relative import targets of a module, as folders-and-files under src/ (e.g. "notebook/display"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)].map(
    (m) => m[1] as string,
  );
  return specs.map((spec) => relative(SRC, resolve(dirname(file), spec)).replace(/\\/g, "/"));
}

const layerOf = (srcRelative: string) => srcRelative.split("/")[0] as string;
const graph = sourceFiles(SRC).map((file) => ({
  file: relative(SRC, file).replace(/\\/g, "/"),
  imports: importsOf(file),
}));

function violations(from: (layer: string) => boolean, to: (layer: string) => boolean): string[] {
  return graph.flatMap(({ file, imports }) =>
    from(layerOf(file)) ? imports.filter((target) => to(layerOf(target))).map((target) => `${file} -> ${target}`) : [],
  );
}

test("the import graph of src/ is read (guards the rules below against an empty graph)", () => {
  assert.ok(graph.length > 100, `only ${graph.length} modules found under ${SRC}`);
  assert.ok(
    graph.some((m) => m.imports.includes("notebook/display")),
    "some module imports notebook/display",
  );
});

test("no core module imports from the notebook or browser layers", () => {
  assert.deepEqual(
    violations(
      (l) => CORE.includes(l),
      (l) => l === "notebook" || l === "browser",
    ),
    [],
  );
});

test("data/ does not import from pipeline/", () => {
  assert.deepEqual(
    violations(
      (l) => l === "data",
      (l) => l === "pipeline",
    ),
    [],
  );
});

test("the lower layers (audio, dsp, augment, data, model, evaluate, plots) do not import the pipeline", () => {
  const lower = ["audio", "dsp", "augment", "data", "model", "evaluate", "plots", "util", "config"];
  assert.deepEqual(
    violations(
      (l) => lower.includes(l),
      (l) => l === "pipeline",
    ),
    [],
  );
});

test("at most 12 files sit directly in src/pipeline; the rest live in stages/, experiments/, runtime/, reports/", () => {
  const top = readdirSync(join(SRC, "pipeline")).filter((n) => statSync(join(SRC, "pipeline", n)).isFile());
  assert.ok(top.length <= 12, `src/pipeline has ${top.length} files: ${top.join(", ")}`);
  for (const folder of ["stages", "experiments", "runtime", "reports"]) {
    assert.ok(statSync(join(SRC, "pipeline", folder)).isDirectory(), `src/pipeline/${folder}/ exists`);
  }
});
