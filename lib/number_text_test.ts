import { equal } from "node:assert/strict";
import { plainNumber } from "./number_text.ts";

Deno.test("plainNumber() writes small and huge numbers without an exponent, and the same digits", () => {
  const cases: [number, string][] = [
    [1e-10, "0.0000000001"],
    [-1.5e-7, "-0.00000015"],
    [1e21, "1000000000000000000000"],
    [0.1 + 0.2, "0.30000000000000004"],
    [12.5, "12.5"],
    [-0, "0"],
    [2 ** 53 + 2, "9007199254740994"],
  ];
  for (const [value, text] of cases) {
    equal(plainNumber(value), text);
    equal(Number(plainNumber(value)), value, "reads back as the same number");
  }
  // Beyond 100 fraction digits the plain form would round: the exact exponent form stays.
  equal(plainNumber(5e-324), "5e-324");
});
