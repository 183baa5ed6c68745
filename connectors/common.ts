/** Config fields and helpers that every connector type shares. */
import { storableText } from "../lib/text.ts";
import { Cron } from "croner";
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";

/** A 5-field cron expression for scheduled syncs, checked by the same library that runs it. */
export const scheduleField = z.string().trim().max(100).refine((expression) => {
  try {
    new Cron(expression, { paused: true });
    return expression.split(/\s+/).length === 5;
  } catch {
    return false;
  }
}, { error: "Not a cron expression: use five fields, such as 0 * * * * for hourly" }).optional();

/** The name a dataset is shown and queried under. */
export const datasetNameField = z.string().trim().min(1).max(100).regex(/^\P{Cc}+$/u, {
  error: "No control characters",
});

/** Reads `a.b.c` out of a JSON value; an empty path is the value itself. */
export function atPath(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Makes column names storable (no NUL, no lone surrogate: lib/text.ts), unique and non-empty,
 * keeping their order. A binary file read as a CSV has NULs in its "header".
 */
export function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, i) => {
    const base = storableText(raw).trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}_${n}`;
    seen.add(name);
    return name;
  });
}

/** PostgreSQL's limit on the columns of a table, where every dataset is stored. */
export const MAX_COLUMNS = 1600;

/** Refuses a dataset wider than a table can be (422), before any SQL is built for it. */
export function checkColumnCount(count: number): void {
  if (count > MAX_COLUMNS) {
    throw new ApiError(
      422,
      "unprocessable",
      `The source has ${count.toLocaleString("en-US")} columns; a dataset holds at most 1,600 columns ` +
        "(PostgreSQL's limit): split it or leave columns out",
    );
  }
}

/**
 * The dataset name of a relation, unambiguous for any schema and name: `orders` for public.orders,
 * `sales.orders` for sales.orders, and each part in double quotes (inner quotes doubled, as SQL
 * does) when it holds a dot or a quote or starts or ends with a space: `public."sales.orders"`.
 * {@link parseQualifiedName} reads it back.
 */
export function qualifiedName(schema: string, name: string): string {
  const part = (s: string) => /^[^."]+$/.test(s) && s.trim() === s ? s : `"${s.replaceAll('"', '""')}"`;
  return schema === "public" && part(name) === name ? name : `${part(schema)}.${part(name)}`;
}

/**
 * Reads `table`, `schema.table` or their quoted forms (see {@link qualifiedName}) into a schema and
 * a name; a bare name is in `public`. Undefined when the text is not one of those forms.
 */
export function parseQualifiedName(text: string): { schema: string; name: string } | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = "";
    if (text[i] === '"') {
      for (i++;; i++) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        }
        part += text[i];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ".") {
        if (text[i] === '"') return undefined;
        part += text[i++];
      }
    }
    if (part === "") return undefined;
    parts.push(part);
    if (i === text.length) break;
    if (text[i] !== ".") return undefined;
    i++;
    if (i === text.length) return undefined;
  }
  if (parts.length === 1) return { schema: "public", name: parts[0] };
  if (parts.length === 2) return { schema: parts[0], name: parts[1] };
  return undefined;
}
