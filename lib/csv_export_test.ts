import { equal } from "node:assert/strict";
import { csvCell, toCsv } from "./csv_export.ts";

Deno.test("csvCell() prefixes what a spreadsheet would run as a formula (OWASP CSV injection)", () => {
  for (const cell of ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"]) equal(csvCell(cell), `'${cell}`);
  equal(csvCell("plain"), "plain");
  equal(csvCell("-12.5", "text"), "'-12.5");
});

Deno.test("csvCell() leaves numbers in numeric columns as numbers, exact digits included", () => {
  equal(csvCell(-12.5, "number"), "-12.5");
  equal(csvCell("-9223372036854775808", "integer"), "-9223372036854775808");
  equal(csvCell("-1.5e3", "decimal"), "-1.5e3");
  equal(csvCell("-1+2", "decimal"), "'-1+2");
  equal(csvCell({ a: 1 }, "json"), '{"a":1}');
  equal(csvCell(null), "");
});

Deno.test("toCsv() quotes per RFC 4180 and ends lines in CRLF", () => {
  const csv = toCsv([{ name: "=name", type: "text" }, { name: "n", type: "integer" }], [['a "b", c', -1], ["x\ny", 2]]);
  equal(csv, `'=name,n\r\n"a ""b"", c",-1\r\n"x\ny",2`);
});
