import { deepStrictEqual, equal } from "node:assert/strict";
import { TypeInference, typeOfValue } from "./type_inference.ts";

Deno.test("values are typed by shape", () => {
  const cases: [unknown, string][] = [
    ["42", "integer"],
    ["-7", "integer"],
    ["3.14", "number"],
    ["1e5", "number"],
    ["TRUE", "boolean"],
    ["2012-01-31", "date"],
    ["2012-02-30x", "text"],
    ["2012-01-31T10:00:00Z", "timestamp"],
    ["2012-01-31 10:00", "timestamp"],
    ["12345678901234567890", "number"],
    ["hello", "text"],
    [12, "integer"],
    [1.5, "number"],
    [false, "boolean"],
    [{ a: 1 }, "text"],
  ];
  for (const [value, type] of cases) equal(typeOfValue(value), type, String(value));
});

Deno.test("a column widens across every row and ignores empties", () => {
  const inference = new TypeInference(5);
  inference.observe(["1", "2020-01-01", "true", "", "x"]);
  inference.observe(["2.5", "2020-01-01T00:00:00Z", "false", null, "1"]);
  inference.observe(["3", "2020-01-02", "maybe", "", "2"]);
  deepStrictEqual(inference.types(), ["number", "timestamp", "text", "text", "text"]);
});
