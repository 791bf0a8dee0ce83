/**
 * A small assembler for the WebAssembly text format (WAT), enough for the hand-written SIMD
 * kernels of this folder, so their source is the committed text and no tool is needed to build
 * them: `assembleWat(text)` returns the binary module, which `new WebAssembly.Module()` then
 * validates.
 *
 * The subset: one `(module ...)` holding `(import "m" "n" (memory min))`,
 * `(import "m" "n" (func $name (param type)* (result type)?))` and
 * `(func $name (export "name")? (param $p type)* (result type)? (local $l type)* instr*)`, where
 * the instructions are written flat (no folded s-expressions): `local.get $p`, `i32.const 8`,
 * `f32.load offset=4`, `v128.load align=4`, `i8x16.shuffle 0 1 ... 15`,
 * `v128.const f32x4 0.5 0.5 0.5 0.5`, `block $label`, `loop $label`, `br_if $label`, `end`,
 * `call $f`. Comments are `;; to the end of the line`. Types: i32, i64, f32, f64, v128.
 * Opcodes are those of the WebAssembly 2.0 specification (SIMD included).
 */

/** The shape of an instruction's immediate operands. */
type Immediate =
  "none" | "local" | "label" | "block" | "call" | "i32" | "f32" | "f64" | "mem" | "lane" | "shuffle" | "v128";

interface OpcodeInfo {
  /** Encoded opcode: one byte, or 0xfd followed by the LEB128 SIMD opcode. */
  bytes: number[];
  immediate: Immediate;
  /** log2 of the natural alignment, for memory instructions. */
  align?: number;
}

const VALUE_TYPES: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function op(code: number, immediate: Immediate = "none", align?: number): OpcodeInfo {
  return { bytes: [code], immediate, align };
}

function simd(code: number, immediate: Immediate = "none", align?: number): OpcodeInfo {
  return { bytes: [0xfd, ...unsignedLeb(code)], immediate, align };
}

