import { equal } from "node:assert/strict";
import { nestsDeeperThan } from "./json_depth.ts";

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
