/**
 * The structured query (connectors/query.ts StructuredQuery) as forms offer it: the measures and
 * filter comparisons to choose from, the columns each measure takes, and, for forms that edit a
 * whole query (the workflow editor's query step), the query as rows of text and back. Shared by
 * the dashboard and workflow editors; browser-safe (no zod or drizzle).
 */

/** A dataset column as GET /api/connectors/:id/datasets lists it. */
export interface QueryColumn {
  name: string;
  type: string;
}

/** The aggregates a measure can use, with the words a form shows (connectors/query.ts MEASURE_FNS). */
export const MEASURE_FNS: [fn: string, words: string][] = [
  ["count", "count"],
  ["count_distinct", "count distinct"],
  ["sum", "sum"],
  ["avg", "average"],
  ["min", "min"],
  ["max", "max"],
];

/** What a measure needs said when its column is missing: "Choose the column to sum". */
export const NEEDS_COLUMN: Record<string, string> = {
  count_distinct: "Choose the column whose distinct values to count",
  sum: "Choose the column to sum",
  avg: "Choose the column to average",
  min: "Choose the column to take the smallest value of",
  max: "Choose the column to take the largest value of",
};

export const isNumeric = (type: string) => type === "integer" || type === "number" || type === "decimal";

/** The columns `fn` can take, as the query compiler allows: numbers for sum and avg, no json for min and max. */
export function measureColumns(fn: string, columns: QueryColumn[]): QueryColumn[] {
  if (fn === "sum" || fn === "avg") return columns.filter((c) => isNumeric(c.type));
  if (fn === "min" || fn === "max") return columns.filter((c) => c.type !== "json");
  return columns;
}

/** How many values a comparison takes: none, one, a list, or two (from, to). */
export type Takes = "none" | "one" | "list" | "two";

/** The filter comparisons, with their words and what they take (connectors/query.ts filters.op). */
export const FILTER_OPS: { op: string; words: string; takes: Takes }[] = [
  { op: "eq", words: "is", takes: "one" },
  { op: "neq", words: "is not", takes: "one" },
  { op: "gt", words: "is more than", takes: "one" },
  { op: "gte", words: "is at least", takes: "one" },
  { op: "lt", words: "is less than", takes: "one" },
  { op: "lte", words: "is at most", takes: "one" },
  { op: "contains", words: "contains", takes: "one" },
  { op: "in", words: "is one of", takes: "list" },
  { op: "between", words: "is between", takes: "two" },
  { op: "is_null", words: "is empty", takes: "none" },
  { op: "not_null", words: "is not empty", takes: "none" },
];

export const takesOf = (op: string): Takes => FILTER_OPS.find((o) => o.op === op)?.takes ?? "one";

/** The most rows a query returns (connectors/query.ts ROW_CAP). */
export const ROW_CAP = 10_000;

/** A structured query as a form holds it: rows of choices, values and the limit as typed. */
export interface QueryRows {
  dimensions: string[];
  measures: { fn: string; column: string }[];
  filters: { column: string; op: string; value: string }[];
  order: { column: string; dir: "asc" | "desc" }[];
  limit: string;
}

type Scalar = string | number | boolean;

/**
 * A typed value: `true`/`false` a boolean, a number written as JSON writes it a number, text in
 * double quotes that text (so "10" stays text), anything else the text as typed.
 */
export function scalarValue(text: string): Scalar {
  const t = text.trim();
  if (/^".*"$/s.test(t)) {
    try {
      return JSON.parse(t) as string;
    } catch { /* not a JSON string: text as typed */ }
  }
  if (t === "true" || t === "false") return t === "true";
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(t)) {
    const n = Number(t);
    if (String(n) === t && (!Number.isInteger(n) || Number.isSafeInteger(n))) return n;
  }
  return text;
}

/** The text that types `value` back (scalarValue), or undefined for what a box cannot hold (null). */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "string") return undefined;
  return value !== "" && scalarValue(value) === value ? value : JSON.stringify(value);
}

/** Comma-separated values ("East, West"); empty pieces are left out. */
export function listValue(text: string): Scalar[] {
  return text.split(",").filter((piece) => piece.trim()).map((piece) => scalarValue(piece.trim()));
}

const object = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A query's parts as text: empty lists left out, a sort's direction given (the server's default). */
function normalised(query: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = key === "order_by" && Array.isArray(value)
      ? value.map((o) => (object(o) && o.dir === undefined ? { ...o, dir: "asc" } : o))
      : value;
  }
  return canonical(out);
}

