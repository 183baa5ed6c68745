/**
 * JSON as Postgres can keep it. jsonb refuses the NUL character (\u0000) and lone UTF-16
 * surrogates, which a webhook body or a receiver's answer may carry: they become U+FFFD once,
 * where they enter, so no input can make a write fail. Outputs are size-checked here too.
 */

// deno-lint-ignore no-control-regex -- NUL is exactly what Postgres cannot store
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` with every string (keys too) made storable. */
export function storable(value: unknown): unknown {
  if (typeof value === "string") return value.replace(UNSTORABLE, "\uFFFD");
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storable(k) as string] = storable(v);
    return out;
  }
  return value;
}

/** The size of `value` as JSON, in UTF-16 code units (close enough to bytes for a cap). */
export function jsonSize(value: unknown): number {
  return JSON.stringify(value ?? null).length;
}

/** `value`, or a marker with a prefix of its JSON when it is over `max` characters (what the API shows). */
export function capped(value: unknown, max: number): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined || text.length <= max) return value ?? null;
  return { truncated: true, size: text.length, preview: text.slice(0, max) };
}
