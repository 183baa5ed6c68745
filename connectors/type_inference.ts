/**
 * Infers a column's type from every value a sync writes (not a sample), so a text cell in row
 * 900,000 cannot break a column typed from the first thousand. Strings (CSV) are recognised by
 * shape; JSON numbers and booleans by their own type.
 */
import type { ColumnType } from "./types.ts";

const INTEGER = /^[-+]?\d{1,18}$/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The narrowest type of one non-null value. */
export function typeOfValue(value: unknown): ColumnType {
  switch (typeof value) {
    case "number":
      return Number.isSafeInteger(value) ? "integer" : Number.isFinite(value) ? "number" : "text";
    case "bigint":
      return "integer";
    case "boolean":
      return "boolean";
    case "string":
      if (INTEGER.test(value)) return "integer";
      if (NUMBER.test(value)) return "number";
      if (BOOLEAN.test(value)) return "boolean";
      if (DATE.test(value) && !Number.isNaN(Date.parse(value))) return "date";
      if (TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T")))) return "timestamp";
      return "text";
    default:
      return value instanceof Date ? "timestamp" : "text";
  }
}

/** A quick check that `value` keeps `type` as it is (the common case, row after row). */
function fits(value: unknown, type: ColumnType): boolean {
  if (typeof value !== "string") return typeOfValue(value) === type;
  switch (type) {
    case "integer":
      return INTEGER.test(value);
    case "number":
      return NUMBER.test(value);
    case "boolean":
      return BOOLEAN.test(value);
    default:
      return typeOfValue(value) === type;
  }
}

/** The type that holds values of both types. */
export function widen(a: ColumnType | undefined, b: ColumnType): ColumnType {
  if (a === undefined || a === b) return b;
  if ((a === "integer" && b === "number") || (a === "number" && b === "integer")) return "number";
  if ((a === "date" && b === "timestamp") || (a === "timestamp" && b === "date")) return "timestamp";
  return "text";
}

/** Tracks the type of each column across batches. Nulls and empty strings say nothing. */
export class TypeInference {
  readonly #types: (ColumnType | undefined)[];
  readonly #open: number[];

  /** `known` columns keep their type and are not looked at. */
  constructor(width: number, known: (ColumnType | undefined)[] = []) {
    this.#types = Array.from({ length: width }, (_, i) => known[i]);
    this.#open = this.#types.flatMap((t, i) => t ? [] : [i]);
  }

  observe(row: readonly unknown[]): void {
    for (const i of this.#open) {
      const value = row[i];
      if (value === null || value === undefined || value === "") continue;
      const current = this.#types[i];
      if (current === "text" || (current && fits(value, current))) continue;
      this.#types[i] = widen(current, typeOfValue(value));
    }
  }

  /** The inferred types; a column with no values yet is `empty` (text unless told otherwise). */
  types<E extends ColumnType | undefined = "text">(empty: E = "text" as E): (ColumnType | E)[] {
    return this.#types.map((t) => t ?? empty);
  }
}
