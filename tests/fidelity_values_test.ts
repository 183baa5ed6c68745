/**
 * Values arrive exact (issue 9, the cases in fixtures/data-fidelity/README.md): 64-bit integers and
 * decimals through CSV uploads and a Postgres source, type inference that never changes a value,
 * exact filters, and aggregates with their types. Every figure expected here is computed from the
 * case files themselves or written down in the cases' README.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { datasetColumns, postQuery, queryOk, syncNow, uploadCsv } from "./support/datasets.ts";
import { readOnlyRole } from "./support/sources.ts";

const CASES = join(import.meta.dirname!, "fixtures", "data-fidelity");
const caseFile = (name: string) => Deno.readTextFile(join(CASES, name));

testEachBackend(
  "bigint_ids.csv: order ids beyond 2^53 come back as their exact digits and filter exactly",
  async (t) => {
    const { cookie } = await t.signUp();
    const { connectorId, sync } = await uploadCsv(t, cookie, "bigint_ids", await caseFile("bigint_ids.csv"));
    equal(sync.status, "succeeded", sync.error ?? "");
    deepStrictEqual(await datasetColumns(t, cookie, connectorId, "bigint_ids"), [
      { name: "order_id", type: "integer" },
      { name: "customer", type: "text" },
    ]);
    const all = await queryOk(t, cookie, connectorId, "bigint_ids", { order_by: [{ column: "order_id" }] });
    deepStrictEqual(all.rows, [["9007199254740993", "alpha"], ["9007199254740995", "beta"]]);

    // 9007199254740993 and 9007199254740992 are the same double: only exact comparison tells them apart.
    for (const [value, expected] of [["9007199254740993", ["alpha"]], ["9007199254740992", []]] as const) {
      const found = await queryOk(t, cookie, connectorId, "bigint_ids", {
        dimensions: ["customer"],
        filters: [{ column: "order_id", op: "eq", value }],
      });
      deepStrictEqual(found.rows.map((r) => r[0]), expected, `eq ${value}`);
    }
    const inList = await queryOk(t, cookie, connectorId, "bigint_ids", {
      measures: [{ fn: "count" }, { fn: "max", column: "order_id" }, { fn: "sum", column: "order_id" }],
      filters: [{ column: "order_id", op: "in", value: ["9007199254740995", "1"] }],
    });
    deepStrictEqual(inList.rows, [[1, "9007199254740995", "9007199254740995"]]);
    deepStrictEqual(inList.columns.map((c) => c.type), ["integer", "integer", "integer"]);
    // The sum of both ids overflows no 64-bit step and stays an integer's exact digits.
    const sum = await queryOk(t, cookie, connectorId, "bigint_ids", { measures: [{ fn: "sum", column: "order_id" }] });
    deepStrictEqual(sum.rows, [[String(9007199254740993n + 9007199254740995n)]]);

    // A JSON number literal this large was rounded by the parser already: refused, not compared.
    const rounded = await postQuery(t, cookie, connectorId, "bigint_ids", {
      filters: [{ column: "order_id", op: "eq", value: 9007199254740993 }],
    });
    equal(rounded.status, 400, rounded.text);
    match(rounded.text, /send it as a string/);
  },
);

testEachBackend("leading_zeros.csv: zip codes and account codes stay text with their zeros", async (t) => {
  const { cookie } = await t.signUp();
  const text = await caseFile("leading_zeros.csv");
  const { connectorId } = await uploadCsv(t, cookie, "leading_zeros", text);
  deepStrictEqual(await datasetColumns(t, cookie, connectorId, "leading_zeros"), [
    { name: "zip", type: "text" },
    { name: "account", type: "text" },
    { name: "city", type: "text" },
  ]);
  const expected = text.trim().split("\n").slice(1).map((line) => line.split(","));
  const result = await queryOk(t, cookie, connectorId, "leading_zeros", {});
  deepStrictEqual(result.rows, expected);
  ok(result.rows.some((r) => r[0] === "02138" && r[1] === "0010"));
});

testEachBackend("impossible_date.csv: 2024-02-30 makes the column text and the sync keeps all 3 rows", async (t) => {
  const { cookie } = await t.signUp();
  const text = await caseFile("impossible_date.csv");
  const { connectorId, sync } = await uploadCsv(t, cookie, "impossible_date", text);
  deepStrictEqual([sync.status, sync.rows, sync.error], ["succeeded", 3, null]);
  deepStrictEqual(await datasetColumns(t, cookie, connectorId, "impossible_date"), [
    { name: "id", type: "integer" },
    { name: "shipped_on", type: "text" },
  ]);
  const result = await queryOk(t, cookie, connectorId, "impossible_date", { order_by: [{ column: "id" }] });
  deepStrictEqual(result.rows, text.trim().split("\n").slice(1).map((l) => [Number(l.split(",")[0]), l.split(",")[1]]));
});

testEachBackend(
  "a date the calendar lacks deep in a file, after a batch was written, still turns the column to text",
  async (t) => {
    const { cookie } = await t.signUp();
    // 25,000 real dates (more than a batch, so the first rows are already staged as dates), then a leap day
    // of a year without one, then a year 0.
    const lines = ["n,day"];
    for (let i = 0; i < 25_000; i++) {
      lines.push(
        `${i},${new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)}`,
      );
    }
    lines.push("25000,2023-02-29", "25001,0000-01-01");
    const { connectorId, sync } = await uploadCsv(t, cookie, "days", lines.join("\n") + "\n");
    deepStrictEqual([sync.status, sync.rows], ["succeeded", 25_002]);
    deepStrictEqual((await datasetColumns(t, cookie, connectorId, "days"))[1], { name: "day", type: "text" });
    const tail = await queryOk(t, cookie, connectorId, "days", {
      filters: [{ column: "n", op: "gte", value: 24_999 }],
      order_by: [{ column: "n" }],
    });
    deepStrictEqual(tail.rows, [[24_999, lines[25_000].split(",")[1]], [25_000, "2023-02-29"], [25_001, "0000-01-01"]]);
  },
);

testEachBackend("integers 1..5: avg, sum, count are [[3, 15, 5]] with avg a JSON number", async (t) => {
  const { cookie } = await t.signUp();
  const values = [1, 2, 3, 4, 5];
  const { connectorId } = await uploadCsv(t, cookie, "ones", "n\n" + values.join("\n") + "\n");
  const res = await postQuery(t, cookie, connectorId, "ones", {
    measures: [{ fn: "avg", column: "n" }, { fn: "sum", column: "n" }, { fn: "count" }],
  });
  equal(res.status, 200, res.text);
  const total = values.reduce((a, b) => a + b, 0);
  deepStrictEqual(res.body.rows, [[total / values.length, total, values.length]]);
  // On the wire: numbers, not strings of digits.
  match(res.text, new RegExp(`"rows":\\[\\[${total / values.length},${total},${values.length}\\]\\]`));
  deepStrictEqual(res.body.columns.map((c) => c.type), ["number", "integer", "integer"]);
});

testEachBackend("decimals with more digits than a double keeps are stored as numeric and summed exactly", async (t) => {
  const { cookie } = await t.signUp();
  const amounts = ["12345678901234567890.1234567890", "0.5", "-7.25"];
  const { connectorId } = await uploadCsv(
    t,
    cookie,
    "ledger",
    "id,amount\n" + amounts.map((a, i) => `${i},${a}`).join("\n"),
  );
  deepStrictEqual((await datasetColumns(t, cookie, connectorId, "ledger"))[1], { name: "amount", type: "decimal" });
  const all = await queryOk(t, cookie, connectorId, "ledger", { order_by: [{ column: "id" }] });
  // Exact digits where a double would round; plain numbers where it would not.
  deepStrictEqual(all.rows.map((r) => r[1]), [amounts[0], 0.5, -7.25]);
  const totals = await queryOk(t, cookie, connectorId, "ledger", {
    measures: [{ fn: "sum", column: "amount" }, { fn: "avg", column: "amount" }, { fn: "min", column: "amount" }],
  });
  deepStrictEqual(totals.columns.map((c) => c.type), ["decimal", "number", "decimal"]);
  equal(totals.rows[0][0], "12345678901234567883.3734567890");
  equal(typeof totals.rows[0][1], "number");
  equal(totals.rows[0][2], -7.25);
  const exact = await queryOk(t, cookie, connectorId, "ledger", {
    measures: [{ fn: "count" }],
    filters: [{ column: "amount", op: "eq", value: amounts[0] }],
  });
  deepStrictEqual(exact.rows, [[1]]);
});

testEachBackend("timestamps with offsets keep their instant", async (t) => {
  const { cookie } = await t.signUp();
  const stamps = ["2024-03-10T01:30:00-08:00", "2024-03-10 12:00:00+05:30", "2024-03-10T00:00:00.123456Z"];
  const { connectorId } = await uploadCsv(t, cookie, "stamps", "i,at\n" + stamps.map((s, i) => `${i},${s}`).join("\n"));
  deepStrictEqual((await datasetColumns(t, cookie, connectorId, "stamps"))[1], { name: "at", type: "timestamp" });
  const result = await queryOk(t, cookie, connectorId, "stamps", { order_by: [{ column: "i" }] });
  // Microseconds survive: compare the epoch microseconds, which Date cannot hold, by their text.
  deepStrictEqual(
    result.rows.map((r) => new Date(String(r[1])).getTime()),
    stamps.map((s) => new Date(s.replace(" ", "T")).getTime()),
  );
  match(String(result.rows[2][1]), /\.123456/);
});

/** A fresh database on the local server with pg_types.sql loaded; undefined without a server. */
async function typesZooSource(): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const admin = Deno.env.get("TEST_DATABASE_URL");
  if (!admin) return undefined;
  const name = `fid_types_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const server = postgres(admin, { max: 1, onnotice: () => {} });
  await server.unsafe(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const source = postgres(url.href, { max: 1, onnotice: () => {} });
  await source.unsafe(await caseFile("pg_types.sql")).simple();
  await source.end();
  // A superuser source is refused: the connector reads as a role that can only read.
  const reader = await readOnlyRole(server);
  url.username = reader.user;
  url.password = reader.password;
  return {
    url: url.href,
    async close() {
      await server.unsafe(`drop database if exists ${name} with (force)`);
      await reader.drop();
      await server.end();
    },
  };
}

async function typesZoo(t: TestApp, cookie: string, url: string): Promise<string> {
  const created = await t.call("/api/connectors", {
    cookie,
    body: {
      name: "Types zoo",
      type: "postgres",
      config: { tables: ["types_zoo"] },
      credentials: { connection_string: url },
    },
  });
  equal(created.status, 201, created.text);
  const id = (created.body as { id: string }).id;
  const sync = await syncNow(t, cookie, id);
  equal(sync.status, "succeeded", sync.error ?? "");
  return id;
}

// The source is always the local server; without one there is nothing to read from.
const withServer: typeof testEachBackend = Deno.env.get("TEST_DATABASE_URL") ? testEachBackend : () => {};

withServer(
  "pg_types.sql: numeric(30,10) and int8 arrive exact; every other type is readable and queryable",
  async (t) => {
    const source = (await typesZooSource())!;
    try {
      const { cookie } = await t.signUp();
      const id = await typesZoo(t, cookie, source.url);
      deepStrictEqual(await datasetColumns(t, cookie, id, "types_zoo"), [
        { name: "id", type: "integer" },
        { name: "amount", type: "decimal" },
        { name: "big", type: "integer" },
        { name: "happened", type: "timestamp" },
        { name: "naive", type: "timestamp" },
        { name: "span", type: "text" },
        { name: "tags", type: "text" },
        { name: "doc", type: "json" },
        { name: "uid", type: "text" },
        { name: "raw", type: "text" },
        { name: "select", type: "text" },
        { name: 'quo"te', type: "text" },
      ]);
      const res = await postQuery(t, cookie, id, "types_zoo", { order_by: [{ column: "id" }] });
      equal(res.status, 200, res.text);
      const [one, two] = res.body.rows;
      equal(one[1], "12345678901234567890.1234567890");
      match(res.text, /"12345678901234567890\.1234567890"/);
      equal(two[1], 1e-10);
      deepStrictEqual([one[2], two[2]], ["9007199254740993", "-9223372036854775808"]);
      equal(new Date(String(one[3])).toISOString(), "2024-03-10T09:30:00.000Z");
      equal(new Date(String(two[3])).toISOString(), "2024-11-03T01:30:00.000Z");
      equal(new Date(String(one[4])).toISOString(), "2024-03-10T02:30:00.000Z");
      match(String(two[4]), /^1999-12-31T23:59:59\.999999/);
      deepStrictEqual(one.slice(5), [
        "1 day 02:03:04",
        "{1,2,3}",
        { a: { b: [1, 2] } },
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "\\xdeadbeef",
        "kw",
        "q",
      ]);
      deepStrictEqual(two.slice(5), [
        "-3 mons",
        "{}",
        null,
        "00000000-0000-0000-0000-000000000000",
        "\\x",
        null,
        'x"y',
      ]);

      // Queryable by every column, the SQL keyword and the quote included.
      const count = async (filters: unknown[]) =>
        (await queryOk(t, cookie, id, "types_zoo", { measures: [{ fn: "count" }], filters })).rows[0][0];
      equal(await count([{ column: "select", op: "eq", value: "kw" }]), 1);
      equal(await count([{ column: 'quo"te', op: "eq", value: 'x"y' }]), 1);
      equal(await count([{ column: "big", op: "eq", value: "-9223372036854775808" }]), 1);
      equal(await count([{ column: "big", op: "eq", value: "9007199254740992" }]), 0);
      equal(await count([{ column: "amount", op: "gt", value: "12345678901234567890.12345678899" }]), 1);
      equal(await count([{ column: "amount", op: "eq", value: "12345678901234567890.123456789" }]), 1);
      equal(await count([{ column: "doc", op: "eq", value: '{"a": {"b": [1, 2]}}' }]), 1);
      equal(await count([{ column: "uid", op: "contains", value: "9C0B" }]), 1);
      equal(
        await count([{ column: "happened", op: "between", value: ["2024-03-10T09:00:00Z", "2024-03-10T10:00:00Z"] }]),
        1,
      );
      const grouped = await queryOk(t, cookie, id, "types_zoo", {
        dimensions: ["select", 'quo"te', "span"],
        measures: [{ fn: "sum", column: "amount" }, { fn: "sum", column: "big" }, {
          fn: "count_distinct",
          column: "doc",
        }],
        order_by: [{ column: "select", dir: "asc" }],
      });
      deepStrictEqual(grouped.rows, [
        ["kw", "q", "1 day 02:03:04", "12345678901234567890.1234567890", "9007199254740993", 1],
        [null, 'x"y', "-3 mons", 1e-10, "-9223372036854775808", 1],
      ]);
    } finally {
      await source.close();
    }
  },
  { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" },
);

closeSharedAppsAfterAll();
