/**
 * A seeded WAV fuzzer: valid base files of several encodings, and mutations of their bytes
 * (bit flips, header fields overwritten with edge values, truncation, insertion, deletion,
 * chunk reordering and duplication, crafted extra chunks, NaN/Inf payloads). Every case is a
 * pure function of (seed, index), so a failing case can be rebuilt from its index alone.
 */
import { encodeWav } from "../../src/audio/wavCodec";

/** A deterministic 32-bit generator (mulberry32). */
export class FuzzRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 2^32). */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** How a base file is laid out. */
export interface BaseWavSpec {
  name: string;
  container: "RIFF" | "RIFX" | "RF64";
  kind: "pcm" | "float";
  bits: 8 | 16 | 24 | 32 | 64;
  channels: number;
  rateHz: number;
  frames: number;
  extensible: boolean;
  /** Extra chunks before the data chunk ("LIST" INFO, "fact") and after it ("cue "). */
  extras: boolean;
}

/** A base file and where its header fields are, for targeted overwrites. */
export interface BaseWav {
  spec: BaseWavSpec;
  bytes: Uint8Array;
  /** Header fields: byte offset and width (2 or 4 bytes). */
  fields: Array<{ name: string; offset: number; width: 2 | 4 }>;
  littleEndian: boolean;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A seeded test signal: a sine per channel plus noise, in [-0.9, 0.9]. */
function signal(frames: number, channels: number, seed: number): Float64Array[] {
  const rng = new FuzzRng(seed);
  return Array.from({ length: channels }, (_, c) =>
    Float64Array.from(
      { length: frames },
      (_, i) => 0.6 * Math.sin((2 * Math.PI * (c + 1) * 440 * i) / 16000) + 0.3 * (rng.u32() / 2 ** 32 - 0.5),
    ),
  );
}

/** Build a base WAV by hand (our encoder writes only mono PCM16 and float32). */
export function buildBaseWav(spec: BaseWavSpec, seed: number): BaseWav {
  const le = spec.container !== "RIFX";
  const bytesPerSample = spec.bits / 8;
  const blockAlign = bytesPerSample * spec.channels;
  const data = new Uint8Array(spec.frames * blockAlign);
  const view = new DataView(data.buffer);
  const sig = signal(spec.frames, spec.channels, seed);
  for (let f = 0; f < spec.frames; f++) {
    for (let c = 0; c < spec.channels; c++) {
      const x = (sig[c] as Float64Array)[f] as number;
      const p = (f * spec.channels + c) * bytesPerSample;
      if (spec.kind === "float") {
        if (spec.bits === 32) view.setFloat32(p, x, le);
        else view.setFloat64(p, x, le);
      } else if (spec.bits === 8) view.setUint8(p, Math.round(x * 127) + 128);
      else if (spec.bits === 16) view.setInt16(p, Math.round(x * 32767), le);
      else if (spec.bits === 24) {
        const v = Math.round(x * 8388607);
        const b = [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
        data.set(le ? b : b.reverse(), p);
      } else view.setInt32(p, Math.round(x * 2147483647), le);
    }
  }
  const u16 = (v: number) => {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, le);
    return b;
  };
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, le);
    return b;
  };
  const fields: BaseWav["fields"] = [];
  const parts: Uint8Array[] = [];
  let offset = 12;
  const push = (p: Uint8Array) => {
    parts.push(p);
    offset += p.length;
  };
  const field = (name: string, width: 2 | 4, value: number) => {
    fields.push({ name, offset, width });
    push(width === 2 ? u16(value) : u32(value));
  };
  if (spec.container === "RF64") {
    push(ascii("ds64"));
    push(u32(28));
    field("ds64.riffSizeLow", 4, 0);
    push(u32(0));
    field("ds64.dataSizeLow", 4, data.length);
    field("ds64.dataSizeHigh", 4, 0);
    field("ds64.sampleCountLow", 4, spec.frames);
    push(u32(0));
    push(u32(0));
  }
  const tag = spec.kind === "float" ? 3 : 1;
  push(ascii("fmt "));
  field("fmt.size", 4, spec.extensible ? 40 : 16);
  field("fmt.formatTag", 2, spec.extensible ? 0xfffe : tag);
  field("fmt.channels", 2, spec.channels);
  field("fmt.rate", 4, spec.rateHz);
  field("fmt.byteRate", 4, spec.rateHz * blockAlign);
  field("fmt.blockAlign", 2, blockAlign);
  field("fmt.bits", 2, spec.bits);
  if (spec.extensible) {
    field("fmt.cbSize", 2, 22);
    field("fmt.validBits", 2, spec.bits);
    field("fmt.channelMask", 4, spec.channels === 2 ? 3 : 4);
    field("fmt.subformat0", 4, tag);
    push(u32(0x00100000));
    push(u32(0xaa000080));
    push(u32(0x719b3800));
  }
  if (spec.extras) {
    push(ascii("fact"));
    field("fact.size", 4, 4);
    field("fact.samples", 4, spec.frames);
    push(ascii("LIST"));
    field("LIST.size", 4, 4 + 8 + 6); // "INFO", then one 6-byte ISFT sub-chunk
    push(ascii("INFO"));
    push(ascii("ISFT"));
    push(u32(6));
    push(ascii("fuzz\0\0"));
  }
  push(ascii("data"));
  field("data.size", 4, spec.container === "RF64" ? 0xffffffff : data.length);
  push(data);
  if (data.length % 2 === 1) push(new Uint8Array(1));
  if (spec.extras) {
    push(ascii("cue "));
    field("cue.size", 4, 4 + 24);
    field("cue.count", 4, 1);
    push(new Uint8Array(24));
  }
  const body = concat(parts);
  const head = concat([
    ascii(spec.container),
    u32(spec.container === "RF64" ? 0xffffffff : 4 + body.length),
    ascii("WAVE"),
  ]);
  fields.unshift({ name: "riff.size", offset: 4, width: 4 });
  return { spec, bytes: concat([head, body]), fields, littleEndian: le };
}