const OPCODES: Record<string, OpcodeInfo> = {
  nop: op(0x01),
  block: op(0x02, "block"),
  loop: op(0x03, "block"),
  if: op(0x04, "block"),
  else: op(0x05),
  end: op(0x0b),
  br: op(0x0c, "label"),
  br_if: op(0x0d, "label"),
  return: op(0x0f),
  call: op(0x10, "call"),
  drop: op(0x1a),
  select: op(0x1b),
  "local.get": op(0x20, "local"),
  "local.set": op(0x21, "local"),
  "local.tee": op(0x22, "local"),
  "i32.load": op(0x28, "mem", 2),
  "i64.load": op(0x29, "mem", 3),
  "f32.load": op(0x2a, "mem", 2),
  "f64.load": op(0x2b, "mem", 3),
  "i32.store": op(0x36, "mem", 2),
  "i64.store": op(0x37, "mem", 3),
  "f32.store": op(0x38, "mem", 2),
  "f64.store": op(0x39, "mem", 3),
  "i32.const": op(0x41, "i32"),
  "f32.const": op(0x43, "f32"),
  "f64.const": op(0x44, "f64"),
  "i32.eqz": op(0x45),
  "i32.eq": op(0x46),
  "i32.ne": op(0x47),
  "i32.lt_s": op(0x48),
  "i32.lt_u": op(0x49),
  "i32.gt_s": op(0x4a),
  "i32.gt_u": op(0x4b),
  "i32.le_s": op(0x4c),
  "i32.le_u": op(0x4d),
  "i32.ge_s": op(0x4e),
  "i32.ge_u": op(0x4f),
  "i64.eqz": op(0x50),
  "f32.eq": op(0x5b),
  "f32.lt": op(0x5d),
  "f32.gt": op(0x5e),
  "f64.lt": op(0x63),
  "f64.gt": op(0x64),
  "i32.add": op(0x6a),
  "i32.sub": op(0x6b),
  "i32.mul": op(0x6c),
  "i32.and": op(0x71),
  "i32.or": op(0x72),
  "i32.xor": op(0x73),
  "i32.shl": op(0x74),
  "i32.shr_s": op(0x75),
  "i32.shr_u": op(0x76),
  "f32.abs": op(0x8b),
  "f32.neg": op(0x8c),
  "f32.sqrt": op(0x91),
  "f32.add": op(0x92),
  "f32.sub": op(0x93),
  "f32.mul": op(0x94),
  "f32.div": op(0x95),
  "f32.min": op(0x96),
  "f32.max": op(0x97),
  "f64.abs": op(0x99),
  "f64.neg": op(0x9a),
  "f64.sqrt": op(0x9f),
  "f64.add": op(0xa0),
  "f64.sub": op(0xa1),
  "f64.mul": op(0xa2),
  "f64.div": op(0xa3),
  "f64.min": op(0xa4),
  "f64.max": op(0xa5),
  "f32.convert_i32_s": op(0xb2),
  "f32.demote_f64": op(0xb6),
  "f64.convert_i32_s": op(0xb7),
  "f64.promote_f32": op(0xbb),
  "v128.load": simd(0x00, "mem", 4),
  "v128.load32_splat": simd(0x09, "mem", 2),
  "v128.store": simd(0x0b, "mem", 4),
  "v128.const": simd(0x0c, "v128"),
  "i8x16.shuffle": simd(0x0d, "shuffle"),
  "i32x4.splat": simd(0x11),
  "f32x4.splat": simd(0x13),
  "f64x2.splat": simd(0x14),
  "i32x4.extract_lane": simd(0x1b, "lane"),
  "f32x4.extract_lane": simd(0x1f, "lane"),
  "f32x4.replace_lane": simd(0x20, "lane"),
  "i64x2.extract_lane": simd(0x1d, "lane"),
  "f64x2.extract_lane": simd(0x21, "lane"),
  "f64x2.replace_lane": simd(0x22, "lane"),
  "f32x4.eq": simd(0x41),
  "f32x4.lt": simd(0x43),
  "f32x4.gt": simd(0x44),
  "f32x4.le": simd(0x45),
  "f32x4.ge": simd(0x46),
  "f64x2.eq": simd(0x47),
  "f64x2.lt": simd(0x49),
  "f64x2.gt": simd(0x4a),
  "f64x2.le": simd(0x4b),
  "f64x2.ge": simd(0x4c),
  "v128.not": simd(0x4d),
  "v128.and": simd(0x4e),
  "v128.andnot": simd(0x4f),
  "v128.or": simd(0x50),
  "v128.xor": simd(0x51),
  "v128.bitselect": simd(0x52),
  "v128.load32_zero": simd(0x5c, "mem", 2),
  "v128.load64_zero": simd(0x5d, "mem", 3),
  "f32x4.demote_f64x2_zero": simd(0x5e),
  "f64x2.promote_low_f32x4": simd(0x5f),
  "f32x4.floor": simd(0x68),
  "f32x4.nearest": simd(0x6a),
  "f64x2.floor": simd(0x75),
  "f64x2.nearest": simd(0x94),
  "i32x4.shl": simd(0xab),
  "i32x4.shr_s": simd(0xac),
  "i32x4.shr_u": simd(0xad),
  "i32x4.add": simd(0xae),
  "i32x4.sub": simd(0xb1),
  "i32x4.mul": simd(0xb5),
  "i64x2.neg": simd(0xc1),
  "i64x2.all_true": simd(0xc3),
  "i64x2.extend_low_i32x4_s": simd(0xc7),
  "i64x2.shl": simd(0xcb),
  "i64x2.add": simd(0xce),
  "f32x4.abs": simd(0xe0),
  "f32x4.neg": simd(0xe1),
  "f32x4.sqrt": simd(0xe3),
  "f32x4.add": simd(0xe4),
  "f32x4.sub": simd(0xe5),
  "f32x4.mul": simd(0xe6),
  "f32x4.div": simd(0xe7),
  "f32x4.min": simd(0xe8),
  "f32x4.max": simd(0xe9),
  "f64x2.abs": simd(0xec),
  "f64x2.neg": simd(0xed),
  "f64x2.sqrt": simd(0xef),
  "f64x2.add": simd(0xf0),
  "f64x2.sub": simd(0xf1),
  "f64x2.mul": simd(0xf2),
  "f64x2.div": simd(0xf3),
  "f64x2.min": simd(0xf4),
  "f64x2.max": simd(0xf5),
  "i32x4.trunc_sat_f32x4_s": simd(0xf8),
  "f32x4.convert_i32x4_s": simd(0xfa),
  "i32x4.trunc_sat_f64x2_s_zero": simd(0xfc),
};

