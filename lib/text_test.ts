import { deepStrictEqual, equal, strictEqual } from "node:assert/strict";
import { makeStorableInPlace, storableJson, storableText } from "./text.ts";

Deno.test("storableText() drops NUL and replaces lone surrogates, keeping pairs", () => {
  equal(storableText("a\u0000b"), "ab");
  equal(storableText("x\uD800y\uDC00z"), "x\uFFFDy\uFFFDz");
  equal(storableText("emoji 😀 stays"), "emoji 😀 stays");
  const clean = "plain text";
  strictEqual(storableText(clean), clean);
});

Deno.test("storableJson() cleans keys and values at any depth and copies only what changed", () => {
  const untouched = { a: [1, "x", { b: true }] };
  strictEqual(storableJson(untouched), untouched);
  const dirty = { "k\u0000": ["v\uD800", { deep: "n\u0000ul" }], same: { kept: 1 } };
  const cleaned = storableJson(dirty);
  deepStrictEqual(cleaned, { k: ["v\uFFFD", { deep: "nul" }], same: { kept: 1 } });
  strictEqual(cleaned.same, dirty.same);
  equal(dirty["k\u0000"][0], "v\uD800", "the input is not changed");
});

Deno.test("makeStorableInPlace() cleans the object it is given", () => {
  const body = { name: "a\u0000", list: ["\uDC00"], nested: { "x\u0000": 1 } };
  makeStorableInPlace(body);
  deepStrictEqual(body, { name: "a", list: ["\uFFFD"], nested: { x: 1 } });
});
