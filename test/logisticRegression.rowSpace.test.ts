import { test } from "node:test";
import assert from "node:assert/strict";
import { trainLogisticRegression } from "../src/model/baselines/logisticRegression";
import { SeededRandom } from "../src/util/random";

/** Random features (a few large outliers, one constant column) and labels of both classes. */
function data(rows: number, dims: number, seed: number) {
  const rng = new SeededRandom(seed);
  const x = Float64Array.from({ length: rows * dims }, (_, k) =>
    k % dims === 3 ? 2 : rng.next() * 2 - 1 + (rng.next() < 0.1 ? 3 : 0),
  );
  const labels = Int32Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 1 : 0));
  for (let i = 0; i < rows; i++) if (labels[i] === 1) x[i * dims]! += 0.5; // some signal
  return { x, labels };
}

/** Largest |difference| of coefficients and intercept, relative to the largest |value|. */
function relativeDifference(a: ReturnType<typeof trainLogisticRegression>, b: typeof a): number {
  const va = [...a.coefficients, a.intercept];
  const vb = [...b.coefficients, b.intercept];
  const scale = Math.max(...va.map(Math.abs));
  return Math.max(...va.map((v, i) => Math.abs(v - (vb[i] as number)))) / scale;
}

test("Newton steps in the rows x rows space reach the same optimum as the full solve when rows < dims", () => {
  for (const [rows, dims] of [
    [12, 300],
    [30, 200],
    [39, 40],
  ] as const) {
    for (const options of [{ l2: 1, classWeight: "balanced" as const }, { l2: 0.01 }]) {
      const { x, labels } = data(rows, dims, rows + dims);
      const fast = trainLogisticRegression(x, labels, dims, options);
      const full = trainLogisticRegression(x, labels, dims, { ...options, rowSpaceSteps: false });
      assert.ok(fast.converged && full.converged, `${rows}x${dims} converged`);
      const d = relativeDifference(fast, full);
      assert.ok(d < 1e-9, `${rows}x${dims} l2=${options.l2}: relative difference ${d}`);
      // and it is the optimum: the penalised gradient vanishes (computed here, not by the solver)
      const grad = new Float64Array(dims + 1);
      for (let i = 0; i < rows; i++) {
        let m = fast.intercept;
        const zi: number[] = [];
        for (let j = 0; j < dims; j++) {
          zi.push(((x[i * dims + j] as number) - (fast.mean[j] as number)) / (fast.scale[j] as number));
          m += (fast.coefficients[j] as number) * (zi[j] as number);
        }
        const r = fast.classWeights[labels[i] as 0 | 1] * (1 / (1 + Math.exp(-m)) - (labels[i] as number));
        for (let j = 0; j < dims; j++) grad[j]! += r * (zi[j] as number);
        grad[dims]! += r;
      }
      for (let j = 0; j < dims; j++) grad[j]! += options.l2 * (fast.coefficients[j] as number);
      assert.ok(Math.max(...Array.from(grad, Math.abs)) < 1e-8, `${rows}x${dims}: gradient at the optimum`);
    }
  }
});

test("with rows >= dims the fit is the full solve, bit for bit", () => {
  const { x, labels } = data(60, 30, 5);
  const a = trainLogisticRegression(x, labels, 30, { l2: 1, classWeight: "balanced" });
  const b = trainLogisticRegression(x, labels, 30, { l2: 1, classWeight: "balanced", rowSpaceSteps: false });
  assert.deepEqual(a, b);
});
