/**
 * The structured query (dimensions, measures, filters, order, limit) and its compiler to
 * parameterized SQL over a dataset's table. Column names are looked up in the dataset's schema
 * and replaced by the storage names (c0, c1, …), so no identifier from a request reaches the SQL;
 * every value is a bound parameter.
 */
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { pgType, storageColumn } from "./dataset_store.ts";
import { jsonNumber, parseJsonExact } from "./exact_json.ts";
import type { Column, ColumnType } from "./types.ts";
import { clip } from "../lib/text.ts";

/** The most rows a query returns, whatever it asks for. */
export const ROW_CAP = 10_000;
export const DEFAULT_LIMIT = 1000;

// A CSV header can name a column anything, at any length: the body limit (1 MiB) is the real bound.
const columnName = z.string().min(1).max(10_000);
const scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

/** The time grains a date or timestamp dimension can be truncated to (date_trunc, in UTC). */
export const BUCKETS = ["hour", "day", "week", "month", "quarter", "year"] as const;
export type Bucket = typeof BUCKETS[number];

const MEASURE_FNS = ["count", "count_distinct", "sum", "avg", "min", "max"] as const;
type MeasureFn = typeof MEASURE_FNS[number];

export const StructuredQuery = z.object({
  dimensions: z.array(z.union([
    columnName,
    z.object({ column: columnName, bucket: z.enum(BUCKETS), as: z.string().min(1).max(1000).optional() }).strict(),
  ])).max(10).optional(),
  measures: z.array(
    z.object({
      fn: z.enum(MEASURE_FNS),
      column: columnName.optional(),
      as: z.string().min(1).max(1000).optional(),
    }).strict(),
  ).max(20).optional(),
  filters: z.array(
    z.object({
      column: columnName,
      op: z.enum(["eq", "neq", "gt", "gte", "lt", "lte", "in", "contains", "is_null", "not_null", "between"]),
      value: z.union([scalar, z.array(scalar).max(1000)]).optional(),
    }).strict(),
  ).max(20).optional(),
  order_by: z.array(z.object({ column: columnName, dir: z.enum(["asc", "desc"]).default("asc") }).strict()).max(5)
    .optional(),
  limit: z.number().int().min(1).max(ROW_CAP).optional(),
}).strict();
export type StructuredQuery = z.infer<typeof StructuredQuery>;

/** Compiled SQL and the columns its rows will have. */
export interface CompiledQuery {
  query: SQL;
  columns: Column[];
  /** A result row (keyed o0, o1, …) as the values the API sends. */
  decode(row: Record<string, unknown>): unknown[];
}

const COMPARISONS = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

function invalid(message: string): ApiError {
  return new ApiError(400, "invalid_request", `Invalid request: query: ${message}`);
}

/**
 * Output expressions. Integers, decimals and JSON leave the database as their own text, whatever
 * the driver would make of them (postgres.js: int8 as a string; PGlite and pg: numbers that round),
 * and `decode` turns them into exact JSON values. Times are ISO text (in UTC: the query's zone).
 */
function output(expression: string, type: ColumnType): string {
  if (type === "integer" || type === "decimal" || type === "json") return `(${expression})::text`;
  if (type === "date" || type === "timestamp") return `to_json(${expression}) #>> '{}'`;
  return expression;
}