/** An s-expression: an atom (keyword, number, $name, "string") or a parenthesised list. */
type SExpr = string | SExpr[];

/** Strings keep their quotes so they can be told from keywords. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /;;[^\n]*|\(;[\s\S]*?;\)|\s+|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()";]+/g;
  let match: RegExpExecArray | null;
  let expected = 0;
  while ((match = pattern.exec(text)) !== null) {
    if (match.index !== expected) throw new SyntaxError(`WAT: unexpected character at offset ${expected}`);
    expected = pattern.lastIndex;
    const t = match[0];
    if (t.startsWith(";;") || t.startsWith("(;") || /^\s+$/.test(t)) continue;
    tokens.push(t);
  }
  if (expected !== text.length) throw new SyntaxError(`WAT: unexpected character at offset ${expected}`);
  return tokens;
}

function parse(tokens: string[]): SExpr {
  let i = 0;
  const read = (): SExpr => {
    const t = tokens[i++];
    if (t === undefined) throw new SyntaxError("WAT: unexpected end of text");
    if (t === ")") throw new SyntaxError("WAT: unexpected )");
    if (t !== "(") return t;
    const list: SExpr[] = [];
    while (tokens[i] !== ")") {
      if (i >= tokens.length) throw new SyntaxError("WAT: missing )");
      list.push(read());
    }
    i++;
    return list;
  };
  const expr = read();
  if (i !== tokens.length) throw new SyntaxError("WAT: text after the module");
  return expr;
}

function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function utf8Name(name: string): number[] {
  const bytes = [...new TextEncoder().encode(name)];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

function floatBytes(value: number, bytes: 4 | 8): number[] {
  const view = new DataView(new ArrayBuffer(bytes));
  if (bytes === 4) view.setFloat32(0, value, true);
  else view.setFloat64(0, value, true);
  return [...new Uint8Array(view.buffer)];
}

function parseNumber(token: string | undefined, what: string): number {
  if (token === undefined) throw new SyntaxError(`WAT: ${what} is missing`);
  const clean = token.replaceAll("_", "");
  const value = /^[+-]?0x/i.test(clean) && !/[.p]/i.test(clean) ? Number.parseInt(clean, 16) : Number(clean);
  if (Number.isNaN(value) && !/nan/i.test(clean)) throw new SyntaxError(`WAT: ${what} "${token}" is not a number`);
  return value;
}

function valueType(token: SExpr | undefined): number {
  const code = typeof token === "string" ? VALUE_TYPES[token] : undefined;
  if (code === undefined) throw new SyntaxError(`WAT: unknown value type ${JSON.stringify(token)}`);
  return code;
}

interface FunctionDef {
  name: string;
  exportName: string | null;
  params: number[];
  results: number[];
  locals: number[];
  localIndex: Map<string, number>;
  body: string[];
}

function readFunction(list: SExpr[]): FunctionDef {
  const fn: FunctionDef = {
    name: "",
    exportName: null,
    params: [],
    results: [],
    locals: [],
    localIndex: new Map(),
    body: [],
  };
  let i = 1;
  if (typeof list[i] === "string" && (list[i] as string).startsWith("$")) fn.name = list[i++] as string;
  for (; i < list.length; i++) {
    const item = list[i] as SExpr;
    if (typeof item === "string") {
      fn.body.push(item);
      continue;
    }
    const head = item[0];
    if (head === "export") fn.exportName = JSON.parse(item[1] as string) as string;
    else if (head === "param" || head === "local") {
      const named = typeof item[1] === "string" && item[1].startsWith("$");
      const types = named ? [item[2]] : item.slice(1);
      for (const t of types) {
        const index = fn.params.length + fn.locals.length;
        if (named) fn.localIndex.set(item[1] as string, index);
        if (head === "param") {
          if (fn.locals.length > 0) throw new SyntaxError(`WAT: ${fn.name}: params must come before locals`);
          fn.params.push(valueType(t));
        } else fn.locals.push(valueType(t));
      }
    } else if (head === "result") fn.results.push(...item.slice(1).map(valueType));
    else throw new SyntaxError(`WAT: ${fn.name}: folded instructions are not supported (${JSON.stringify(head)})`);
  }
  return fn;
}

function encodeBody(fn: FunctionDef, functionIndex: Map<string, number>): number[] {
  const code: number[] = [];
  const labels: Array<string | null> = [];
  const tokens = fn.body;
  let i = 0;
  const next = (what: string): string => {
    const t = tokens[i++];
    if (t === undefined) throw new SyntaxError(`WAT: ${fn.name}: ${what} is missing`);
    return t;
  };
  while (i < tokens.length) {
    const name = next("instruction");
    const info = OPCODES[name];
    if (info === undefined) throw new SyntaxError(`WAT: ${fn.name}: unknown instruction "${name}"`);
    code.push(...info.bytes);
    switch (info.immediate) {
      case "none":
        if (name === "end") {
          if (labels.length === 0) throw new SyntaxError(`WAT: ${fn.name}: "end" without a block`);
          labels.pop();
        }
        break;
      case "block": {
        const label = tokens[i]?.startsWith("$") ? next("label") : null;
        labels.push(label);
        code.push(0x40); // no parameters, no results
        break;
      }
      case "label": {
        const t = next("label");
        const depth = t.startsWith("$") ? labels.length - 1 - labels.lastIndexOf(t) : parseNumber(t, "label");
        if (t.startsWith("$") && !labels.includes(t)) throw new SyntaxError(`WAT: ${fn.name}: unknown label ${t}`);
        code.push(...unsignedLeb(depth));
        break;
      }
      case "local": {
        const t = next("local");
        const index = t.startsWith("$") ? fn.localIndex.get(t) : parseNumber(t, "local index");
        if (index === undefined) throw new SyntaxError(`WAT: ${fn.name}: unknown local ${t}`);
        code.push(...unsignedLeb(index));
        break;
      }
      case "call": {
        const t = next("function");
        const index = functionIndex.get(t);
        if (index === undefined) throw new SyntaxError(`WAT: ${fn.name}: unknown function ${t}`);
        code.push(...unsignedLeb(index));
        break;
      }
      case "i32":
        code.push(...signedLeb(parseNumber(next("i32 constant"), "i32 constant")));
        break;
      case "f32":
        code.push(...floatBytes(parseNumber(next("f32 constant"), "f32 constant"), 4));
        break;
      case "f64":
        code.push(...floatBytes(parseNumber(next("f64 constant"), "f64 constant"), 8));
        break;
      case "mem": {
        let offset = 0;
        let align = info.align ?? 0;
        while (tokens[i]?.startsWith("offset=") || tokens[i]?.startsWith("align=")) {
          const [key, value] = next("memarg").split("=") as [string, string];
          if (key === "offset") offset = parseNumber(value, "offset");
          else align = Math.log2(parseNumber(value, "align"));
        }
        code.push(...unsignedLeb(align), ...unsignedLeb(offset));
        break;
      }
      case "lane":
        code.push(parseNumber(next("lane index"), "lane index"));
        break;
      case "shuffle":
        for (let k = 0; k < 16; k++) code.push(parseNumber(next("shuffle lane"), "shuffle lane"));
        break;
      case "v128": {
        const shape = next("v128 shape");
        if (shape === "f32x4")
          for (let k = 0; k < 4; k++) code.push(...floatBytes(parseNumber(next("f32 lane"), "f32 lane"), 4));
        else if (shape === "f64x2")
          for (let k = 0; k < 2; k++) code.push(...floatBytes(parseNumber(next("f64 lane"), "f64 lane"), 8));
        else if (shape === "i32x4") {
          for (let k = 0; k < 4; k++) {
            const v = parseNumber(next("i32 lane"), "i32 lane");
            code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
          }
        } else
          throw new SyntaxError(
            `WAT: ${fn.name}: v128.const shape ${shape} is not supported (use f32x4, f64x2 or i32x4)`,
          );
        break;
      }
    }
  }
  if (labels.length !== 0) throw new SyntaxError(`WAT: ${fn.name}: ${labels.length} block(s) without "end"`);
  code.push(0x0b);
  return code;
}

/**
 * Assemble a module written in the WAT subset described above.
 *
 * @returns  the binary module (validate and compile it with `new WebAssembly.Module(bytes)`)
 * @throws SyntaxError  naming the function and the token it could not read
 */
