import { equal } from "node:assert/strict";
import { holdsMoreThan, nestsDeeperThan } from "./json_shape.ts";

const nested = (levels: number, open: string, close: string) => JSON.parse(open.repeat(levels) + close.repeat(levels));

Deno.test("nestsDeeperThan() counts levels of arrays and objects, at any depth without recursion", () => {
  equal(nestsDeeperThan(1, 0), false);
  equal(nestsDeeperThan({ a: [1, { b: 2 }] }, 3), false);
  equal(nestsDeeperThan({ a: [1, { b: 2 }] }, 2), true);
  equal(nestsDeeperThan(nested(100, "[", "]"), 100), false);
  equal(nestsDeeperThan(nested(101, "[", "]"), 100), true);
  // Half a million levels, as a 1 MiB body can hold: checked, not a stack overflow.
  equal(nestsDeeperThan(nested(500_000, "[", "]"), 100), true);
  equal(nestsDeeperThan(JSON.parse('{"a":'.repeat(200_000) + "1" + "}".repeat(200_000)), 100), true);
});

Deno.test("holdsMoreThan() counts a shared object each time it is used, and stops at its limit", () => {
  equal(holdsMoreThan({ a: [1, 2], b: { c: 3 } }, 5), false);
  equal(holdsMoreThan({ a: [1, 2], b: { c: 3 } }, 4), true);
  // 60 levels of one object used twice: 2^61 values once written out, found in a million steps.
  let shared: unknown = 1;
  for (let i = 0; i < 60; i++) shared = { l: shared, r: shared };
  const started = performance.now();
  equal(holdsMoreThan(shared, 1_000_000), true);
  equal(performance.now() - started < 2_000, true);
});
