/**
 * Text that PostgreSQL can store. `text` and `jsonb` refuse U+0000 (a NUL byte ends a C string
 * inside the server; jsonb also refuses the escape `\u0000`), and UTF-8 cannot encode a lone
 * UTF-16 surrogate, so drivers send garbage or fail. Both can arrive from anywhere JavaScript
 * strings come from: a model's answer, a tool's result, a user's message, a CSV cell, a JSON API.
 * Cleaned once, where the text enters: NUL is dropped, a lone surrogate becomes U+FFFD (the
 * Unicode replacement character, as WHATWG's UTF-8 encoder does with `toWellFormed`).
 */

/** `text` without NUL and with lone surrogates replaced by U+FFFD; the same string when already storable. */
export function storableText(text: string): string {
  // The common case costs two native scans and no allocation.
  if (text.indexOf("\0") < 0 && text.isWellFormed()) return text;
  return text.replaceAll("\0", "").toWellFormed();
}

/**
 * A JSON-like value with every string in it (object keys too) made storable, for jsonb columns.
 * Returns the same value when nothing needed cleaning, so callers pay no copy in the common case.
 * Class instances other than plain objects and arrays (Date, URL, bigint) are left as they are.
 */
export function storableJson<T>(value: T): T {
  return clean(value, 0) as T;
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === "string") return storableText(value);
  if (value === null || typeof value !== "object" || depth > 200) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const cleaned = clean(value[i], depth + 1);
      if (cleaned !== value[i]) (copy ??= value.slice())[i] = cleaned;
    }
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const cleanKey = storableText(key);
    const cleaned = clean(item, depth + 1);
    if (cleanKey !== key || cleaned !== item) {
      copy ??= Object.fromEntries(entries);
      if (cleanKey !== key) delete copy[key];
      copy[cleanKey] = cleaned;
    }
  }
  return copy ?? value;
}

/**
 * Cleans every string inside a parsed JSON value in place (see storableJson) and returns it. For
 * request bodies that a framework has already handed on by reference (the API's validated JSON),
 * where a copy would not reach the handler.
 */
export function makeStorableInPlace<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      value[i] = typeof value[i] === "string" ? storableText(value[i]) : makeStorableInPlace(value[i]);
    }
    return value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const cleaned = typeof item === "string" ? storableText(item) : makeStorableInPlace(item);
    const cleanKey = storableText(key);
    if (cleanKey !== key) delete record[key];
    record[cleanKey] = cleaned;
  }
  return value;
}

/**
 * `text` cut to `max` characters with "…" when longer, for a name quoted in a sentence (a CSV
 * header may be one 64 KB line). Never splits a surrogate pair.
 */
export function clip(text: string, max = 60): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return text.slice(0, cut) + "…";
}
