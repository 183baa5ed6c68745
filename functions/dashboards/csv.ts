/**
 * Query results as CSV that spreadsheets cannot mistake for formulas (OWASP, "CSV Injection"):
 * a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
 * so Excel, LibreOffice and Sheets show it as text. Numbers (and numeric columns, whose values are
 * never formulas) stay numbers, so `-5` is still minus five. Quoting is Papa Parse's (RFC 4180).
 */
import Papa from "papaparse";
import type { Column } from "../../connectors/types.ts";

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMERIC = new Set(["integer", "number", "decimal"]);

/** One cell, made formula-safe unless its column is numeric or it is a number. */
export function safeCell(value: unknown, type?: string): unknown {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean" || (type && NUMERIC.has(type))) return value;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** `rows` under a header of `columns`' names (names are cells too: they are made safe the same way). */
export function toCsv(columns: Column[], rows: unknown[][]): string {
  return Papa.unparse({
    fields: columns.map((c) => String(safeCell(c.name))),
    data: rows.map((row) => row.map((v, i) => safeCell(v, columns[i]?.type))),
  });
}
