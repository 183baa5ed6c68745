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

  constructor(width: number) {
    this.#types = new Array(width).fill(undefined);
  }

  observe(row: readonly unknown[]): void {
    for (let i = 0; i < this.#types.length; i++) {
      const value = row[i];
      if (value === null || value === undefined || value === "") continue;
      const current = this.#types[i];
      if (current === "text") continue;
      this.#types[i] = widen(current, typeOfValue(value));
    }
  }

  /** The inferred types; a column with no values is text. */
  types(): ColumnType[] {
    return this.#types.map((t) => t ?? "text");
  }
}
