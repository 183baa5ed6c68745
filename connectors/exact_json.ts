/**
 * Numbers in JSON without rounding ("Numbers are exact", ../shared/API.md). A JSON number becomes
 * a JavaScript double, which holds every integer up to ±(2^53−1) and every decimal of up to 15
 * significant digits (DBL_DIG); anything beyond travels as a string of its exact digits. Parsing
 * reads each number's source text (the reviver's `context.source`, TC39 JSON.parse source text
 * access, in V8 since 11.4), so a big literal is kept as written instead of being rounded.
 */

/** Significant digits every double keeps. */
const DOUBLE_DIGITS = 15;
const NUMERAL = /^-?(\d+)(?:\.(\d+))?([eE][-+]?\d+)?$/;

/** JSON.rawJSON and JSON.isRawJSON (TC39 JSON.parse source text access): not in TypeScript's lib yet. */
const { rawJSON, isRawJSON } = JSON as unknown as {
  rawJSON(text: string): { rawJSON: string };
  isRawJSON(value: unknown): value is { rawJSON: string };
};

/**
 * A numeral from the database (`12345678901234567890.1234567890`, `-9223372036854775808`, `1.50`)
 * as JSON should carry it: a number when a double holds its value exactly, else the string itself.
 * Non-numerals (`NaN`, `Infinity`, which numeric and double precision allow) stay strings too.
 */
export function jsonNumber(numeral: string): number | string {
  const match = NUMERAL.exec(numeral);
  if (!match) return numeral;
  const n = Number(numeral);
  if (!Number.isFinite(n)) return numeral;
  if (Number.isSafeInteger(n)) return n;
  const [, whole, fraction = "", exponent] = match;
  // An integer beyond ±(2^53−1) travels as a string whatever its digits (the contract's rule).
  if (fraction === "" && exponent === undefined) return numeral;
  const significant = (whole + fraction).replace(/^0+/, "").replace(/0+$/, "").length;
  return significant <= DOUBLE_DIGITS && (n === 0 || Math.abs(n) >= 2.2250738585072014e-308) ? n : numeral;
}

/** A JSON number's value if a double holds it exactly, else its source text (see jsonNumber). */
function reviveExact(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || context?.source === undefined) return value;
  return jsonNumber(context.source);
}

/** JSON.parse that keeps numbers a double would round as strings of their exact digits. */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, reviveExact as (key: string, value: unknown) => unknown);
}

/** A JSON number's value if a double holds it exactly, else `JSON.rawJSON` of its source text. */
function reviveRaw(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || context?.source === undefined) return value;
  return typeof jsonNumber(context.source) === "number" ? value : rawJSON(context.source);
}

/**
 * JSON.parse for values that are stored again as JSON (http_json records): a number a double would
 * round becomes `JSON.rawJSON` of its digits, which JSON.stringify writes back unchanged, so a
 * nested big integer stays a JSON number in a json column. `rawDigits` turns one into its string.
 */
export function parseJsonRaw(text: string): unknown {
  return JSON.parse(text, reviveRaw as (key: string, value: unknown) => unknown);
}

/** A value from `parseJsonRaw` as a cell takes it: a raw number becomes the string of its digits. */
export function rawDigits(value: unknown): unknown {
  return isRawJSON(value) ? value.rawJSON : value;
}

function bigintAsDigits(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? rawJSON(value.toString()) : value;
}

/** JSON.stringify that writes bigints as JSON numbers with all their digits (it throws on them otherwise). */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, bigintAsDigits);
}