export function assembleWat(text: string): Uint8Array {
  const root = parse(tokenize(text));
  if (!Array.isArray(root) || root[0] !== "module") throw new SyntaxError("WAT: the text must be one (module ...)");
  const memoryImports: number[][] = [];
  const importedFunctions: Array<{ module: string; name: string; fn: FunctionDef }> = [];
  const functions: FunctionDef[] = [];
  for (const field of root.slice(1)) {
    if (!Array.isArray(field)) throw new SyntaxError(`WAT: unexpected ${JSON.stringify(field)} in the module`);
    if (field[0] === "import") {
      const desc = field[3];
      const module = JSON.parse(field[1] as string) as string;
      const name = JSON.parse(field[2] as string) as string;
      if (Array.isArray(desc) && desc[0] === "memory") {
        const min = parseNumber(desc[1] as string, "memory size");
        memoryImports.push([...utf8Name(module), ...utf8Name(name), 0x02, 0x00, ...unsignedLeb(min)]);
      } else if (Array.isArray(desc) && desc[0] === "func") {
        const fn = readFunction(desc);
        if (fn.body.length > 0 || fn.locals.length > 0)
          throw new SyntaxError(`WAT: imported function ${fn.name} cannot have a body`);
        importedFunctions.push({ module, name, fn });
      } else throw new SyntaxError("WAT: only memory and function imports are supported");
    } else if (field[0] === "func") functions.push(readFunction(field));
    else throw new SyntaxError(`WAT: module field ${JSON.stringify(field[0])} is not supported`);
  }
  // imported functions come first in the function index space
  const allFunctions = [...importedFunctions.map((i) => i.fn), ...functions];
  const functionIndex = new Map(allFunctions.map((f, index) => [f.name, index]));
  const types: string[] = [];
  const typeOf = allFunctions.map((f) => {
    const key = JSON.stringify([f.params, f.results]);
    if (!types.includes(key)) types.push(key);
    return types.indexOf(key);
  });
  const imports = [
    ...importedFunctions.map((i, index) => [
      ...utf8Name(i.module),
      ...utf8Name(i.name),
      0x00,
      ...unsignedLeb(typeOf[index] as number),
    ]),
    ...memoryImports,
  ];
  const ownTypes = typeOf.slice(importedFunctions.length);
  const typeSection = types.map((key) => {
    const [params, results] = JSON.parse(key) as [number[], number[]];
    return [0x60, ...unsignedLeb(params.length), ...params, ...unsignedLeb(results.length), ...results];
  });
  const exports = functions.flatMap((f, index) =>
    f.exportName === null ? [] : [[...utf8Name(f.exportName), 0x00, ...unsignedLeb(importedFunctions.length + index)]],
  );
  const bodies = functions.map((f) => {
    const body = [...vector(f.locals.map((t) => [1, t])), ...encodeBody(f, functionIndex)];
    return [...unsignedLeb(body.length), ...body];
  });
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(typeSection)),
    ...section(2, vector(imports)),
    ...section(3, vector(ownTypes.map((t) => unsignedLeb(t)))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ];
  return Uint8Array.from(bytes);
}
