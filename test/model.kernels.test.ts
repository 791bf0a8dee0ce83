/**
 * The wasm training kernels (src/model/wasmKernels.ts) against the stock `cpu` backend: the same
 * inputs go through both, and outputs and gradients must agree to float32 accuracy.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../src/model/backend";
import { SeededRandom } from "../src/util/random";

type Data = { values: Float32Array; shape: number[] };

function randomData(shape: number[], seed: number, levels?: number): Data {
  const rng = new SeededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  // with `levels`, values are small integers so that max-pool windows contain ties
  const values = Float32Array.from({ length: n }, () => (levels === undefined ? rng.gaussian() : rng.nextInt(levels)));
  return { values, shape };
}

const T = (d: Data): tf.Tensor => tf.tensor(d.values, d.shape, "float32");

/** Run `f` on a backend and return its tensors' values. */
async function on(backend: "cpu" | "wasm", f: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (backend === "wasm") await selectBackend("wasm");
  else await tf.setBackend("cpu");
  return tf.tidy(f).map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return Float32Array.from(v);
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, label: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 1e-6;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(diff <= tol * scale))
      assert.fail(
        `${label}: element ${i} is ${actual[i]}, cpu gives ${expected[i]} (|diff| ${diff} > ${tol} * ${scale})`,
      );
  }
}

/** Compare f on wasm with f on cpu, output by output. */
async function sameOnBothBackends(label: string, f: () => tf.Tensor[], tol?: number): Promise<void> {
  const cpu = await on("cpu", f);
  const wasm = await on("wasm", f);
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((w, i) => assertClose(w, cpu[i] as Float32Array, `${label} [output ${i}]`, tol));
}

before(async () => {
  await selectBackend("wasm");
});

describe("conv2d gradients on wasm (Conv2DBackpropFilter, Conv2DBackpropInput)", () => {
  type Case = { x: number[]; filter: number[]; strides: number | [number, number]; pad: "same" | "valid" | number };
  const cases: Case[] = [
    { x: [2, 1, 100, 40], filter: [1, 3, 40, 16], strides: 1, pad: "same" }, // the CNN's first layer (conv1d)
    { x: [3, 1, 50, 16], filter: [1, 3, 16, 32], strides: 1, pad: "same" }, // its second layer
    { x: [1, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
    { x: [2, 7, 9, 3], filter: [3, 2, 3, 5], strides: 1, pad: "valid" },
    { x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: "same" },
    { x: [3, 9, 10, 4], filter: [2, 3, 4, 2], strides: [2, 3], pad: "valid" },
    // numeric padding: tfjs's computeConv2DInfo assumes a square filter and stride for it
    { x: [2, 6, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1 },
    { x: [1, 5, 5, 1], filter: [1, 1, 1, 6], strides: 1, pad: "valid" },
    { x: [4, 1, 12, 5], filter: [1, 5, 5, 3], strides: [1, 2], pad: "same" },
    { x: [2, 9, 6, 2], filter: [3, 2, 2, 3], strides: [2, 1], pad: "same" },
  ];
  for (const c of cases) {
    const name = `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} pad ${c.pad}`;
    test(`gives the cpu backend's output, dx and dfilter for ${name}`, async () => {
      const x = randomData(c.x, 1);
      const w = randomData(c.filter, 2);
      await sameOnBothBackends(name, () => {
        const xt = T(x) as tf.Tensor4D;
        const wt = T(w) as tf.Tensor4D;
        const y = tf.conv2d(xt, wt, c.strides, c.pad);
        const dyWeights = T(randomData(y.shape, 3));
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)
            .mul(dyWeights)
            .sum(),
        )([xt, wt]);
        return [y, dx as tf.Tensor, dw as tf.Tensor];
      });
    });
  }

  test("gives the cpu backend's conv1d gradients, as tf.layers Conv1D uses them", async () => {
    const x = randomData([5, 20, 6], 4);
    const w = randomData([3, 6, 4], 5);
    await sameOnBothBackends("conv1d", () => {
      const xt = T(x) as tf.Tensor3D;
      const wt = T(w) as tf.Tensor3D;
      const dyWeights = T(randomData([5, 20, 4], 6));
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 1, "same")
          .mul(dyWeights)
          .sum(),
      )([xt, wt]);
      return [dx as tf.Tensor, dw as tf.Tensor];
    });
  });

  test("runs conv2dTranspose (a Conv2DBackpropInput forward pass) and its gradients like the cpu backend", async () => {
    const x = randomData([2, 4, 5, 3], 7);
    const w = randomData([3, 3, 2, 3], 8); // [fH, fW, outC of the transpose, inC]
    await sameOnBothBackends("conv2dTranspose", () => {
      const xt = T(x) as tf.Tensor4D;
      const wt = T(w) as tf.Tensor4D;
      const y = tf.conv2dTranspose(xt, wt, [2, 8, 10, 2], 2, "same");
      const dyWeights = T(randomData(y.shape, 9));
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 10, 2], 2, "same")
          .mul(dyWeights)
          .sum(),
      )([xt, wt]);
      return [y, dx as tf.Tensor, dw as tf.Tensor];
    });
  });

  test("refuses NCHW data with an error naming the kernel instead of computing garbage", async () => {
    await selectBackend("wasm");
    tf.tidy(() => {
      const x = tf.ones([1, 2, 4, 4]);
      const dy = tf.ones([1, 3, 4, 4]);
      assert.throws(
        () =>
          tf
            .engine()
            .runKernel(
              "Conv2DBackpropFilter",
              { x, dy },
              { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [1, 1, 2, 3] },
            ),
        /Conv2DBackpropFilter.*NHWC/,
      );
    });
  });
});

