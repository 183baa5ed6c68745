/**
 * Island props travel from the server to the browser as JSON with tagged values, so that what
 * JSON cannot say (Date, Map, Set, URL, undefined, bigint, NaN, signals) arrives as it left.
 * Functions and class instances are refused with an error naming the prop. Runs on both sides.
 */
import { type Signal, signal } from "@preact/signals";

type Tagged =
  | { $t: "u" }
  | { $t: "n"; v: "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $t: "bigint"; v: string }
  | { $t: "Date"; v: string | null }
  | { $t: "URL"; v: string }
  | { $t: "Map"; v: [unknown, unknown][] }
  | { $t: "Set"; v: unknown[] }
  | { $t: "Signal"; id: number; v: unknown }
  | { $t: "SignalRef"; id: number }
  | { $t: "Object"; v: Record<string, unknown> };

/** Thrown when a prop cannot be sent to the browser; `path` names it, like `user.onClick`. */
export class SerializeError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`Cannot serialize prop "${path}": ${detail}`);
    this.name = "SerializeError";
  }
}

function isSignal(value: object): value is Signal<unknown> {
  // Duck-typed: the server and a bundle may hold different copies of the Signal class.
  return "peek" in value && "subscribe" in value && "brand" in value &&
    (value as { brand: unknown }).brand === Symbol.for("preact-signals");
}

/** Encodes `value` to a JSON string; signals shared between props stay shared after decoding. */
export function serialize(value: unknown): string {
  const signals = new Map<Signal<unknown>, number>();
  const seen = new Set<object>();

  function encode(v: unknown, path: string): unknown {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "undefined":
        return { $t: "u" };
      case "number":
        if (Number.isNaN(v)) return { $t: "n", v: "NaN" };
        if (v === Infinity) return { $t: "n", v: "Infinity" };
        if (v === -Infinity) return { $t: "n", v: "-Infinity" };
        if (Object.is(v, -0)) return { $t: "n", v: "-0" };
        return v;
      case "bigint":
        return { $t: "bigint", v: v.toString() };
      case "function":
        throw new SerializeError(path, "functions cannot be sent to the browser");
      case "symbol":
        throw new SerializeError(path, "symbols cannot be sent to the browser");
    }
    if (v === null) return null;
    const obj = v as object;
    if (obj instanceof Date) return { $t: "Date", v: Number.isNaN(obj.getTime()) ? null : obj.toISOString() };
    if (obj instanceof URL) return { $t: "URL", v: obj.href };
    if (isSignal(obj)) {
      const known = signals.get(obj);
      if (known !== undefined) return { $t: "SignalRef", id: known };
      const id = signals.size;
      signals.set(obj, id);
      return { $t: "Signal", id, v: encode(obj.peek(), `${path}.value`) };
    }
    if (seen.has(obj)) throw new SerializeError(path, "it refers back to itself (a cycle)");
    seen.add(obj);
    try {
      if (obj instanceof Map) {
        return {
          $t: "Map",
          v: [...obj].map(([k, val], i) => [encode(k, `${path}[${i}].key`), encode(val, `${path}[${i}]`)]),
        };
      }
      if (obj instanceof Set) return { $t: "Set", v: [...obj].map((val, i) => encode(val, `${path}[${i}]`)) };
      if (Array.isArray(obj)) return Array.from(obj, (val, i) => encode(val, `${path}[${i}]`));
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? "object";
        const what = "type" in obj && "props" in obj ? "JSX elements" : `${name} instances`;
        throw new SerializeError(path, `${what} cannot be sent to the browser; pass plain data`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, val] of Object.entries(obj)) out[key] = encode(val, path ? `${path}.${key}` : key);
      return "$t" in out ? { $t: "Object", v: out } : out;
    } finally {
      seen.delete(obj);
    }
  }

  return JSON.stringify(encode(value, ""));
}

/** Decodes what `serialize` made; signals become live signals. */
export function deserialize(json: string): unknown {
  const signals = new Map<number, Signal<unknown>>();
  function decode(v: unknown): unknown {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(decode);
    const obj = v as Record<string, unknown>;
    if (typeof obj.$t !== "string") return Object.fromEntries(Object.entries(obj).map(([k, val]) => [k, decode(val)]));
    const t = obj as Tagged;
    switch (t.$t) {
      case "u":
        return undefined;
      case "n":
        return t.v === "-0" ? -0 : Number(t.v);
      case "bigint":
        return BigInt(t.v);
      case "Date":
        return new Date(t.v ?? NaN);
      case "URL":
        return new URL(t.v);
      case "Map":
        return new Map(t.v.map(([k, val]) => [decode(k), decode(val)]));
      case "Set":
        return new Set(t.v.map(decode));
      case "Signal": {
        const s = signal(decode(t.v));
        signals.set(t.id, s);
        return s;
      }
      case "SignalRef":
        return signals.get(t.id);
      case "Object":
        return Object.fromEntries(Object.entries(t.v).map(([k, val]) => [k, decode(val)]));
    }
  }
  return decode(JSON.parse(json));
}

/** Makes JSON safe inside `<script type="application/json">`: no `</script>`, no `<!--`. */
export function escapeForScript(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
