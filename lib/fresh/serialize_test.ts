import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { signal } from "@preact/signals";
import { deserialize, escapeForScript, serialize } from "./serialize.ts";

Deno.test("serialize() round-trips JSON values and what JSON cannot hold", () => {
  const value = {
    text: "hi",
    n: 1.5,
    nested: { list: [1, null, true] },
    missing: undefined,
    date: new Date("2026-11-22T10:00:00.000Z"),
    url: new URL("https://example.com/a?b=c"),
    map: new Map<unknown, unknown>([["k", 1], [2, { deep: new Set([1]) }]]),
    set: new Set(["x", "y"]),
    big: 12345678901234567890n,
    nan: NaN,
    inf: -Infinity,
    negZero: -0,
    $t: "looks like a tag",
  };
  const back = deserialize(serialize(value)) as typeof value;
  assertEquals(back, value);
  ok(Object.is(back.negZero, -0));
  ok("missing" in back);
});

Deno.test("serialize() keeps one signal shared by two props as one signal", () => {
  const shared = signal(3);
  const back = deserialize(serialize({ a: shared, b: shared, c: signal(3) })) as Record<string, typeof shared>;
  equal(back.a.value, 3);
  equal(back.a, back.b);
  ok(back.a !== back.c);
  back.a.value = 4;
  equal(back.b.value, 4);
});

Deno.test("serialize() refuses functions, class instances and cycles with the prop's path", () => {
  throws(() => serialize({ user: { onClick: () => {} } }), /Cannot serialize prop "user.onClick": functions/);
  throws(() => serialize({ list: [1, new (class Thing {})()] }), /"list\[1\]": Thing instances/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throws(() => serialize(cyclic), /"self": it refers back to itself/);
});

Deno.test("escapeForScript() leaves nothing that can close a script element", () => {
  const json = escapeForScript(serialize({ evil: "</script><script>alert(1)</script><!--" }));
  ok(!json.includes("<"));
  equal((deserialize(json) as { evil: string }).evil, "</script><script>alert(1)</script><!--");
});