/** The base files every mutation starts from. */
export function baseWavs(seed: number): BaseWav[] {
  const specs: BaseWavSpec[] = [
    {
      name: "pcm16-mono",
      container: "RIFF",
      kind: "pcm",
      bits: 16,
      channels: 1,
      rateHz: 16000,
      frames: 700,
      extensible: false,
      extras: false,
    },
    {
      name: "pcm16-stereo-extras",
      container: "RIFF",
      kind: "pcm",
      bits: 16,
      channels: 2,
      rateHz: 44100,
      frames: 513,
      extensible: false,
      extras: true,
    },
    {
      name: "pcm24-stereo-extensible",
      container: "RIFF",
      kind: "pcm",
      bits: 24,
      channels: 2,
      rateHz: 48000,
      frames: 401,
      extensible: true,
      extras: false,
    },
    {
      name: "pcm8-mono",
      container: "RIFF",
      kind: "pcm",
      bits: 8,
      channels: 1,
      rateHz: 8000,
      frames: 333,
      extensible: false,
      extras: true,
    },
    {
      name: "pcm32-6ch-extensible",
      container: "RIFF",
      kind: "pcm",
      bits: 32,
      channels: 6,
      rateHz: 22050,
      frames: 120,
      extensible: true,
      extras: false,
    },
    {
      name: "float32-stereo",
      container: "RIFF",
      kind: "float",
      bits: 32,
      channels: 2,
      rateHz: 22050,
      frames: 300,
      extensible: false,
      extras: true,
    },
    {
      name: "float64-mono-extensible",
      container: "RIFF",
      kind: "float",
      bits: 64,
      channels: 1,
      rateHz: 11025,
      frames: 200,
      extensible: true,
      extras: false,
    },
    {
      name: "pcm16-rifx",
      container: "RIFX",
      kind: "pcm",
      bits: 16,
      channels: 2,
      rateHz: 32000,
      frames: 250,
      extensible: false,
      extras: true,
    },
    {
      name: "pcm16-rf64",
      container: "RF64",
      kind: "pcm",
      bits: 16,
      channels: 1,
      rateHz: 16000,
      frames: 300,
      extensible: false,
      extras: false,
    },
  ];
  const built = specs.map((s, i) => buildBaseWav(s, seed + i));
  // and the two layouts our own encoder writes (canonical PCM16; float32 with a fact chunk)
  const sig = Float32Array.from(signal(900, 1, seed + 99)[0] as Float64Array);
  for (const [name, encoding] of [
    ["ours-pcm16", "pcm16"],
    ["ours-float32", "float32"],
  ] as const) {
    const bytes = encodeWav(sig, 22050, encoding);
    const dataAt = encoding === "pcm16" ? 36 : bytes.length - sig.length * 4 - 8;
    built.push({
      spec: {
        name,
        container: "RIFF",
        kind: encoding === "pcm16" ? "pcm" : "float",
        bits: encoding === "pcm16" ? 16 : 32,
        channels: 1,
        rateHz: 22050,
        frames: sig.length,
        extensible: false,
        extras: false,
      },
      bytes,
      fields: [
        { name: "riff.size", offset: 4, width: 4 },
        { name: "fmt.size", offset: 16, width: 4 },
        { name: "fmt.formatTag", offset: 20, width: 2 },
        { name: "fmt.channels", offset: 22, width: 2 },
        { name: "fmt.rate", offset: 24, width: 4 },
        { name: "fmt.blockAlign", offset: 32, width: 2 },
        { name: "fmt.bits", offset: 34, width: 2 },
        { name: "data.size", offset: dataAt + 4, width: 4 },
      ],
      littleEndian: true,
    });
  }
  return built;
}

