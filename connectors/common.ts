/** Config fields and helpers that every connector type shares. */
import { Cron } from "croner";
import { z } from "zod";

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

/** Makes column names unique and non-empty, keeping their order. */
export function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, i) => {
    const base = raw.trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}_${n}`;
    seen.add(name);
    return name;
  });
}
