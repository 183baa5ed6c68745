/**
 * The structured query's contract (../shared/API.md, POST /api/query): time buckets in UTC,
 * count_distinct, is_null / not_null / between. Expected figures are computed here from the rows
 * the test generates, independently of the app.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { postQuery, queryOk, uploadCsv } from "./support/datasets.ts";

interface Event {
  at: string;
  day: string;
  user: string;
  amount: number | null;
}

/** 60 events over five months; timestamps carry offsets, so a UTC month can differ from the local one. */
function events(): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < 60; i++) {
    const month = 1 + (i % 5);
    const dayOfMonth = 1 + ((i * 7) % 28);
    // Late on the last day in a zone west of UTC: the instant is already the next month in UTC.
    const at = i % 6 === 0
      ? `2024-${String(month).padStart(2, "0")}-28T23:30:00-05:00`
      : `2024-${String(month).padStart(2, "0")}-${String(dayOfMonth).padStart(2, "0")}T${
        String(i % 24).padStart(2, "0")
      }:15:00+02:00`;
    out.push({
      at,
      day: `2024-${String(month).padStart(2, "0")}-${String(dayOfMonth).padStart(2, "0")}`,
      user: `u${i % 7}`,
      amount: i % 4 === 0 ? null : i * 3,
    });
  }
  return out;
}

function toCsv(rows: Event[]): string {
  return "at,day,user,amount\n" + rows.map((r) => `${r.at},${r.day},${r.user},${r.amount ?? ""}`).join("\n") + "\n";
}

const iso = (value: unknown) => new Date(String(value)).toISOString();

/** The Monday of `day`'s ISO week, as PostgreSQL's date_trunc('week') gives it. */
function monday(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

testEachBackend("a timestamp bucketed by month groups UTC instants, with count_distinct", async (t) => {
  const { cookie } = await t.signUp();
  const rows = events();
  const { connectorId, sync } = await uploadCsv(t, cookie, "events", toCsv(rows));
  equal(sync.status, "succeeded", sync.error ?? "");

  const result = await queryOk(t, cookie, connectorId, "events", {
    dimensions: [{ column: "at", bucket: "month" }],
    measures: [{ fn: "count" }, { fn: "count_distinct", column: "user", as: "users" }],
    order_by: [{ column: "at", dir: "asc" }],
  });
  deepStrictEqual(result.columns, [
    { name: "at", type: "timestamp" },
    { name: "count", type: "integer" },
    { name: "users", type: "integer" },
  ]);
  const groups = countBy(rows, (r) => new Date(r.at).toISOString().slice(0, 7) + "-01T00:00:00.000Z");
  const expected = [...groups.keys()].sort().map((
    k,
  ) => [k, groups.get(k)!.length, new Set(groups.get(k)!.map((r) => r.user)).size]);
  deepStrictEqual(result.rows.map(([at, count, users]) => [iso(at), count, users]), expected);
});

testEachBackend("a date bucketed by week starts on Monday and stays a date; `as` renames it", async (t) => {
  const { cookie } = await t.signUp();
  const rows = events();
  const { connectorId } = await uploadCsv(t, cookie, "events", toCsv(rows));
  const result = await queryOk(t, cookie, connectorId, "events", {
    dimensions: [{ column: "day", bucket: "week", as: "week" }],
    measures: [{ fn: "count" }],
    order_by: [{ column: "week", dir: "asc" }],
  });
  deepStrictEqual(result.columns, [{ name: "week", type: "date" }, { name: "count", type: "integer" }]);
  const groups = countBy(rows, (r) => monday(r.day));
  deepStrictEqual(result.rows, [...groups.keys()].sort().map((k) => [k, groups.get(k)!.length]));

  for (const bucket of ["quarter", "year"]) {
    const coarse = await queryOk(t, cookie, connectorId, "events", {
      dimensions: [{ column: "day", bucket }],
      measures: [{ fn: "count" }],
    });
    deepStrictEqual(
      coarse.rows,
      [["2024-01-01", bucket === "year" ? rows.length : rows.filter((r) => r.day < "2024-04-01").length]].concat(
        bucket === "quarter" ? [["2024-04-01", rows.filter((r) => r.day >= "2024-04-01").length]] : [],
      ).sort(),
    );
  }
});

testEachBackend("is_null, not_null and between filter as SQL does", async (t) => {
  const { cookie } = await t.signUp();
  const rows = events();
  const { connectorId } = await uploadCsv(t, cookie, "events", toCsv(rows));
  const count = async (filters: unknown[]) =>
    (await queryOk(t, cookie, connectorId, "events", { measures: [{ fn: "count" }], filters })).rows[0][0];

  equal(await count([{ column: "amount", op: "is_null" }]), rows.filter((r) => r.amount === null).length);
  equal(await count([{ column: "amount", op: "not_null" }]), rows.filter((r) => r.amount !== null).length);
  equal(
    await count([{ column: "amount", op: "between", value: [30, "90"] }]),
    rows.filter((r) => r.amount !== null && r.amount >= 30 && r.amount <= 90).length,
  );
  equal(
    await count([{ column: "day", op: "between", value: ["2024-02-01", "2024-03-31"] }, {
      column: "amount",
      op: "not_null",
    }]),
    rows.filter((r) => r.day >= "2024-02-01" && r.day <= "2024-03-31" && r.amount !== null).length,
  );
});

testEachBackend("a malformed bucket, between or null test is a 400 naming the problem", async (t) => {
  const { cookie } = await t.signUp();
  const { connectorId } = await uploadCsv(t, cookie, "events", toCsv(events()));
  const refusals: [unknown, RegExp][] = [
    [{ dimensions: [{ column: "user", bucket: "month" }] }, /bucket needs a date or timestamp column/],
    [{ dimensions: [{ column: "at", bucket: "fortnight" }] }, /invalid/i],
    [{ filters: [{ column: "amount", op: "between", value: [1] }] }, /between.*\[from, to\]/],
    [{ filters: [{ column: "amount", op: "between", value: 3 }] }, /between.*\[from, to\]/],
    [{ filters: [{ column: "amount", op: "is_null", value: 3 }] }, /takes no value/],
    [{ filters: [{ column: "amount", op: "gt" }] }, /needs a value/],
    [{ measures: [{ fn: "count_distinct" }] }, /needs a column/],
  ];
  for (const [query, message] of refusals) {
    const res = await postQuery(t, cookie, connectorId, "events", query);
    equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
    equal(typeof (res.body as unknown as { error: { message: string } }).error.message, "string");
    equal(message.test(res.text), true, `${JSON.stringify(query)}: ${res.text}`);
  }
});

closeSharedAppsAfterAll();