/** Values that break parsers: zero, one, sign and size boundaries. */
const EDGE_U32 = [0, 1, 2, 3, 7, 8, 16, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const EDGE_U16 = [0, 1, 2, 3, 7, 8, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff];
const CODEC_TAGS = [0x0002, 0x0006, 0x0007, 0x0011, 0x0055, 0x0050, 0x0161, 0xfffe, 0x0003, 0x0001];

/** Top-level chunks of a file: [offset of the chunk header, total bytes incl. header and pad]. */
function chunkSpans(bytes: Uint8Array, le: boolean): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 12;
  while (o + 8 <= bytes.length) {
    let size = view.getUint32(o + 4, le);
    if (size === 0xffffffff) size = bytes.length - o - 8;
    const total = Math.min(8 + size + (size & 1), bytes.length - o);
    spans.push([o, total]);
    o += total;
  }
  return spans;
}

function craftedChunk(rng: FuzzRng, le: boolean): Uint8Array {
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, le);
    return b;
  };
  switch (rng.int(7)) {
    case 0: // cue chunk claiming billions of cue points
      return concat([ascii("cue "), u32(28), u32(rng.pick([0xffffffff, 0x7fffffff, 2, 1000])), new Uint8Array(24)]);
    case 1: // smpl chunk claiming billions of loops
      return concat([
        ascii("smpl"),
        u32(60),
        new Uint8Array(28),
        u32(rng.pick([0xffffffff, 5, 100000])),
        new Uint8Array(24),
      ]);
    case 2: {
      // deeply nested LIST chunks
      const depth = 1 + rng.int(3000);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < depth; i++)
        parts.push(ascii("LIST"), u32(4 + 12 * (depth - i - 1)), ascii(rng.pick(["INFO", "adtl", "LIST"])));
      return concat(parts);
    }
    case 3: // junk chunk claiming 4 GB
      return concat([ascii("junk"), u32(0xfffffff0), new Uint8Array(rng.int(64))]);
    case 4: // bext chunk shorter than its fixed fields
      return concat([ascii("bext"), u32(rng.pick([0, 10, 601, 0xffffffff])), new Uint8Array(rng.int(32))]);
    case 5: // a second fmt or data chunk
      return concat([
        ascii(rng.pick(["fmt ", "data", "ds64", "fact"])),
        u32(rng.pick(EDGE_U32)),
        new Uint8Array(rng.int(48)),
      ]);
    default: {
      // unknown id, odd size
      const size = 1 + 2 * rng.int(20);
      return concat([ascii("zzzz"), u32(size), new Uint8Array(size + 1)]);
    }
  }
}

