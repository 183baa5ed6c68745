/**
 * CSV files the product writes (artifact downloads; dashboards' widget and share-link downloads
 * reuse it), safe to open in a spreadsheet. OWASP's CSV injection guidance: a cell that begins
 * with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel, LibreOffice
 * and Google Sheets, so it is prefixed with a single quote, which they show as text. Numbers stay
 * numbers: in a numeric column, a value written as a plain numeral (`-12.5`, the exact digits of a
 * big integer) is left as it is. Quoting and line breaks follow RFC 4180 (by papaparse).
 */
import Papa from "papaparse";
import { plainNumber } from "./number_text.ts";

/** Types whose values are numbers (the API's column types). */
const NUMERIC_TYPES = new Set(["integer", "number", "decimal"]);
const NUMERAL = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
/** What spreadsheets start a formula with (OWASP, "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell's text: a number as written, anything else neutralised if a spreadsheet would run it. */
export function csvCell(value: unknown, type?: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return plainNumber(value);
  if (typeof value === "bigint") return String(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (type !== undefined && NUMERIC_TYPES.has(type) && NUMERAL.test(text)) return text;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * A CSV document: a header of column names (neutralised like any cell) and the rows, each value
 * written by `csvCell` with its column's type. Lines end in CRLF (RFC 4180).
 */
export function toCsv(columns: readonly { name: string; type?: string }[], rows: readonly unknown[][]): string {
  return Papa.unparse({
    fields: columns.map((c) => csvCell(c.name)),
    data: rows.map((row) => columns.map((c, i) => csvCell(row[i], c.type))),
  }, { newline: "\r\n" });
}
