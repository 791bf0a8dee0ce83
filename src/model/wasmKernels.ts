/**
 * Training kernels for the tfjs `wasm` backend (tfjs-backend-wasm 4.22.0).
 *
 * The stock wasm backend cannot train a Conv1D model: it has no `Conv2DBackpropFilter` kernel
 * (tfjs runs conv1d as a conv2d of height 1), and its `Conv2DBackpropInput`, `MaxPoolGrad` and
 * transposed `BatchMatMul` are plain C loops, far slower than its XNNPACK matrix product. The
 * kernels here fix that while keeping every multiply-add inside XNNPACK:
 *
 * - `Conv2DBackpropFilter`: im2col written *transposed* (`colT [kH*kW*inC][N]`, N = batch*outH*outW)
 *   straight into the wasm heap, then `dW = colT · dY` with the stock (untransposed) BatchMatMul.
 *   The input is first transposed to channels-first by the stock Transpose so that every run of
 *   colT is a contiguous `copyWithin` (strided reads were 10x slower at full batch).
 * - `Conv2DBackpropInput`: `P = dY · Wᵀ` with the stock BatchMatMul (Wᵀ, the small filter, made by
 *   the stock Transpose), then col2im (scatter-add of P's columns) in JS.
 * - `MaxPoolGrad`: recompute each window's first maximum (same tie rule as the `cpu` backend:
 *   the first strictly greatest value in row-major window order gets the whole gradient) and
 *   scatter `dy` there.
 * - `BatchMatMul` with `transposeA`/`transposeB`: transpose explicitly, then the stock kernel
 *   without transposes, which is the only case it sends to XNNPACK (see tfjs-backend-wasm
 *   `batch_mat_mul_impl.cc`: anything transposed or batched goes to `slow_batch_matmul`).
 * - `Identity`: shares data by reference count instead of copying (tfjs clones every tensor it
 *   saves for the backward pass).
 * - `Sum` over leading axes (bias gradients): column sums in one pass instead of the stock
 *   transpose-then-reduce.
 * - `Slice` and `SplitV`: copy just the slice (the stock kernels copy the whole input out of the
 *   heap first, once per part for `tf.split`, which the optimizer uses every step).
 *
 * Measured against the stock kernels on this CNN's shapes (2 shared cores, single-threaded wasm as
 * in Node): Conv2DBackpropInput 3-6x, MaxPoolGrad 5-7x, transposed BatchMatMul 9-14x, Sum 3x,
 * Identity 3-40x faster; Conv2DBackpropFilter did not exist. Everything else the training graph
 * needs (FusedConv2D, MaxPool, _FusedMatMul, Step, Multiply, Concat, SplitV, ...) exists on wasm
 * and is fast enough.
 *
 * Only NHWC (channelsLast) data and dilation 1 are supported, like the stock wasm Conv2D; the
 * kernels throw on anything else instead of computing a wrong answer.
 *
 * XNNPACK note: the stock matmul caches a packed copy of its right operand keyed by tensor id and
 * frees it when that tensor is disposed. Every temporary here is a fresh tensor that is never
 * written after it has been used as a matmul operand, so the cache can never go stale.
 */
import {
  backend_util,
  BatchMatMul,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  MaxPoolGrad,
  registerKernel,
  Slice,
  slice_util,
  SplitV,
  Sum,
  Transpose,
  unregisterKernel,
  util,
} from "@tensorflow/tfjs-core";
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  DataType,
  KernelConfig,
  KernelFunc,
  MaxPoolGradAttrs,
  NamedAttrMap,
  SliceAttrs,
  SplitVAttrs,
  SumAttrs,
  TensorInfo,
} from "@tensorflow/tfjs-core";

// ---------------------------------------------------------------------------------------------
// The parts of tfjs-backend-wasm's BackendWasm we touch. Declared narrowly here rather than
// importing BackendWasm, whose type pulls in the emscripten module declarations.

interface WasmTensorData {
  /** Numeric tensor id known to the C++ side (and to XNNPACK's operator cache). */
  id: number;
  /** Byte offset of the tensor's data in the wasm heap. */
  memoryOffset: number;
}