describe("maxPool gradient on wasm (MaxPoolGrad)", () => {
  type Case = { x: number[]; size: [number, number]; strides: [number, number]; pad: "same" | "valid" };
  const cases: Case[] = [
    { x: [3, 100, 1, 16], size: [2, 1], strides: [2, 1], pad: "valid" }, // MaxPooling1D(2) in the CNN
    { x: [2, 7, 7, 3], size: [2, 2], strides: [2, 2], pad: "valid" },
    { x: [2, 7, 7, 3], size: [2, 2], strides: [2, 2], pad: "same" },
    { x: [1, 6, 8, 2], size: [3, 3], strides: [1, 1], pad: "same" }, // overlapping windows
    { x: [2, 9, 5, 4], size: [3, 2], strides: [2, 1], pad: "valid" },
    { x: [2, 3, 8, 5], size: [1, 2], strides: [1, 2], pad: "valid" }, // pairs along the width
    { x: [2, 5, 4, 3], size: [2, 1], strides: [2, 1], pad: "valid" }, // pairs, last row in no window
  ];
  for (const c of cases) {
    const name = `x [${c.x}] pool [${c.size}] strides [${c.strides}] pad ${c.pad}`;
    test(`routes gradients to the first maximum of each window, tied values included, like cpu, for ${name}`, async () => {
      const x = randomData(c.x, 10, 3); // values in {0, 1, 2}: most windows hold ties
      await sameOnBothBackends(
        name,
        () => {
          const xt = T(x) as tf.Tensor4D;
          const y = tf.maxPool(xt, c.size, c.strides, c.pad);
          const dyWeights = T(randomData(y.shape, 11));
          const dx = tf.grad((a: tf.Tensor) =>
            tf
              .maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad)
              .mul(dyWeights)
              .sum(),
          )(xt);
          return [y, dx];
        },
        1e-6,
      );
    });
  }

  test("treats -Infinity and NaN as cpu does: never a maximum, and a window of only those passes nothing", async () => {
    // windows of two: (-Inf,-Inf) (1,2) (NaN,3) (4,NaN) (-Inf,5) (6,-Inf) (NaN,NaN) (7,7)
    const values = new Float32Array([
      -Infinity,
      -Infinity,
      1,
      2,
      NaN,
      3,
      4,
      NaN,
      -Infinity,
      5,
      6,
      -Infinity,
      NaN,
      NaN,
      7,
      7,
    ]);
    for (const [shape, size] of [
      [
        [1, 16, 1, 1],
        [2, 1],
      ],
      [
        [1, 1, 16, 1],
        [1, 2],
      ],
      [
        [1, 4, 4, 1],
        [2, 2],
      ],
    ] as const) {
      await sameOnBothBackends(`non-finite values, pool [${size}]`, () => {
        const xt = tf.tensor4d(values, [...shape]);
        const dyWeights = tf.range(1, 1 + 16 / (size[0] * size[1]));
        return [
          tf.grad((a: tf.Tensor) =>
            tf
              .maxPool(a as tf.Tensor4D, [...size], [...size], "valid")
              .reshape([-1])
              .mul(dyWeights)
              .sum(),
          )(xt),
        ];
      });
    }
  });
});

describe("BatchMatMul on wasm with transposed operands", () => {
  const shapes: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [];
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    shapes.push({ a: ta ? [7, 5] : [5, 7], b: tb ? [3, 7] : [7, 3], ta, tb });
    shapes.push({ a: ta ? [2, 7, 5] : [2, 5, 7], b: tb ? [2, 3, 7] : [2, 7, 3], ta, tb });
    shapes.push({ a: ta ? [800, 32] : [32, 800], b: tb ? [64, 800] : [800, 64], ta, tb });
  }
  for (const s of shapes) {
    const name = `a [${s.a}]${s.ta ? "ᵀ" : ""} · b [${s.b}]${s.tb ? "ᵀ" : ""}`;
    test(`multiplies ${name} and differentiates it like cpu`, async () => {
      const a = randomData(s.a, 12);
      const b = randomData(s.b, 13);
      await sameOnBothBackends(name, () => {
        const at = T(a);
        const bt = T(b);
        const y = tf.matMul(at, bt, s.ta, s.tb);
        const dyWeights = T(randomData(y.shape, 14));
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, s.ta, s.tb).mul(dyWeights).sum())([
          at,
          bt,
        ]);
        return [y, da as tf.Tensor, db as tf.Tensor];
      });
    });
  }
});

