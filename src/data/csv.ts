import { readFileSync } from "node:fs";
import { ShapeError } from "../errors";

/** A CSV cell value. */
export type CsvValue = string | number | boolean | null;

/** Quote a CSV field when it needs it (RFC 4180). */
export function csvField(value: CsvValue): string {
  const s = value === null ? "" : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of objects as CSV text with a header row, columns in the given order. */
export function toCsv<T extends Record<string, CsvValue>>(
  rows: readonly T[],
  columns: readonly (keyof T & string)[],
): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c] ?? null)).join(","));
  return lines.join("\n") + "\n";
}

/** Parse RFC 4180 CSV text into records keyed by the header row (all values as strings). */
export function parseCsv(text: string, source = "csv"): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (!header) throw new ShapeError(source, "CSV has no header row", "regenerate the file");
  return body.map((cells, r) => {
    if (cells.length !== header.length) {
      throw new ShapeError(
        source,
        `CSV row ${r + 2} has ${cells.length} fields, the header ${header.length}`,
        "regenerate the file",
      );
    }
    return Object.fromEntries(header.map((h, i) => [h, cells[i] as string]));
  });
}

/** Read and parse a CSV file. */
export function readCsv(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path, "utf8"), path);
}
