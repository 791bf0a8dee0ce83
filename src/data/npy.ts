import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { ShapeError } from "../errors";
import { writeFileAtomic } from "../util/atomicWrite";

/** dtypes we read and write, named as NumPy's `descr` strings (little-endian). */
export type NpyDtype = "<f4" | "<f8" | "<i8" | "<i4" | "<i2" | "|u1" | "|i1";

type NpyData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Uint8Array | Int8Array;

/** An n-dimensional array as stored in a `.npy` file: C order, `data` flat. */
export interface NpyArray<T extends NpyData = NpyData> {
  dtype: NpyDtype;
  shape: number[];
  data: T;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof BigInt64Array) return "<i8";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof Int16Array) return "<i2";
  if (data instanceof Uint8Array) return "|u1";
  return "|i1";
}

function shapeLiteral(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/**
 * Encode an array as NumPy `.npy` format version 1.0 bytes (the header padded with spaces so
 * the data starts on a 64-byte boundary, as NumPy itself writes it).
 */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new ShapeError(
      "npy",
      `shape [${shape.join(", ")}] holds ${count} values but the data has ${data.length}`,
      "pass a shape whose product is the data length",
    );
  }
  const descr = dtypeOf(data);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  const unpadded = 10 + header.length + 1; // magic(6) + version(2) + len(2) + header + '\n'
  const padding = (64 - (unpadded % 64)) % 64;
  header = header + " ".repeat(padding) + "\n";
  if (header.length > 0xffff) throw new ShapeError("npy", "header too long for format 1.0", "use fewer dimensions");
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // typed arrays are little-endian on every platform Node runs on
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Write an array to a `.npy` file atomically. */
export function saveNpy(path: string, array: NpyArray): void {
  writeFileAtomic(path, encodeNpy(array));
}

/** What a `.npy` header says: NumPy's dtype string, the shape, and where the data starts (bytes). */
interface NpyHeader {
  descr: string;
  shape: number[];
  dataStart: number;
}

/** Parse the header at the start of `bytes` (which must hold at least the whole header). */
function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i])
      throw new ShapeError(source, "not a NumPy .npy file (bad magic bytes)", "save the array with numpy.save");
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new ShapeError(source, `unsupported .npy format version ${major}`, "save with numpy.save (format 1.0)");
  }
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString("latin1");
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new ShapeError(source, "malformed .npy header", "save the array with numpy.save");
  }
  if (fortran === "True")
    throw new ShapeError(source, "Fortran-ordered arrays are not supported", "save with numpy.ascontiguousarray first");
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  return { descr, shape, dataStart: headerStart + headerLength };
}

/** Decode `.npy` bytes (format 1.0, 2.0 or 3.0, little-endian, C order). */
export function decodeNpy(bytes: Uint8Array, source = "npy"): NpyArray {
  const { descr, shape, dataStart } = parseNpyHeader(bytes, source);
  const count = shape.reduce((a, b) => a * b, 1);
  // a copy (Buffer#slice would return a view into a shared pool), so the data is aligned and owned
  const raw = Uint8Array.prototype.slice.call(bytes, dataStart);
  const ctor = {
    "<f4": Float32Array,
    "<f8": Float64Array,
    "<i8": BigInt64Array,
    "<i4": Int32Array,
    "<i2": Int16Array,
    "|u1": Uint8Array,
    "|i1": Int8Array,
    "<u1": Uint8Array,
    "<i1": Int8Array,
  }[descr];
  if (ctor === undefined)
    throw new ShapeError(
      source,
      `unsupported dtype ${descr}`,
      "convert to float32, float64, int64, int32, int16 or uint8",
    );
  const needed = count * ctor.BYTES_PER_ELEMENT;
  if (raw.byteLength < needed) {
    throw new ShapeError(
      source,
      `header promises ${needed} data bytes but the file has ${raw.byteLength}`,
      "the file is truncated: save it again",
    );
  }
  const data = new ctor(raw.buffer, 0, count);
  return { dtype: dtypeOf(data), shape, data };
}

/** Read a `.npy` file. */
export function loadNpy(path: string): NpyArray {
  return decodeNpy(readFileSync(path), path);
}

/**
 * Read a float32 `.npy` file straight into a SharedArrayBuffer (worker threads can then read it in
 * place), without holding the file's bytes a second time: peak memory is the array itself.
 * Throws a ShapeError naming the file if it is not float32 or is truncated.
 */
export function loadNpyFloat32Shared(path: string): NpyArray<Float32Array> {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    // the header is at most 64 KiB in format 1.0; read its length first for versions 2 and 3
    const head = new Uint8Array(Math.min(size, 12));
    readSync(fd, head, 0, head.length, 0);
    const major = head[6];
    const headerEnd =
      major === 1 ? 10 + ((head[8] ?? 0) | ((head[9] ?? 0) << 8)) : 12 + new DataView(head.buffer).getUint32(8, true);
    const header = new Uint8Array(Math.min(size, headerEnd));
    readSync(fd, header, 0, header.length, 0);
    const { descr, shape, dataStart } = parseNpyHeader(header, path);
    if (descr !== "<f4")
      throw new ShapeError(path, `expected float32 data, found ${descr}`, "save the array as float32");
    const count = shape.reduce((a, b) => a * b, 1);
    if (size - dataStart < count * 4) {
      throw new ShapeError(
        path,
        `header promises ${count * 4} data bytes but the file has ${size - dataStart}`,
        "the file is truncated: save it again",
      );
    }
    const data = new Float32Array(new SharedArrayBuffer(count * 4));
    const bytes = new Uint8Array(data.buffer);
    for (let at = 0; at < bytes.length;) {
      const n = readSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 30), dataStart + at);
      if (n === 0) throw new ShapeError(path, "ended before its data did", "the file is truncated: save it again");
      at += n;
    }
    return { dtype: "<f4", shape, data };
  } finally {
    closeSync(fd);
  }
}

/** Read a `.npy` file that must hold float32; throws a ShapeError naming the file otherwise. */
export function loadNpyFloat32(path: string): NpyArray<Float32Array> {
  const arr = loadNpy(path);
  if (!(arr.data instanceof Float32Array))
    throw new ShapeError(path, `expected float32 data, found ${arr.dtype}`, "save the array as float32");
  return arr as NpyArray<Float32Array>;
}
