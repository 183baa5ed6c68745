import { deepStrictEqual, equal } from "node:assert/strict";
import { jsonNumber, parseJsonExact, stringifyExact } from "./exact_json.ts";

Deno.test("jsonNumber() is a number only when a double holds the value exactly", () => {
  equal(jsonNumber("42"), 42);
  equal(jsonNumber("9007199254740991"), 9007199254740991);
  equal(jsonNumber("9007199254740993"), "9007199254740993");
  equal(jsonNumber("-9223372036854775808"), "-9223372036854775808");
  equal(jsonNumber("1.50"), 1.5);
  equal(jsonNumber("0.0000000001"), 1e-10);
  equal(jsonNumber("123456789012345.6"), "123456789012345.6");
  equal(jsonNumber("12345678901234567890.1234567890"), "12345678901234567890.1234567890");
  equal(jsonNumber("NaN"), "NaN");
  equal(jsonNumber("Infinity"), "Infinity");
});

Deno.test("parseJsonExact() keeps big literals as their digits; stringifyExact() writes bigints as numbers", () => {
  deepStrictEqual(parseJsonExact('{"a":9007199254740993,"b":[1.25,0.1]}'), { a: "9007199254740993", b: [1.25, 0.1] });
  equal(stringifyExact({ id: 2n ** 64n }), '{"id":18446744073709551616}');
});
