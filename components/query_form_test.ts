import { deepEqual, equal } from "node:assert/strict";
import {
  listValue,
  measureColumns,
  queryOf,
  queryProblem,
  type QueryRows,
  rowsOf,
  scalarValue,
  sortNames,
} from "./query_form.ts";

const COLUMNS = [
  { name: "region", type: "text" },
  { name: "amount", type: "decimal" },
  { name: "meta", type: "json" },
];

Deno.test("a query the rows can hold comes back exactly, values typed as they were", () => {
  const query = {
    dimensions: ["region"],
    measures: [{ fn: "sum", column: "amount" }, { fn: "count" }],
    filters: [
      { column: "amount", op: "gt", value: 10 },
      { column: "region", op: "in", value: ["East", "West", 7] },
      { column: "region", op: "eq", value: "10" },
      { column: "zip", op: "eq", value: "02134" },
      { column: "flag", op: "neq", value: true },
      { column: "amount", op: "between", value: [1.5, "12345678901234567890"] },
      { column: "region", op: "not_null" },
      { column: "region", op: "eq", value: "" },
    ],
    order_by: [{ column: "sum_amount", dir: "desc" }],
    limit: 50,
  };
  const rows = rowsOf(query)!;
  deepEqual(rows.filters.map((f) => f.value), [
    "10",
    "East, West, 7",
    '"10"',
    "02134",
    "true",
    "1.5, 12345678901234567890",
    "",
    '""',
  ]);
  deepEqual(queryOf(rows), query);
  deepEqual(rowsOf({}), { dimensions: [], measures: [], filters: [], order: [], limit: "" });
  deepEqual(rowsOf(undefined), rowsOf({}));
  // A sort saved without its direction is ascending, as the server reads it.
  deepEqual(rowsOf({ order_by: [{ column: "region" }] })?.order, [{ column: "region", dir: "asc" }]);
});

Deno.test("a query the rows cannot hold exactly is left as JSON (no rows)", () => {
  const cannot = [
    { dimensions: [{ column: "day", bucket: "month" }] },
    { measures: [{ fn: "sum", column: "amount", as: "total" }] },
    { filters: [{ column: "region", op: "eq", value: null }] },
    { filters: [{ column: "region", op: "in", value: ["a, b"] }] },
    { filters: [{ column: "region", op: "is_null", value: "x" }] },
    { limit: "10" },
    { sample: true },
    "not an object",
    [],
  ];
  for (const query of cannot) equal(rowsOf(query), undefined, JSON.stringify(query));
});

Deno.test("typed values: numbers and booleans as JSON writes them, quotes keep text", () => {
  equal(scalarValue("10"), 10);
  equal(scalarValue(" -2.5 "), -2.5);
  equal(scalarValue('"10"'), "10");
  equal(scalarValue("true"), true);
  equal(scalarValue("02134"), "02134");
  equal(scalarValue("1e400"), "1e400");
  equal(scalarValue("9007199254740993"), "9007199254740993");
  equal(scalarValue("Berlin "), "Berlin ");
  deepEqual(listValue("East, , West,"), ["East", "West"]);
});

Deno.test("rows that cannot be a query say what is missing, by part", () => {
  const rows = (change: Partial<QueryRows>): QueryRows => ({ ...rowsOf({})!, ...change });
  deepEqual(queryProblem(rows({ measures: [{ fn: "count", column: "" }, { fn: "sum", column: "" }] })), {
    part: "measures.1",
    message: "Choose the column to sum.",
  });
  const filter = (column: string, op: string, value: string) =>
    queryProblem(rows({ filters: [{ column, op, value }] }));
  equal(filter("", "eq", ""), undefined, "a blank row is left out");
  equal(filter("", "eq", "x")?.message, "Choose the column to filter on.");
  equal(filter("region", "eq", " ")?.message, "Enter the value to compare with.");
  equal(filter("region", "in", ",")?.message, "Enter one or more values, separated by commas.");
  equal(filter("amount", "between", "1")?.message, "Enter two values, from and to, separated by a comma.");
  equal(filter("region", "is_null", ""), undefined);
  for (const limit of ["0", "10001", "2.5", "ten"]) {
    deepEqual(queryProblem(rows({ limit })), {
      part: "limit",
      message: "The limit is a whole number from 1 to 10000.",
    });
  }
  equal(queryProblem(rows({ limit: "10000" })), undefined);
});

Deno.test("measures take the columns the compiler allows; sorts the result's names", () => {
  deepEqual(measureColumns("sum", COLUMNS).map((c) => c.name), ["amount"]);
  deepEqual(measureColumns("max", COLUMNS).map((c) => c.name), ["region", "amount"]);
  deepEqual(measureColumns("count_distinct", COLUMNS).length, 3);
  const rows = rowsOf({ dimensions: ["region"], measures: [{ fn: "sum", column: "amount" }, { fn: "count" }] })!;
  deepEqual(sortNames(rows, COLUMNS), ["region", "sum_amount", "count"]);
  deepEqual(sortNames(rowsOf({})!, COLUMNS), ["region", "amount", "meta"]);
});