describe("Sum on wasm", () => {
  const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
    { shape: [32, 100, 16], axis: [0, 1], keepDims: false }, // a Conv1D bias gradient
    { shape: [7, 64], axis: 0, keepDims: false }, // a Dense bias gradient
    { shape: [3, 4, 5], axis: [1, 0], keepDims: true },
    { shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false }, // everything: stock kernel
    { shape: [3, 4, 5], axis: [0, 2], keepDims: false }, // not leading: stock kernel
    { shape: [3, 4, 5], axis: -1, keepDims: true },
  ];
  for (const c of cases) {
    test(`sums [${c.shape}] over axes ${JSON.stringify(c.axis)}${c.keepDims ? " keeping dims" : ""} like cpu`, async () => {
      const x = randomData(c.shape, 15);
      const cpuShape: number[] = [];
      await sameOnBothBackends("sum", () => {
        const y = tf.sum(T(x), c.axis, c.keepDims);
        cpuShape.push(...y.shape);
        return [y];
      });
      assert.deepEqual(cpuShape.slice(0, cpuShape.length / 2), cpuShape.slice(cpuShape.length / 2));
    });
  }

  test("sums int32 tensors through the stock kernel", async () => {
    await selectBackend("wasm");
    const y = tf.sum(
      tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
        "int32",
      ),
      0,
    );
    assert.equal(y.dtype, "int32");
    assert.deepEqual(Array.from(y.dataSync()), [4, 6]);
    y.dispose();
  });

  test("gives a broadcast bias add the cpu backend's bias gradient", async () => {
    const x = randomData([6, 10, 8], 16);
    const bias = randomData([8], 17);
    await sameOnBothBackends("bias gradient", () => {
      const dyWeights = T(randomData([6, 10, 8], 18));
      const [, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.add(a, b).mul(dyWeights).sum())([T(x), T(bias)]);
      return [db as tf.Tensor];
    });
  });
});

describe("Slice on wasm", () => {
  const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
    { shape: [55], begin: [7], size: [30] },
    { shape: [6, 9], begin: [2, 0], size: [3, 9] }, // contiguous rows
    { shape: [6, 9], begin: [1, 2], size: [4, 5] },
    { shape: [4, 5, 6], begin: [1, 1, 2], size: [2, 3, 4] },
    { shape: [3, 4, 5, 6], begin: [0, 1, 0, 3], size: [3, 2, 5, 3] },
    { shape: [2, 3, 4, 5, 6], begin: [1, 0, 2, 1, 0], size: [1, 3, 2, 3, 6] },
    { shape: [4, 4], begin: [1, 1], size: [0, 2] }, // empty
  ];
  for (const c of cases) {
    test(`slices [${c.shape}] at [${c.begin}] size [${c.size}] like cpu`, async () => {
      const x = randomData(c.shape, 19);
      await sameOnBothBackends("slice", () => [tf.slice(T(x), c.begin, c.size)], 0);
    });
  }

  test("splits [4,6,5] into [1,2,3] along axis 1 and into 2 equal parts along axis 0 like cpu", async () => {
    const x = randomData([4, 6, 5], 20);
    await sameOnBothBackends("split", () => [...tf.split(T(x), [1, 2, 3], 1), ...tf.split(T(x), 2, 0)], 0);
  });

  test("slices int32 and bool tensors and splits a vector into parts like cpu", async () => {
    const ints = Int32Array.from({ length: 24 }, (_, i) => i * 7 - 30);
    const bools = Uint8Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    for (const backend of ["cpu", "wasm"] as const) {
      if (backend === "wasm") await selectBackend("wasm");
      else await tf.setBackend("cpu");
      const i = tf.tensor3d(ints, [2, 3, 4], "int32");
      const b = tf.tensor3d(bools, [2, 3, 4], "bool");
      assert.deepEqual(Array.from(tf.slice(i, [0, 1, 1], [2, 2, 2]).dataSync()), [5, 12, 33, 40, 89, 96, 117, 124]);
      assert.deepEqual(Array.from(tf.slice(b, [1, 0, 0], [1, 2, 4]).dataSync()), [1, 0, 0, 1, 0, 0, 1, 0]);
      const parts = tf.split(tf.range(0, 10), [3, 5, 2]);
      assert.deepEqual(
        parts.map((p) => Array.from(p.dataSync())),
        [
          [0, 1, 2],
          [3, 4, 5, 6, 7],
          [8, 9],
        ],
      );
      tf.dispose([i, b, ...parts]);
    }
  });
});

describe("Identity on wasm", () => {
  test("clones share data by reference count: disposing the original keeps the clone readable", async () => {
    await selectBackend("wasm");
    const a = tf.tensor1d([1, 2, 3]);
    const b = a.clone();
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
    b.dispose();
  });
});