/** One mutation applied in place or by returning new bytes; returns its description. */
function mutateOnce(
  base: BaseWav,
  bytes: Uint8Array,
  rng: FuzzRng,
  fieldsValid: boolean,
): { bytes: Uint8Array; what: string } {
  const le = base.littleEndian;
  const op = rng.int(fieldsValid ? 12 : 9);
  const copy = () => Uint8Array.from(bytes);
  switch (op) {
    case 0: {
      // flip bits, mostly in the header
      const out = copy();
      const flips = 1 + rng.int(8);
      const where: number[] = [];
      for (let i = 0; i < flips && out.length > 0; i++) {
        const p = rng.int(4) === 0 ? rng.int(out.length) : rng.int(Math.min(out.length, 96));
        out[p] = (out[p] as number) ^ (1 << rng.int(8));
        where.push(p);
      }
      return { bytes: out, what: `flip bits at ${where.join(",")}` };
    }
    case 1: {
      // truncate
      const at = rng.int(4) === 0 ? rng.int(Math.min(bytes.length, 64)) : rng.int(bytes.length + 1);
      return { bytes: bytes.slice(0, at), what: `truncate to ${at}` };
    }
    case 2: {
      // insert random bytes
      const at = rng.int(bytes.length + 1);
      const n = 1 + rng.int(64);
      const ins = Uint8Array.from({ length: n }, () => rng.int(256));
      return { bytes: concat([bytes.subarray(0, at), ins, bytes.subarray(at)]), what: `insert ${n} bytes at ${at}` };
    }
    case 3: {
      // delete a range
      const at = rng.int(bytes.length + 1);
      const n = 1 + rng.int(Math.min(80, bytes.length + 1));
      return { bytes: concat([bytes.subarray(0, at), bytes.subarray(at + n)]), what: `delete ${n} bytes at ${at}` };
    }
    case 4: {
      // swap two chunks
      const spans = chunkSpans(bytes, le);
      if (spans.length < 2) return { bytes, what: "swap (no chunks)" };
      const i = rng.int(spans.length);
      let j = rng.int(spans.length - 1);
      if (j >= i) j++;
      const [a, b] = i < j ? [spans[i]!, spans[j]!] : [spans[j]!, spans[i]!];
      const out = concat([
        bytes.subarray(0, a[0]),
        bytes.subarray(b[0], b[0] + b[1]),
        bytes.subarray(a[0] + a[1], b[0]),
        bytes.subarray(a[0], a[0] + a[1]),
        bytes.subarray(b[0] + b[1]),
      ]);
      return { bytes: out, what: `swap chunks at ${a[0]} and ${b[0]}` };
    }
    case 5: {
      // duplicate a chunk
      const spans = chunkSpans(bytes, le);
      if (spans.length === 0) return { bytes, what: "duplicate (no chunks)" };
      const s = rng.pick(spans);
      const at = rng.pick(spans)[0];
      return {
        bytes: concat([bytes.subarray(0, at), bytes.subarray(s[0], s[0] + s[1]), bytes.subarray(at)]),
        what: `duplicate chunk at ${s[0]} before ${at}`,
      };
    }
    case 6: {
      // insert a crafted chunk between chunks
      const spans = chunkSpans(bytes, le);
      const at = spans.length > 0 ? rng.pick(spans)[0] : Math.min(12, bytes.length);
      const chunk = craftedChunk(rng, le);
      return {
        bytes: concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]),
        what: `insert ${String.fromCharCode(...chunk.subarray(0, 4))} chunk (${chunk.length} bytes) at ${at}`,
      };
    }
    case 7: {
      // overwrite payload bytes with random bytes or NaN / Inf patterns
      const out = copy();
      const n = 1 + rng.int(16);
      const at = rng.int(Math.max(1, out.length));
      const pattern = rng.pick([
        [0x00, 0x00, 0xc0, 0x7f],
        [0x00, 0x00, 0x80, 0x7f],
        [0x00, 0x00, 0x80, 0xff],
        [0xff, 0xff, 0xff, 0xff],
        [0, 0, 0, 0, 0, 0, 0xf8, 0x7f],
      ]);
      for (let i = 0; i < n * pattern.length && at + i < out.length; i++)
        out[at + i] = pattern[i % pattern.length] as number;
      return { bytes: out, what: `NaN/Inf-like pattern at ${at}` };
    }
    case 8: {
      // replace the magic or form type
      const out = copy();
      const at = rng.pick([0, 8]);
      const word = rng.pick([
        "RIFF",
        "RIFX",
        "RF64",
        "WAVE",
        "FORM",
        "AIFF",
        "fLaC",
        "OggS",
        "ID3\u0003",
        "\u00ff\u00fb\u0090\u0000",
      ]);
      for (let i = 0; i < 4 && at + i < out.length; i++) out[at + i] = word.charCodeAt(i);
      return { bytes: out, what: `write ${JSON.stringify(word)} at ${at}` };
    }
    default: {
      // overwrite a header field with an edge value (base offsets: only before structural edits)
      const out = copy();
      const f = rng.pick(base.fields);
      if (f.offset + f.width > out.length) return { bytes: out, what: `field ${f.name} (cut off)` };
      const view = new DataView(out.buffer);
      const old = f.width === 2 ? view.getUint16(f.offset, le) : view.getUint32(f.offset, le);
      const choices =
        f.name === "fmt.formatTag" || f.name === "fmt.subformat0" ? CODEC_TAGS : f.width === 2 ? EDGE_U16 : EDGE_U32;
      let value =
        rng.int(3) === 0
          ? (old + rng.pick([-2, -1, 1, 2, 1000])) >>> 0
          : rng.int(4) === 0
            ? rng.u32()
            : rng.pick(choices);
      if (f.width === 2) value &= 0xffff;
      if (f.width === 2) view.setUint16(f.offset, value, le);
      else view.setUint32(f.offset, value >>> 0, le);
      return { bytes: out, what: `${f.name} ${old} -> ${value}` };
    }
  }
}

/** One fuzz case: which base, which mutations, and the bytes. */
export interface FuzzCase {
  index: number;
  base: string;
  mutations: string[];
  bytes: Uint8Array;
}

/**
 * The index-th case of a run: a base file and 1 to 3 mutations, all from an RNG seeded by
 * (seed, index), so any case can be rebuilt alone.
 */
export function fuzzCase(bases: readonly BaseWav[], seed: number, index: number): FuzzCase {
  const rng = new FuzzRng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const base = bases[index % bases.length] as BaseWav;
  let bytes = base.bytes;
  const mutations: string[] = [];
  const count = 1 + rng.int(3);
  let fieldsValid = true;
  for (let m = 0; m < count; m++) {
    const { bytes: next, what } = mutateOnce(base, bytes, rng, fieldsValid);
    if (next.length !== bytes.length || /^(swap|duplicate|insert|delete|truncate)/.test(what)) fieldsValid = false;
    bytes = next;
    mutations.push(what);
  }
  return { index, base: base.spec.name, mutations, bytes };
}
