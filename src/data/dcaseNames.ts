/**
 * The DCASE task-2 file-name convention (2022-2025 development data):
 * `section_<XX>_<source|target>_<train|test>_<normal|anomaly>_<NNNN>_<key>_<value>_..._<key>_<value>.wav`,
 * e.g. `section_00_target_test_anomaly_0003_pat_02.wav` (valve, section 00, target domain, test
 * split, anomalous clip 3, operation pattern 02).
 *
 * Parsing never throws: a name that does not follow the convention gives null fields, so
 * callers can use it on any file and ask {@link isDcaseName} whether it told them anything.
 * No Node imports: the browser app can use it too.
 */
/** Recording condition of a DCASE domain-generalisation task: source (plenty of data) or target (shifted). */
export type DcaseDomain = "source" | "target";
/** The DCASE split folder the clip belongs to. */
export type DcaseSplit = "train" | "test";
/** Ground truth carried by a development-set name. */
export type DcaseCondition = "normal" | "anomaly";

/** One `<key>_<value>` pair of a name's attribute tail, in the order they appear. */
export interface DcaseAttribute {
  key: string;
  /** null for a trailing key without a value (e.g. `noAttribute`). */
  value: string | null;
}

/** What a file name says under the DCASE convention; every field null when it says nothing. */
export interface DcaseName {
  /** Section id as written, e.g. "00". */
  section: string | null;
  domain: DcaseDomain | null;
  split: DcaseSplit | null;
  condition: DcaseCondition | null;
  /** Clip index as written, e.g. "0003" (kept as text: leading zeros are part of the name). */
  index: string | null;
  /** Attribute pairs after the index; empty when there are none or the name does not parse. */
  attributes: DcaseAttribute[];
}

const FULL = /^section_(\d+)_(source|target)_(train|test)_(normal|anomaly)_(\d+)(?:_(.+))?$/;
/** Evaluation-set names carry no domain or label: `section_00_0012`. */
const EVAL = /^section_(\d+)_(\d+)$/;

const NOTHING: Readonly<DcaseName> = Object.freeze({
  section: null,
  domain: null,
  split: null,
  condition: null,
  index: null,
  attributes: [],
});

/** Split an attribute tail `pat_02_vel_6` into pairs; a lone last token is a key without a value. */
export function parseDcaseAttributes(tail: string): DcaseAttribute[] {
  const tokens = tail.split("_").filter((t) => t !== "");
  const out: DcaseAttribute[] = [];
  for (let i = 0; i < tokens.length; i += 2) out.push({ key: tokens[i] as string, value: tokens[i + 1] ?? null });
  return out;
}

/**
 * Parse a DCASE file name (a bare name or a path; the folder and extension are ignored).
 *
 * @returns all fields null (attributes empty) when the name does not follow the convention;
 *   section and index only for evaluation-set names (`section_00_0012.wav`)
 */
export function parseDcaseName(pathOrName: string): DcaseName {
  const name = pathOrName.slice(Math.max(pathOrName.lastIndexOf("/"), pathOrName.lastIndexOf("\\")) + 1);
  const dot = name.lastIndexOf(".");
  const stemOnly = dot > 0 ? name.slice(0, dot) : name;
  const full = FULL.exec(stemOnly);
  if (full !== null) {
    return {
      section: full[1] as string,
      domain: full[2] as DcaseDomain,
      split: full[3] as DcaseSplit,
      condition: full[4] as DcaseCondition,
      index: full[5] as string,
      attributes: full[6] === undefined ? [] : parseDcaseAttributes(full[6]),
    };
  }
  const evalName = EVAL.exec(stemOnly);
  if (evalName !== null)
    return { ...NOTHING, attributes: [], section: evalName[1] as string, index: evalName[2] as string };
  return { ...NOTHING, attributes: [] };
}

/** Whether the name carried a domain (and so can enter per-domain metrics). */
export function isDcaseName(parsed: DcaseName): boolean {
  return parsed.domain !== null;
}

/** Attributes as one CSV cell: `pat=02;vel=6` (a key without value is written alone); "" when none. */
export function formatDcaseAttributes(attributes: readonly DcaseAttribute[]): string {
  return attributes.map((a) => (a.value === null ? a.key : `${a.key}=${a.value}`)).join(";");
}

/** The manifest columns added for DCASE names, in order. */
export const DCASE_COLUMNS = ["section", "domain", "dcase_split", "condition", "index", "attributes"] as const;

/**
 * A parsed name as manifest cells ({@link DCASE_COLUMNS}); null fields become empty cells.
 * `dcase_split` is the DCASE folder (train/test), not this project's train/test split.
 */
export function dcaseColumns(parsed: DcaseName): Record<(typeof DCASE_COLUMNS)[number], string | null> {
  return {
    section: parsed.section,
    domain: parsed.domain,
    dcase_split: parsed.split,
    condition: parsed.condition,
    index: parsed.index,
    attributes: parsed.attributes.length === 0 ? null : formatDcaseAttributes(parsed.attributes),
  };
}
