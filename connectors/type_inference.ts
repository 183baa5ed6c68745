/**
 * Infers a column's type from every value a sync writes (not a sample), so a text cell in row
 * 900,000 cannot break a column typed from the first thousand. Strings (CSV) are recognised by
 * shape; JSON numbers, bigints, booleans and objects by their own type.
 *
 * The rule: a type is inferred only when every value comes back from it as the same value. So
 * - numbers are written as JSON numbers (RFC 8259 §6): `02138`, `0010`, `+5`, `.5` stay text
 *   (a leading zero or plus sign is part of an identifier or a phone number, not of a quantity);
 * - an integer is `integer` (bigint) when it fits 64 bits, else `decimal` (numeric, exact);
 * - a fraction is `number` (double) when it has at most 15 significant digits (DBL_DIG: every
 *   such decimal survives a double), else `decimal`; `1.50` is the number 1.5 (same value);
 * - integers beyond ±(2^53−1) mixed with fractions make `decimal`, never a double that rounds them;
 * - exponent notation must fit a double (`1e400`, `1e-400` stay text);
 * - dates and timestamps are checked against the calendar as PostgreSQL checks them
 *   (`2024-02-30`, year 0, `24:00`, a 61st second, more than microseconds stay text), so a value the
 *   database would refuse turns the column to text before any row of it is written.
 */
import type { ColumnType } from "./types.ts";

/** RFC 8259's number grammar. */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/;
/** Integers of at most 15 digits: always within ±(2^53−1), the common case checked first. */
const SMALL_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;
const BOOLEAN = /^(?:true|false)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?$/;

const INT8_MAX = 2n ** 63n - 1n;
const INT8_MIN = -(2n ** 63n);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Significant digits every double keeps (DBL_DIG). */
const DOUBLE_DIGITS = 15;
const MIN_NORMAL = 2.2250738585072014e-308;
/** Longer numerals stay text: numeric could store them, but nobody means a 1000-digit quantity. */
const MAX_DECIMAL_LENGTH = 1000;

/** A value's kind: a column type, or `wide` for an integer within 64 bits that a double would round. */
type Kind = ColumnType | "wide";

/** The kind of a numeral written as a JSON number, or undefined when it is not one we can keep. */
function numeralKind(text: string): Kind | undefined {
  if (SMALL_INTEGER.test(text)) return "integer";
  const match = JSON_NUMBER.exec(text);
  if (!match || text.length > MAX_DECIMAL_LENGTH) return undefined;
  const [, whole, fraction, exponent] = match;
  if (fraction === undefined && exponent === undefined) {
    const n = BigInt(text);
    if (n > INT8_MAX || n < INT8_MIN) return "decimal";
    return n > SAFE || n < -SAFE ? "wide" : "integer";
  }
  const significant = (whole + (fraction ?? "")).replace(/^0+/, "").replace(/0+$/, "").length;
  const n = Number(text);
  const inRange = Number.isFinite(n) && (significant === 0 || Math.abs(n) >= MIN_NORMAL);
  if (exponent !== undefined) {
    if (!inRange) return undefined;
    return significant <= DOUBLE_DIGITS ? "number" : "decimal";
  }
  return significant <= DOUBLE_DIGITS && inRange ? "number" : "decimal";
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A real day of the proleptic Gregorian calendar, year 1 to 9999 (what PostgreSQL's ISO input takes). */
function validDay(year: string, month: string, day: string): boolean {
  const y = Number(year), m = Number(month), d = Number(day);
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function dateKind(text: string): Kind | undefined {
  const date = DATE.exec(text);
  if (date) return validDay(date[1], date[2], date[3]) ? "date" : undefined;
  const ts = TIMESTAMP.exec(text);
  if (!ts) return undefined;
  const [, year, month, day, hour, minute, second = "0", offsetHour = "0", offsetMinute = "0"] = ts;
  // PostgreSQL reads 24:00 and second 60 as the next day or minute: the same instant, another spelling.
  const clock = Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
  const offset = Number(offsetHour) <= 15 && Number(offsetMinute) <= 59;
  return validDay(year, month, day) && clock && offset ? "timestamp" : undefined;
}

function kindOf(value: unknown): Kind {
  switch (typeof value) {
    case "number":
      return Number.isSafeInteger(value) ? "integer" : Number.isFinite(value) ? "number" : "text";
    case "bigint":
      if (value > INT8_MAX || value < INT8_MIN) return "decimal";
      return value > SAFE || value < -SAFE ? "wide" : "integer";
    case "boolean":
      return "boolean";
    case "string":
      return numeralKind(value) ?? (BOOLEAN.test(value) ? "boolean" : dateKind(value) ?? "text");
    case "object":
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "text" : "timestamp";
      return value === null ? "text" : "json";
    default:
      return "text";
  }
}

/** The narrowest type that stores one non-null value exactly. */
export function typeOfValue(value: unknown): ColumnType {
  const kind = kindOf(value);
  return kind === "wide" ? "integer" : kind;
}

/** A quick check that `value` keeps `type` as it is (the common case, row after row). */
function fits(value: unknown, type: ColumnType): boolean {
  if (typeof value === "string") {
    if (type === "integer") return numeralKind(value) === "integer";
    if (type === "number" || type === "decimal") {
      const kind = numeralKind(value);
      return kind === "integer" || kind === "number" || (type === "decimal" && kind !== undefined);
    }
    if (type === "boolean") return BOOLEAN.test(value);
  }
  const kind = kindOf(value);
  if (type === "decimal") return kind === "integer" || kind === "number" || kind === "wide" || kind === "decimal";
  if (type === "number") return kind === "integer" || kind === "number";
  return kind === type;
}

/**
 * The narrowest type that holds values of both types exactly. `wide` says the column holds an
 * integer a double would round, so integer with number makes decimal rather than number.
 */
export function widen(a: ColumnType | undefined, b: ColumnType, wide = false): ColumnType {
  if (a === undefined || a === b) return b;
  const numeric = ["integer", "number", "decimal"];
  if (numeric.includes(a) && numeric.includes(b)) {
    if (a === "decimal" || b === "decimal") return "decimal";
    return wide ? "decimal" : "number";
  }
  if ((a === "date" && b === "timestamp") || (a === "timestamp" && b === "date")) return "timestamp";
  return "text";
}

/** Tracks the type of each column across batches. Nulls and empty strings say nothing. */
export class TypeInference {
  readonly #types: (ColumnType | undefined)[];
  /** Per column: an integer beyond ±(2^53−1) was seen. */
  readonly #wide: boolean[];
  readonly #open: number[];

  /** `known` columns keep their type and are not looked at. */
  constructor(width: number, known: (ColumnType | undefined)[] = []) {
    this.#types = Array.from({ length: width }, (_, i) => known[i]);
    this.#wide = new Array<boolean>(width).fill(false);
    this.#open = this.#types.flatMap((t, i) => t ? [] : [i]);
  }

  observe(row: readonly unknown[]): void {
    for (const i of this.#open) {
      const value = row[i];
      if (value === null || value === undefined || value === "") continue;
      const current = this.#types[i];
      if (current === "text" || (current && fits(value, current))) continue;
      const kind = kindOf(value);
      if (kind === "wide") this.#wide[i] = true;
      this.#types[i] = widen(current, kind === "wide" ? "integer" : kind, this.#wide[i]);
    }
  }

  /** The inferred types; a column with no values yet is `empty` (text unless told otherwise). */
  types<E extends ColumnType | undefined = "text">(empty: E = "text" as E): (ColumnType | E)[] {
    return this.#types.map((t) => t ?? empty);
  }
}
