import { deepStrictEqual, equal } from "node:assert/strict";
import { TypeInference, typeOfValue } from "./type_inference.ts";

Deno.test("typeOfValue() types a value only when the type gives it back exactly", () => {
  const cases: [unknown, string][] = [
    ["42", "integer"],
    ["-7", "integer"],
    ["0", "integer"],
    ["9223372036854775807", "integer"],
    ["-9223372036854775808", "integer"],
    ["9223372036854775808", "decimal"],
    ["12345678901234567890", "decimal"],
    ["3.14", "number"],
    ["1.50", "number"],
    ["0.1", "number"],
    ["1e5", "number"],
    ["123456789012345.6", "decimal"],
    ["12345678901234567890.1234567890", "decimal"],
    // Not the same value back, or not storable: kept as written.
    ["02138", "text"],
    ["0010", "text"],
    ["+5", "text"],
    [".5", "text"],
    ["5.", "text"],
    ["1e400", "text"],
    ["1e-400", "text"],
    ["NaN", "text"],
    ["TRUE", "boolean"],
    ["2012-01-31", "date"],
    ["2024-02-29", "date"],
    ["2023-02-29", "text"],
    ["2024-02-30", "text"],
    ["1900-02-29", "text"],
    ["2000-02-29", "date"],
    ["0000-01-01", "text"],
    ["2024-13-01", "text"],
    ["2012-02-30x", "text"],
    ["2012-01-31T10:00:00Z", "timestamp"],
    ["2012-01-31 10:00", "timestamp"],
    ["2012-01-31T10:00:00.123456+05:30", "timestamp"],
    ["2012-01-31T10:00:00.1234567Z", "text"],
    ["2012-01-31T24:00:00Z", "text"],
    ["2012-01-31T23:59:60Z", "text"],
    ["2012-02-30T10:00:00Z", "text"],
    ["2012-01-31T10:00:00+16:00", "text"],
    ["hello", "text"],
    [12, "integer"],
    [1.5, "number"],
    [2n ** 63n - 1n, "integer"],
    [2n ** 63n, "decimal"],
    [false, "boolean"],
    [{ a: 1 }, "json"],
    [[1, 2], "json"],
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

Deno.test("integers a double would round never widen to number: they make the column decimal", () => {
  for (const order of [["9007199254740993", "1.5"], ["1.5", "9007199254740993"]]) {
    const inference = new TypeInference(1);
    for (const value of order) inference.observe([value]);
    deepStrictEqual(inference.types(), ["decimal"], order.join(" then "));
  }
  const safe = new TypeInference(1);
  for (const value of ["9007199254740991", "1.5"]) safe.observe([value]);
  deepStrictEqual(safe.types(), ["number"]);
});

Deno.test("one impossible date or leading zero anywhere turns the column to text", () => {
  const inference = new TypeInference(2);
  inference.observe(["2024-02-28", "123"]);
  inference.observe(["2024-02-30", "0123"]);
  inference.observe(["2024-03-01", "124"]);
  deepStrictEqual(inference.types(), ["text", "text"]);
});
