/**
 * JSON parsed without rounding numbers: JSON.parse with a reviver that reads each number's source
 * text (the TC39 "JSON.parse source text access" proposal, in V8 since 11.4, so in Deno 2). A
 * number a double holds exactly stays a number; any other (an integer past 2^53, a decimal of more
 * than 15 significant digits, 1e400) becomes `JSON.rawJSON` of its digits, which JSON.stringify
 * writes back unchanged and `exactValue` turns into the string of those digits.
 */

/** The parts of the proposal TypeScript's lib does not describe yet. */
interface RawJson {
  rawJSON: string;
}
const json = JSON as unknown as {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
  parse(text: string, reviver: (key: string, value: unknown, context?: { source?: string }) => unknown): unknown;
};

/** At most this many significant digits always survive a round trip through a double (IEEE 754). */
const SAFE_DIGITS = 15;

function significantDigits(source: string): number {
  const mantissa = source.replace(/^-/, "").replace(/[eE].*$/, "").replace(".", "");
  return mantissa.replace(/^0+/, "").replace(/0+$/, "").length;
}

function keepDigits(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || context?.source === undefined) return value;
  const source = context.source;
  if (/^-?\d+$/.test(source)) return Number.isSafeInteger(value) ? value : json.rawJSON(source);
  if (Number.isFinite(value) && significantDigits(source) <= SAFE_DIGITS) return value;
  return json.rawJSON(source);
}

/** Parses JSON text, keeping every number's digits (see the module). Throws SyntaxError as JSON.parse. */
export function parseExact(text: string): unknown {
  return json.parse(text, keepDigits);
}

/** A parsed value as a store takes it: a number kept as digits becomes the string of those digits. */
export function exactValue(value: unknown): unknown {
  return json.isRawJSON(value) ? value.rawJSON : value;
}