interface WasmBackendLike {
  wasm: { HEAPF32: Float32Array; HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

type KernelArgs = Parameters<KernelFunc>[0];

function wasmBackendOf(args: KernelArgs): WasmBackendLike {
  // The engine passes the backend as `{}`; on 'wasm' it is a BackendWasm (narrowed above).
  return args.backend as unknown as WasmBackendLike;
}

/** Float index of a tensor's first element in `HEAPF32`. */
function floatOffset(backend: WasmBackendLike, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error("wasmKernels: tensor is not on the wasm backend");
  return data.memoryOffset >>> 2;
}

/** The whole wasm heap as floats. Fetch it again after any allocation: growth replaces it. */
function heapOf(backend: WasmBackendLike): Float32Array {
  return backend.wasm.HEAPF32;
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function attrsOf<T>(args: KernelArgs): T {
  // Kernel attributes arrive as a generic NamedAttrMap; each kernel knows its own attr type.
  return (args.attrs ?? ({} as NamedAttrMap)) as unknown as T;
}

function input(args: KernelArgs, name: string): TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`wasmKernels: missing input '${name}'`);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Stock kernels we build on, captured before we replace any of them.

interface StockKernels {
  batchMatMul: KernelFunc;
  batchMatMulSetup: KernelConfig["setupFunc"];
  sumSetup: KernelConfig["setupFunc"];
  transpose: KernelFunc;
  identity: KernelFunc;
  sum: KernelFunc;
  slice: KernelFunc;
  splitV: KernelFunc;
}

let stock: StockKernels | null = null;

function stockKernels(): StockKernels {
  if (stock === null)
    throw new Error("wasmKernels: call registerWasmTrainingKernels() after the wasm backend is ready");
  return stock;
}

/** Stock BatchMatMul on rank-3 operands without transposes: `[1, m, k] · [1, k, n] -> [1, m, n]`. */
function matMulNoTranspose(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo): TensorInfo {
  const out = stockKernels().batchMatMul({
    inputs: { a, b },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
  return out as TensorInfo;
}

/** The same data seen with another shape (a reshape without a kernel call or a copy). */
function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * Copy of `t [...batch][r][c]` with its last two axes swapped, `[...batch][c][r]`, made by the
 * stock Transpose kernel. The caller disposes it.
 */
function transposedCopy(backend: WasmBackendLike, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const rows = t.shape[rank - 2] as number;
  const cols = t.shape[rank - 1] as number;
  const out = transposeLast2(backend, view(t, [size(t.shape.slice(0, -2)), rows, cols]));
  return view(out, [...t.shape.slice(0, -2), cols, rows]);
}

/** `[batch, r, c] -> [batch, c, r]` copy made by the stock Transpose kernel. */
function transposeLast2(backend: WasmBackendLike, x: TensorInfo): TensorInfo {
  return stockKernels().transpose({ inputs: { x }, backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

// ---------------------------------------------------------------------------------------------
// Conv geometry shared by the two convolution gradients.

interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  sH: number;
  sW: number;
  padTop: number;
  padLeft: number;
}

function convGeometry(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: {
    strides: [number, number] | number;
    pad: Conv2DBackpropFilterAttrs["pad"];
    dataFormat: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil";
  },
): ConvGeometry {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== "channelsLast")
    throw new Error(`${kernel} (soundcheck wasm kernel): only NHWC data is supported, got ${attrs.dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Transposed im2col: `colT[r][n] = x[b][oh*sH + kh - padTop][ow*sW + kw - padLeft][c]` (0 outside),
 * with r = (kh*fW + kw)*inC + c and n = (b*outH + oh)*outW + ow.
 *
 * Reads from `xT`, the input transposed to channels-first `[inC][batch][inH][inW]`, so that with
 * stride 1 along the width every run of `colT` is a contiguous copy (`copyWithin`, i.e. memmove);
 * when the output has the input's size (stride 1, "same" padding, the Conv1D case) a whole row of
 * `colT` is one shifted copy of a channel plane followed by zeroing the few border entries.
 * Offsets are float indices into `heap`.
 */
function im2colTransposed(heap: Float32Array, xTOff: number, colOff: number, g: ConvGeometry): void {
  const { batch, inH, inW, inC, outH, outW, fH, fW, sH, sW, padTop, padLeft } = g;
  const n = batch * outH * outW;
  const plane = batch * inH * inW;
  const sameSize = sH === 1 && sW === 1 && outH === inH && outW === inW;
  for (let kh = 0; kh < fH; kh++) {
    for (let kw = 0; kw < fW; kw++) {
      // ow range whose input column lies inside the image
      const owMin = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / sW)));
      const owMax = Math.max(owMin, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / sW) + 1));
      for (let c = 0; c < inC; c++) {
        const row = colOff + ((kh * fW + kw) * inC + c) * n;
        const src = xTOff + c * plane;
        if (sameSize) {
          // colT row = plane shifted by `shift`, then zero what fell outside its own image row.
          const shift = (kh - padTop) * inW + (kw - padLeft);
          const from = Math.max(0, -shift);
          const to = Math.min(n, plane - shift);
          if (from > 0) heap.fill(0, row, row + from);
          if (to > from) heap.copyWithin(row + from, src + from + shift, src + to + shift);
          if (to < n) heap.fill(0, row + Math.max(to, 0), row + n);
          for (let b = 0; b < batch; b++) {
            for (let oh = 0; oh < outH; oh++) {
              const seg = row + (b * outH + oh) * outW;
              const ih = oh + kh - padTop;
              if (ih < 0 || ih >= inH) {
                heap.fill(0, seg, seg + outW);
                continue;
              }
              for (let ow = 0; ow < owMin; ow++) heap[seg + ow] = 0;
              for (let ow = owMax; ow < outW; ow++) heap[seg + ow] = 0;
            }
          }
          continue;
        }
        let dst = row;
        for (let b = 0; b < batch; b++) {
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * sH + kh - padTop;
            if (ih < 0 || ih >= inH) {
              heap.fill(0, dst, dst + outW);
              dst += outW;
              continue;
            }
            for (let ow = 0; ow < owMin; ow++) heap[dst + ow] = 0;
            const base = src + (b * inH + ih) * inW + kw - padLeft;
            if (sW === 1) {
              if (owMax > owMin) heap.copyWithin(dst + owMin, base + owMin, base + owMax);
            } else {
              for (let ow = owMin; ow < owMax; ow++) heap[dst + ow] = heap[base + ow * sW] as number;
            }
            for (let ow = owMax; ow < outW; ow++) heap[dst + ow] = 0;
            dst += outW;
          }
        }
      }
    }
  }
}

/**
 * col2im: `dx[b][ih][iw][c] += p[n][r]` for every (n, r) whose input position is inside the image,
 * the adjoint of {@link im2colTransposed} with `p` in `[N][R]` layout. `dx` must be zeroed first.
 */
function col2imAccumulate(heap: Float32Array, pOff: number, dxOff: number, g: ConvGeometry): void {
  const { batch, inH, inW, inC, outH, outW, fH, fW, sH, sW, padTop, padLeft } = g;
  const r = fH * fW * inC;
  let p = pOff;
  for (let b = 0; b < batch; b++) {
    const imageBase = dxOff + b * inH * inW * inC;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let kh = 0; kh < fH; kh++) {
          const ih = oh * sH + kh - padTop;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < fW; kw++) {
            const iw = ow * sW + kw - padLeft;
            if (iw < 0 || iw >= inW) continue;
            const dst = imageBase + (ih * inW + iw) * inC;
            const src = p + (kh * fW + kw) * inC;
            for (let c = 0; c < inC; c++) heap[dst + c] = (heap[dst + c] as number) + (heap[src + c] as number);
          }
        }
        p += r;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kernels

/**
 * Gradient of conv2d with respect to its filter.
 * Inputs `x [batch][inH][inW][inC]`, `dy [batch][outH][outW][outC]`; output `[fH][fW][inC][outC]`.
 */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = wasmBackendOf(args);
  const x = input(args, "x");
  const dy = input(args, "dy");
  const attrs = attrsOf<Conv2DBackpropFilterAttrs>(args);
  const g = convGeometry(Conv2DBackpropFilter, x.shape, attrs.filterShape, attrs);
  const n = g.batch * g.outH * g.outW;
  const r = g.fH * g.fW * g.inC;
  // x as [batch*inH*inW][inC] -> xT [inC][batch*inH*inW] (stock Transpose: C++, cache-blocked)
  const xT = g.inC === 1 ? null : transposeLast2(backend, view(x, [1, g.batch * g.inH * g.inW, g.inC]));
  const colT = backend.makeOutput([1, r, n], "float32");
  const heap = heapOf(backend);
  im2colTransposed(heap, floatOffset(backend, xT ?? x), floatOffset(backend, colT), g);
  if (xT !== null) backend.disposeData(xT.dataId);
  const dW = matMulNoTranspose(backend, colT, view(dy, [1, n, g.outC]));
  backend.disposeData(colT.dataId);
  return { dataId: dW.dataId, shape: [...attrs.filterShape], dtype: "float32" };
}

/**
 * Gradient of conv2d with respect to its input (also conv2dTranspose's forward pass).
 * Inputs `dy [batch][outH][outW][outC]`, `filter [fH][fW][inC][outC]`; output `inputShape`.
 */
function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const backend = wasmBackendOf(args);
  const dy = input(args, "dy");
  const filter = input(args, "filter");
  const attrs = attrsOf<Conv2DBackpropInputAttrs>(args);
  const g = convGeometry(Conv2DBackpropInput, [...attrs.inputShape], filter.shape, attrs);
  const n = g.batch * g.outH * g.outW;
  const r = g.fH * g.fW * g.inC;
  // filter viewed as [r][outC]; its transpose [outC][r] is small, so stock Transpose is fine.
  const wT = transposeLast2(backend, view(filter, [1, r, g.outC]));
  const p = matMulNoTranspose(backend, view(dy, [1, n, g.outC]), wT);
  backend.disposeData(wT.dataId);
  const dx = backend.makeOutput([...attrs.inputShape], "float32");
  const heap = heapOf(backend);
  const dxOff = floatOffset(backend, dx);
  heap.fill(0, dxOff, dxOff + size(attrs.inputShape));
  col2imAccumulate(heap, floatOffset(backend, p), dxOff, g);
  backend.disposeData(p.dataId);
  return dx;
}

/**
 * MaxPoolGrad for disjoint two-element windows that tile the input exactly (every input element is
 * in exactly one window), so each dx element is written once and no zero-fill is needed. The
 * winner is chosen without data-dependent branches (random comparisons mispredict half the time,
 * which made the generic loop 4x slower), with the cpu backend's rule: the first element wins
 * unless it is -Infinity/NaN or the second is strictly greater; a window with no candidate passes
 * nothing.
 *
 * @param rows  batch * outH;  `perRow` = outW windows per row, each `ch` channels wide
 * @param step  float distance between consecutive windows in a row; `second` from a window's first
 *   element to its second; `rowSkip` extra distance after each row (the second row of a 2x1 window)
 */
function maxPoolGradPairs(
  heap: Float32Array,
  xOff: number,
  dyOff: number,
  dxOff: number,
  rows: number,
  perRow: number,
  ch: number,
  step: number,
  second: number,
  rowSkip: number,
): void {
  let base = 0;
  let dyIdx = dyOff;
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < perRow; w++) {
      for (let c = 0; c < ch; c++) {
        const a = base + c;
        const v0 = heap[xOff + a] as number;
        const v1 = heap[xOff + a + second] as number;
        const first = +(v0 > -Infinity); // v0 is a candidate (not -Infinity, not NaN); almost always 1
        const takeSecond = first === 1 ? +(v1 > v0) : +(v1 > -Infinity);
        heap[dxOff + a] = 0;
        heap[dxOff + a + second] = 0;
        heap[dxOff + a + takeSecond * second] = (first | takeSecond) === 1 ? (heap[dyIdx + c] as number) : 0;
      }
      base += step;
      dyIdx += ch;
    }
    base += rowSkip;
  }
}

/**
 * Gradient of maxPool. Inputs `dy [batch][outH][outW][c]`, `input [batch][inH][inW][c]` (and the
 * forward `output`, unused); output `[batch][inH][inW][c]`. Each window's gradient goes to its
 * first strictly greatest input (row-major window order), as on the `cpu` backend; a window whose
 * values are all -Infinity or NaN passes no gradient.
 */
function maxPoolGrad(args: KernelArgs): TensorInfo {
  const backend = wasmBackendOf(args);
  const dy = input(args, "dy");
  const x = input(args, "input");
  const attrs = attrsOf<MaxPoolGradAttrs>(args);
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fH = info.effectiveFilterHeight;
  const fW = info.effectiveFilterWidth;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const dx = backend.makeOutput([...x.shape], "float32");
  const heap = heapOf(backend);
  const xOff = floatOffset(backend, x);
  const dxOff = floatOffset(backend, dx);
  const dyOff = floatOffset(backend, dy);
  const tilesExactly =
    padTop === 0 &&
    padLeft === 0 &&
    strideHeight === fH &&
    strideWidth === fW &&
    inHeight === outHeight * fH &&
    inWidth === outWidth * fW;
  if (tilesExactly && fH * fW === 2) {
    // MaxPooling1D(2)'s case: disjoint windows of two covering the whole input.
    const second = fH === 2 ? inWidth * ch : ch;
    maxPoolGradPairs(
      heap,
      xOff,
      dyOff,
      dxOff,
      batchSize * outHeight,
      outWidth,
      ch,
      fW * ch,
      second,
      (fH - 1) * inWidth * ch,
    );
    return dx;
  }
  let dyIdx = dyOff;
  heap.fill(0, dxOff, dxOff + size(x.shape));
  const rowStride = inWidth * ch;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      const hMin = Math.max(0, h0);
      const hMax = Math.min(inHeight, h0 + fH);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        const wMin = Math.max(0, w0);
        const wMax = Math.min(inWidth, w0 + fW);
        for (let c = 0; c < ch; c++) {
          let best = -Infinity;
          let bestAt = -1;
          for (let ih = hMin; ih < hMax; ih++) {
            let at = image + ih * rowStride + wMin * ch + c;
            for (let iw = wMin; iw < wMax; iw++) {
              const v = heap[xOff + at] as number;
              if (v > best) {
                best = v;
                bestAt = at;
              }
              at += ch;
            }
          }
          if (bestAt >= 0) heap[dxOff + bestAt] = (heap[dxOff + bestAt] as number) + (heap[dyIdx + c] as number);
        }
        dyIdx += ch;
      }
    }
  }
  return dx;
}

/**
 * BatchMatMul that never hands a transposed operand to the stock kernel, so rank-2 products reach
 * XNNPACK. XNNPACK packs its right operand on every call (a new tensor id each step), so for
 * `C = op(A)·op(B)` with a single batch we pick the cheaper of
 *   1. `op(A) · op(B)`, copying transposed operands and packing op(B), or
 *   2. `(op(B)ᵀ · op(A)ᵀ)ᵀ`, packing op(A)ᵀ and transposing the result,
 * counting floats copied or packed. Case 2 wins for `dY · Wᵀ` with a small batch (the Dense input
 * gradient), where op(B) = Wᵀ is the big operand.
 */
function batchMatMul(args: KernelArgs): TensorInfo {
  const backend = wasmBackendOf(args);
  const a = input(args, "a");
  const b = input(args, "b");
  const { transposeA, transposeB } = attrsOf<BatchMatMulAttrs>(args);
  if (!transposeA && !transposeB) return stockKernels().batchMatMul(args) as TensorInfo;
  const temporaries: TensorInfo[] = [];
  const copyT = (t: TensorInfo): TensorInfo => {
    const c = transposedCopy(backend, t);
    temporaries.push(c);
    return c;
  };
  const multiply = (x: TensorInfo, y: TensorInfo): TensorInfo =>
    stockKernels().batchMatMul({
      inputs: { a: x, b: y },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
  const sizeA = size(a.shape);
  const sizeB = size(b.shape);
  const single = size(a.shape.slice(0, -2)) === 1 && size(b.shape.slice(0, -2)) === 1;
  const m = a.shape[transposeA ? a.shape.length - 1 : a.shape.length - 2] as number;
  const n = b.shape[transposeB ? b.shape.length - 2 : b.shape.length - 1] as number;
  const direct = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0) + sizeB;
  const swapped = (transposeB ? 0 : sizeB) + (transposeA ? 0 : sizeA) + sizeA + m * n;
  let out: TensorInfo;
  if (single && swapped < direct) {
    const ct = multiply(transposeB ? b : copyT(b), transposeA ? a : copyT(a));
    out = transposedCopy(backend, ct);
    backend.disposeData(ct.dataId);
  } else {
    out = multiply(transposeA ? copyT(a) : a, transposeB ? copyT(b) : b);
  }
  for (const t of temporaries) backend.disposeData(t.dataId);
  return out;
}

/**
 * Sum over leading axes (`[rows][...rest] -> [...rest]`), the reduction behind every bias gradient,
 * as one pass of column sums in float64; the stock kernel first transposes the reduced axes to the
 * end (a full copy of the tensor). Any other reduction, or a non-float32 one, goes to the stock kernel.
 */
function sum(args: KernelArgs): TensorInfo {
  const x = input(args, "x");
  const { axis, keepDims } = attrsOf<SumAttrs>(args);
  const axes = util
    .parseAxisParam(axis, x.shape)
    .slice()
    .sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== "float32" || !leading) return stockKernels().sum(args) as TensorInfo;
  const backend = wasmBackendOf(args);
  const rest = x.shape.slice(axes.length);
  const cols = size(rest);
  const rows = size(x.shape) / cols;
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, "float32");
  const heap = heapOf(backend);
  const xOff = floatOffset(backend, x);
  const outOff = floatOffset(backend, out);
  const acc = new Float64Array(cols);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const row = xOff + r * cols;
    for (let c = 0; c < cols; c++) {
      acc[c] =
        (acc[c] as number) +
        ((heap[row + c] as number) +
          (heap[row + cols + c] as number) +
          (heap[row + 2 * cols + c] as number) +
          (heap[row + 3 * cols + c] as number));
    }
  }
  for (; r < rows; r++) {
    const row = xOff + r * cols;
    for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) + (heap[row + c] as number);
  }
  for (let c = 0; c < cols; c++) heap[outOff + c] = acc[c] as number;
  return out;
}

/**
 * Slice that copies only the slice. The stock kernel first copies the *whole* input out of the
 * wasm heap (`readSync`) and then picks the slice from that copy, so `tf.split` into k parts copies
 * the tensor k times. Here each contiguous innermost run is one `copyWithin` on the heap's bytes.
 * String tensors go to the stock kernel.
 */
function slice(args: KernelArgs): TensorInfo {
  const x = input(args, "x");
  if (x.dtype === "string" || x.dtype === "complex64") return stockKernels().slice(args) as TensorInfo;
  const backend = wasmBackendOf(args);
  const { begin, size: sizeAttr } = attrsOf<SliceAttrs>(args);
  const [start, extent] = slice_util.parseSliceParams(
    x as unknown as Parameters<typeof slice_util.parseSliceParams>[0],
    begin,
    sizeAttr,
  );
  const out = backend.makeOutput(extent, x.dtype);
  const count = size(extent);
  if (count === 0) return out;
  const bytes = x.dtype === "bool" ? 1 : 4;
  const heap = backend.wasm.HEAPU8;
  const xData = backend.dataIdMap.get(x.dataId);
  const outData = backend.dataIdMap.get(out.dataId);
  if (xData === undefined || outData === undefined) throw new Error("wasmKernels: tensor is not on the wasm backend");
  const xBase = xData.memoryOffset;
  const outBase = outData.memoryOffset;
  const strides = util.computeStrides(x.shape);
  const rank = x.shape.length;
  if (rank === 0 || slice_util.isSliceContinous(x.shape, start, extent)) {
    const from = xBase + slice_util.computeFlatOffset(start, strides) * bytes;
    heap.copyWithin(outBase, from, from + count * bytes);
    return out;
  }
  // odometer over all but the last axis; each position copies one run of extent[rank-1] elements
  const run = (extent[rank - 1] as number) * bytes;
  const index = new Array<number>(rank - 1).fill(0);
  let dst = outBase;
  for (;;) {
    let offset = start[rank - 1] as number;
    for (let d = 0; d < rank - 1; d++) offset += ((start[d] as number) + (index[d] as number)) * (strides[d] as number);
    const from = xBase + offset * bytes;
    heap.copyWithin(dst, from, from + run);
    dst += run;
    let d = rank - 2;
    while (d >= 0 && (index[d] = (index[d] as number) + 1) === extent[d]) index[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

/**
 * SplitV through {@link slice}: the stock SplitV calls the stock slice function directly (not
 * through the kernel registry), so it would still copy the whole input once per part.
 */
function splitV(args: KernelArgs): TensorInfo[] {
  const x = input(args, "x");
  if (x.dtype === "string" || x.dtype === "complex64") return stockKernels().splitV(args) as TensorInfo[];
  const { numOrSizeSplits, axis } = attrsOf<SplitVAttrs>(args);
  const along = util.parseAxisParam(axis, x.shape)[0] as number;
  const sizes = backend_util.prepareSplitSize(
    x as unknown as Parameters<typeof backend_util.prepareSplitSize>[0],
    numOrSizeSplits,
    along,
  );
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const extent = x.shape.slice();
    extent[along] = s;
    const part = slice({ inputs: { x }, backend: args.backend, attrs: { begin: begin.slice(), size: extent } });
    begin[along] = (begin[along] as number) + s;
    return part;
  });
}

/**
 * Identity that shares the input's data (reference counted) instead of copying it, as the `cpu`
 * backend does. tfjs clones every tensor it saves for the backward pass through this kernel, so
 * the stock copying version moves each layer's activations once more per step. Sharing is safe
 * because no wasm kernel writes into its inputs.
 */
function identity(args: KernelArgs): TensorInfo {
  const x = input(args, "x");
  if (x.dtype === "string") return stockKernels().identity(args) as TensorInfo;
  // incRef exists on every KernelBackend; the wasm one bumps the refCount disposeData honours.
  (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

// ---------------------------------------------------------------------------------------------

const REPLACED = [BatchMatMul, Conv2DBackpropInput, MaxPoolGrad, Identity, Sum, Slice, SplitV] as const;

/**
 * Install the training kernels on the `wasm` backend (idempotent). Call it after
 * `tf.setBackend("wasm")` has resolved: the stock kernels we build on must have been set up.
 */
export function registerWasmTrainingKernels(): void {
  if (stock !== null) return;
  const matMul = getKernel(BatchMatMul, "wasm");
  const transpose = getKernel(Transpose, "wasm");
  const ident = getKernel(Identity, "wasm");
  const sumKernel = getKernel(Sum, "wasm");
  const sliceKernel = getKernel(Slice, "wasm");
  const splitKernel = getKernel(SplitV, "wasm");
  if (
    matMul === undefined ||
    transpose === undefined ||
    ident === undefined ||
    sumKernel === undefined ||
    sliceKernel === undefined ||
    splitKernel === undefined
  ) {
    throw new Error("wasmKernels: @tensorflow/tfjs-backend-wasm is not loaded (no wasm BatchMatMul/Transpose kernel)");
  }
  stock = {
    batchMatMul: matMul.kernelFunc,
    batchMatMulSetup: matMul.setupFunc,
    transpose: transpose.kernelFunc,
    identity: ident.kernelFunc,
    sum: sumKernel.kernelFunc,
    sumSetup: sumKernel.setupFunc,
    slice: sliceKernel.kernelFunc,
    splitV: splitKernel.kernelFunc,
  };
  for (const name of REPLACED) {
    if (getKernel(name, "wasm") !== undefined) unregisterKernel(name, "wasm");
  }
  const mine: Array<[string, (args: KernelArgs) => TensorInfo | TensorInfo[]]> = [
    [Conv2DBackpropFilter, conv2DBackpropFilter],
    [Conv2DBackpropInput, conv2DBackpropInput],
    [MaxPoolGrad, maxPoolGrad],
    [BatchMatMul, batchMatMul],
    [Identity, identity],
    [Sum, sum],
    [Slice, slice],
    [SplitV, splitV],
  ];
  for (const [kernelName, fn] of mine) {
    const config: KernelConfig = { kernelName, backendName: "wasm", kernelFunc: fn as KernelFunc };
    // If the wasm backend is ever re-created, the stock matmul's C bindings must be set up again.
    const setup = kernelName === BatchMatMul ? stock.batchMatMulSetup : kernelName === Sum ? stock.sumSetup : undefined;
    if (setup !== undefined) config.setupFunc = setup;
    registerKernel(config);
  }
}

/** Names of the kernels {@link registerWasmTrainingKernels} adds or replaces on `wasm`. */
export const WASM_TRAINING_KERNELS: readonly string[] = [
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  MaxPoolGrad,
  BatchMatMul,
  Identity,
  Sum,
  Slice,
  SplitV,
];