/** A value as the query result carries it: exact numbers ("Numbers are exact", ../shared/API.md). */
function decode(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  if (type === "integer" || type === "decimal") return jsonNumber(String(value));
  if (type === "json") return parseJsonExact(String(value));
  // NaN and ±Infinity (double precision allows them) have no JSON number.
  if (type === "number" && typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * A filter value as SQL text for a column of `type`. A JSON number literal for an integer or
 * decimal column that is an integer beyond ±(2^53−1) was already rounded when the request was
 * parsed, so it is refused rather than compared with a neighbour: such values come as strings.
 */
function literal(value: string | number | boolean, column: Column): string {
  const exact = column.type === "integer" || column.type === "decimal";
  if (exact && typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw invalid(
      `${column.name}: ${value} is beyond what a JSON number holds exactly; send it as a string of its digits`,
    );
  }
  const text = String(value);
  const problem = typeProblem(text.trim(), column.type);
  if (problem) throw invalid(`Filter on ${clip(column.name)}: "${clip(text)}" ${problem}`);
  return text;
}

const INT64 = 2n ** 63n;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Why `text` cannot be a value of `type` as PostgreSQL reads it, or undefined. Dates and times
 * are left to the database, whose formats are many (queryError answers for them).
 */
function typeProblem(text: string, type: ColumnType): string | undefined {
  if (type === "integer") {
    if (!/^[+-]?\d+$/.test(text)) return "is not a whole number";
    const n = BigInt(text);
    if (n < -INT64 || n >= INT64) return "is beyond the range of a 64-bit integer";
  }
  if (type === "decimal" && !DECIMAL.test(text) && !/^[+-]?(nan|infinity)$/i.test(text)) return "is not a number";
  if (type === "number" && !DECIMAL.test(text) && !/^[+-]?(nan|inf|infinity)$/i.test(text)) return "is not a number";
  if (type === "boolean" && !/^(t|true|f|false|y|yes|n|no|on|off|1|0)$/i.test(text)) return "is not true or false";
  return undefined;
}

/**
 * An aggregate's SQL. `sum` of bigint is numeric in PostgreSQL, so it keeps every digit and stays
 * an integer; `avg` is a double (a JSON number); booleans have no min/max, but bool_and/bool_or are.
 */
function aggregate(fn: MeasureFn, ref: string, type: ColumnType): string {
  if (fn === "count_distinct") return `count(distinct ${ref})`;
  if (fn === "avg") return `avg(${ref})::float8`;
  if (type === "boolean" && (fn === "min" || fn === "max")) return `${fn === "min" ? "bool_and" : "bool_or"}(${ref})`;
  return `${fn}(${ref})`;
}

/**
 * A date or timestamp column truncated to `bucket`. Timestamps are truncated in UTC whatever the
 * session's zone (the three-argument date_trunc, PostgreSQL 12+); dates stay dates.
 */
function bucketed(ref: string, column: Column, bucket: Bucket): string {
  if (column.type === "timestamp") return `date_trunc('${bucket}', ${ref}, 'UTC')`;
  if (column.type === "date") return `date_trunc('${bucket}', ${ref}::timestamp)::date`;
  throw invalid(`bucket needs a date or timestamp column; ${column.name} is ${column.type}`);
}

/** Compiles `q` over `table` whose columns are `columns`. Throws a 400 naming any unknown column. */
export function compileQuery(table: string, columns: Column[], q: StructuredQuery): CompiledQuery {
  const lookup = (name: string, role: string) => {
    const index = columns.findIndex((c) => c.name === name);
    if (index < 0) {
      const known = columns.map((c) => clip(c.name)).slice(0, 30).join(", ");
      throw invalid(`${role} "${clip(name)}" is not a column of this dataset (columns: ${known})`);
    }
    return { ref: storageColumn(index), column: columns[index] };
  };

  const dimensions = (q.dimensions ?? []).map((d) => {
    if (typeof d === "string") {
      const { ref, column } = lookup(d, "dimension");
      return { expression: ref, name: column.name, type: column.type };
    }
    const { ref, column } = lookup(d.column, "dimension");
    return { expression: bucketed(ref, column, d.bucket), name: d.as ?? column.name, type: column.type };
  });
  const measures = (q.measures ?? []).map((m) => {
    if (!m.column) {
      if (m.fn !== "count") throw invalid(`${m.fn} needs a column`);
      return { expression: "count(*)", name: m.as ?? "count", type: "integer" as ColumnType };
    }
    const { ref, column } = lookup(m.column, "measure column");
    const numeric = column.type === "integer" || column.type === "number" || column.type === "decimal";
    if ((m.fn === "sum" || m.fn === "avg") && !numeric) {
      throw invalid(`${m.fn} needs a numeric column; ${m.column} is ${column.type}`);
    }
    if ((m.fn === "min" || m.fn === "max") && column.type === "json") {
      throw invalid(`${m.fn} needs a column whose values have an order; ${m.column} is json`);
    }
    const type: ColumnType = m.fn === "count" || m.fn === "count_distinct"
      ? "integer"
      : m.fn === "avg"
      ? "number"
      : column.type;
    return { expression: aggregate(m.fn, ref, column.type), name: m.as ?? `${m.fn}_${m.column}`, type };
  });
  const aggregated = measures.length > 0 || dimensions.length > 0;

  const selected = aggregated
    ? [...dimensions, ...measures]
    : columns.map((c, i) => ({ expression: storageColumn(i), name: c.name, type: c.type }));
  const names = new Set<string>();
  for (const s of selected) {
    if (names.has(s.name)) throw invalid(`two output columns are named "${s.name}": give one an "as"`);
    names.add(s.name);
  }

  const parts: SQL[] = [
    // Aliased o0, o1, … so that rows come back keyed by position, whatever the user's names are.
    sql.raw(`select ${selected.map((s, i) => `${output(s.expression, s.type)} as o${i}`).join(", ")} from ${table}`),
  ];

  const conditions = (q.filters ?? []).map((f) => {
    const { ref, column } = lookup(f.column, "filter column");
    const cast = pgType(column.type);
    if (f.op === "is_null" || f.op === "not_null") {
      if (f.value !== undefined && f.value !== null) throw invalid(`"${f.op}" on ${f.column} takes no value`);
      return sql.raw(`${ref} ${f.op === "is_null" ? "is null" : "is not null"}`);
    }
    if (f.op === "between") {
      const range = f.value;
      if (!Array.isArray(range) || range.length !== 2 || range.some((v) => v === null)) {
        throw invalid(`"between" on ${f.column} needs a value [from, to]`);
      }
      const [from, to] = range.map((v) => sql`${literal(v!, column)}::text::${sql.raw(cast)}`);
      return sql`${sql.raw(ref)} between ${from} and ${to}`;
    }
    if (f.value === undefined) throw invalid(`"${f.op}" on ${f.column} needs a value`);
    if (f.op === "in") {
      if (!Array.isArray(f.value) || f.value.length === 0) throw invalid(`"in" on ${f.column} needs a non-empty list`);
      return sql.join([
        sql.raw(`${ref} in (`),
        sql.join(f.value.map((v) => sql`${v === null ? null : literal(v, column)}::text::${sql.raw(cast)}`), sql`, `),
        sql.raw(")"),
      ]);
    }
    if (Array.isArray(f.value)) throw invalid(`"${f.op}" on ${f.column} takes one value, not a list`);
    if (f.op === "contains") {
      return sql`strpos(lower(${sql.raw(ref)}::text), lower(${String(f.value ?? "")})) > 0`;
    }
    if (f.value === null) {
      if (f.op === "eq") return sql.raw(`${ref} is null`);
      if (f.op === "neq") return sql.raw(`${ref} is not null`);
      throw invalid(`"${f.op}" on ${f.column} cannot compare with null`);
    }
    // Through text: a driver that types parameters itself (postgres.js) would turn "true" into false.
    return sql`${sql.raw(ref)} ${sql.raw(COMPARISONS[f.op])} ${literal(f.value, column)}::text::${sql.raw(cast)}`;
  });
  if (conditions.length) parts.push(sql` where `, sql.join(conditions, sql` and `));

  if (aggregated && dimensions.length) {
    parts.push(sql.raw(` group by ${dimensions.map((d) => d.expression).join(", ")}`));
  }

  const order = (q.order_by ?? []).map((o) => {
    const position = selected.findIndex((s) => s.name === o.column);
    if (aggregated && position < 0) throw invalid(`order_by "${o.column}" must be a dimension or a measure's name`);
    // By the expression, not the output (integers leave as text, which would sort 10 before 9).
    const term = position >= 0 ? selected[position].expression : lookup(o.column, "order_by column").ref;
    return `${term} ${o.dir === "desc" ? "desc" : "asc"}`;
  });
  if (order.length) parts.push(sql.raw(` order by ${order.join(", ")}`));

  parts.push(sql.raw(` limit ${Math.min(q.limit ?? DEFAULT_LIMIT, ROW_CAP)}`));
  return {
    query: sql.join(parts),
    columns: selected.map((s) => ({ name: s.name, type: s.type })),
    decode: (row) => selected.map((s, i) => decode(row[`o${i}`], s.type)),
  };
}
