/**
 * How deep and how big a JSON-like value is, found without recursion and without serializing it.
 * JSON.parse takes any depth, but the code that walks a value afterwards (cleaning its strings,
 * validating, writing it as jsonb) recurses, and a 1 MiB body can nest half a million levels:
 * enough to overflow the stack and turn bad input into a 500. And a value an expression builds can
 * share one object many times over, so it is tiny in memory but exponential once written out.
 * Values are checked once, where they enter.
 */

/** The deepest nesting the app takes in JSON it is sent: far beyond any real payload. */
export const MAX_JSON_DEPTH = 100;

/** True when arrays and objects in `value` nest more than `limit` levels (a scalar is level 0). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * True when writing `value` out (as JSON.stringify would, a shared object once per place it is
 * used) visits more than `limit` array items and object values. Stops as soon as it knows, so the
 * check costs at most `limit` steps.
 */
export function holdsMoreThan(value: unknown, limit: number): boolean {
  const stack: unknown[] = [value];
  let seen = 0;
  while (stack.length) {
    const item = stack.pop();
    if (item === null || typeof item !== "object") continue;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (++seen > limit) return true;
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return false;
}