/** JSON with object keys sorted, so two values compare as text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (object(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A saved query as rows, or undefined when the rows cannot hold it exactly (date buckets, names
 * given with `as`, a null value, a value with a comma in a list, keys the form does not know…):
 * such a query is edited as JSON, so nothing saved is lost or rewritten.
 */
export function rowsOf(query: unknown): QueryRows | undefined {
  if (query === undefined) query = {};
  if (!object(query)) return undefined;
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  let shown = true;
  const valueText = (op: string, value: unknown) => {
    const takes = takesOf(op);
    if (takes === "none") return "";
    const texts = takes === "one" ? [scalarText(value)] : Array.isArray(value) ? value.map(scalarText) : [undefined];
    if (texts.some((t) => t === undefined)) shown = false;
    return texts.join(", ");
  };
  const rows: QueryRows = {
    dimensions: list(query.dimensions).map(text),
    measures: list(query.measures).map((m) => ({ fn: text(m?.fn), column: text(m?.column) })),
    filters: list(query.filters).map((f) => ({
      column: text(f?.column),
      op: text(f?.op),
      value: valueText(text(f?.op), f?.value),
    })),
    order: list(query.order_by).map((o) => ({ column: text(o?.column), dir: o?.dir === "desc" ? "desc" : "asc" })),
    limit: typeof query.limit === "number" ? String(query.limit) : "",
  };
  return shown && normalised(queryOf(rows)) === normalised(query) ? rows : undefined;
}

/** The rows as a query; rows left blank are left out. Checks are queryProblem's. */
export function queryOf(rows: QueryRows): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  const dimensions = rows.dimensions.filter(Boolean);
  if (dimensions.length) query.dimensions = dimensions;
  if (rows.measures.length) {
    query.measures = rows.measures.map((m) => (m.column ? { fn: m.fn, column: m.column } : { fn: m.fn }));
  }
  const filters = rows.filters.filter((f) => f.column || f.value.trim()).map((f) => {
    const takes = takesOf(f.op);
    if (takes === "none") return { column: f.column, op: f.op };
    return { column: f.column, op: f.op, value: takes === "one" ? scalarValue(f.value) : listValue(f.value) };
  });
  if (filters.length) query.filters = filters;
  const order = rows.order.filter((o) => o.column);
  if (order.length) query.order_by = order.map((o) => ({ column: o.column, dir: o.dir }));
  const limit = rows.limit.trim();
  if (limit) query.limit = /^\d+$/.test(limit) ? Number(limit) : limit;
  return query;
}

/** What is wrong with the rows, as the part it is in (`measures.0`, `filters.1`, `limit`) and a sentence. */
export function queryProblem(rows: QueryRows): { part: string; message: string } | undefined {
  for (const [i, m] of rows.measures.entries()) {
    if (m.fn !== "count" && !m.column) return { part: `measures.${i}`, message: `${NEEDS_COLUMN[m.fn]}.` };
  }
  for (const [i, f] of rows.filters.entries()) {
    const part = `filters.${i}`;
    const takes = takesOf(f.op);
    if (!f.column && !f.value.trim()) continue;
    if (!f.column) return { part, message: "Choose the column to filter on." };
    if (takes === "one" && !f.value.trim()) return { part, message: "Enter the value to compare with." };
    if (takes === "list" && !listValue(f.value).length) {
      return { part, message: "Enter one or more values, separated by commas." };
    }
    if (takes === "two" && listValue(f.value).length !== 2) {
      return { part, message: "Enter two values, from and to, separated by a comma." };
    }
  }
  const limit = rows.limit.trim();
  if (limit && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= ROW_CAP)) {
    return { part: "limit", message: `The limit is a whole number from 1 to ${ROW_CAP}.` };
  }
  return undefined;
}

/**
 * The names `order_by` can sort on: with dimensions or measures, the result's columns (a
 * measure is named `<fn>_<column>`, or `count`); otherwise the dataset's columns.
 */
export function sortNames(rows: QueryRows, columns: QueryColumn[]): string[] {
  if (!rows.dimensions.some(Boolean) && !rows.measures.length) return columns.map((c) => c.name);
  const measures = rows.measures.map((m) => (m.column ? `${m.fn}_${m.column}` : m.fn === "count" ? "count" : ""));
  return [...new Set([...rows.dimensions, ...measures].filter(Boolean))];
}
