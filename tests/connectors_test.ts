/**
 * Connectors end to end through the HTTP API, against real sources the tests start: the
 * vega-datasets files served over HTTP, a paginated JSON API, a PostgREST stand-in for Supabase,
 * and tables on the machine's PostgreSQL. Aggregates are computed here independently of the app.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { closeSharedAppsAfterAll, TEST_SECRET, type TestApp, testEachBackend } from "./support/test_app.ts";
import { waitUntil } from "./support/wait.ts";
import { loadConfig } from "../lib/config.ts";
import { rotateCredentials } from "../functions/rotate_credentials.ts";
import {
  API_SECRET,
  ITEMS,
  startPostgresSource,
  startSources,
  SUPABASE_KEY,
  supabaseProfiles,
  vegaDataDir,
} from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { runDueSyncs } from "../functions/scheduled_syncs.ts";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { asUser } from "../db/rls.ts";
import { queryDataset } from "../functions/query_dataset.ts";
import { writeQueryResult } from "../db/queries/query_results.ts";
import type { StructuredQuery } from "../connectors/query.ts";

const sources = startSources();
// The local sources, and the machine's Postgres port for the postgres connector; everything else stays refused.
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port},127.0.0.1:5432` };

interface Connector {
  id: string;
  status: string;
  last_error: string | null;
  has_credentials: boolean;
  config: Record<string, unknown>;
}

async function createConnector(t: TestApp, cookie: string, body: Record<string, unknown>): Promise<Connector> {
  const res = await t.call("/api/connectors", { body, cookie });
  equal(res.status, 201, res.text);
  return res.body as Connector;
}

/** Starts a sync, waits for it, and returns the finished sync record. */
async function sync(t: TestApp, cookie: string, id: string) {
  const started = await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  equal(started.status, 202, started.text);
  await syncsSettled();
  const history = await t.call(`/api/connectors/${id}/syncs`, { cookie });
  const latest = (history.body as { items: { id: string; status: string; rows: number; error: string | null }[] })
    .items[0];
  equal(latest.id, (started.body as { sync_id: string }).sync_id);
  return latest;
}

async function query(t: TestApp, cookie: string, connectorId: string, dataset: string, q: unknown) {
  const res = await t.call("/api/query", { body: { connector_id: connectorId, dataset, query: q }, cookie });
  equal(res.status, 200, res.text);
  return res.body as { columns: { name: string; type: string }[]; rows: unknown[][]; cached_at?: string };
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b));

testEachBackend(
  "vega-datasets' seattle weather (CSV by URL) and cars (JSON) sync and aggregate as computed here",
  async (t) => {
    const { cookie } = await t.signUp();
    // Independent figures, from the files themselves.
    const csv = (await Deno.readTextFile(join(vegaDataDir(), "seattle-weather.csv"))).trim().split("\n");
    const header = csv[0].split(",");
    const weather = csv.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], v])));
    const cars = JSON.parse(await Deno.readTextFile(join(vegaDataDir(), "cars.json"))) as Record<string, unknown>[];

    const weatherConnector = await createConnector(t, cookie, {
      name: "Seattle weather",
      type: "csv",
      config: { url: `${sources.base}/vega/seattle-weather.csv` },
    });
    const done = await sync(t, cookie, weatherConnector.id);
    deepStrictEqual([done.status, done.rows, done.error], ["succeeded", weather.length, null]);
    const datasets = (await t.call(`/api/connectors/${weatherConnector.id}/datasets`, { cookie })).body as {
      items: { name: string; columns: { name: string; type: string }[]; row_count: number }[];
    };
    deepStrictEqual(datasets.items.map((d) => [d.name, d.row_count]), [["seattle-weather", weather.length]]);
    deepStrictEqual(datasets.items[0].columns, [
      { name: "date", type: "date" },
      { name: "precipitation", type: "number" },
      { name: "temp_max", type: "number" },
      { name: "temp_min", type: "number" },
      { name: "wind", type: "number" },
      { name: "weather", type: "text" },
    ]);

    const byWeather = await query(t, cookie, weatherConnector.id, "seattle-weather", {
      dimensions: ["weather"],
      measures: [{ fn: "count" }, { fn: "avg", column: "temp_max", as: "avg_max" }],
      order_by: [{ column: "weather", dir: "asc" }],
    });
    const kinds = [...new Set(weather.map((w) => w.weather))].sort();
    deepStrictEqual(
      byWeather.rows.map((r) => [r[0], r[1]]),
      kinds.map((k) => [k, weather.filter((w) => w.weather === k).length]),
    );
    for (const [kind, , avg] of byWeather.rows) {
      const temps = weather.filter((w) => w.weather === kind).map((w) => Number(w.temp_max));
      ok(close(avg as number, temps.reduce((a, b) => a + b, 0) / temps.length), `avg temp_max of ${kind}`);
    }
    const rainy2015 = await query(t, cookie, weatherConnector.id, "seattle-weather", {
      measures: [{ fn: "count" }, { fn: "max", column: "precipitation" }],
      filters: [{ column: "weather", op: "eq", value: "rain" }, { column: "date", op: "gte", value: "2015-01-01" }],
    });
    const expected = weather.filter((w) => w.weather === "rain" && w.date >= "2015-01-01");
    deepStrictEqual(rainy2015.rows, [[expected.length, Math.max(...expected.map((w) => Number(w.precipitation)))]]);

    const carsConnector = await createConnector(t, cookie, {
      name: "Cars",
      type: "http_json",
      config: { url: `${sources.base}/vega/cars.json`, dataset_name: "cars" },
    });
    equal((await sync(t, cookie, carsConnector.id)).rows, cars.length);
    const byOrigin = await query(t, cookie, carsConnector.id, "cars", {
      dimensions: ["Origin"],
      measures: [{ fn: "count", as: "n" }, { fn: "avg", column: "Horsepower", as: "hp" }],
      order_by: [{ column: "n", dir: "desc" }],
    });
    const origins = [...new Set(cars.map((c) => c.Origin as string))];
    const expectedOrigins = origins.map((o) => {
      const group = cars.filter((c) => c.Origin === o);
      const hp = group.map((c) => c.Horsepower).filter((v): v is number => typeof v === "number");
      return [o, group.length, hp.reduce((a, b) => a + b, 0) / hp.length] as const;
    }).sort((a, b) => b[1] - a[1]);
    deepStrictEqual(byOrigin.rows.map((r) => [r[0], r[1]]), expectedOrigins.map((e) => [e[0], e[1]]));
    byOrigin.rows.forEach((r, i) => ok(close(r[2] as number, expectedOrigins[i][2]), `avg hp of ${r[0]}`));
    const eightCylinders = await query(t, cookie, carsConnector.id, "cars", {
      measures: [{ fn: "count" }],
      filters: [{ column: "Cylinders", op: "in", value: [8, 6] }, { column: "Name", op: "contains", value: "FORD" }],
    });
    const fords = cars.filter((c) => [8, 6].includes(c.Cylinders as number) && String(c.Name).includes("ford"));
    deepStrictEqual(eightCylinders.rows, [[fords.length]]);

    // The second identical query comes from the cache; a new sync makes a new key.
    const again = await query(t, cookie, carsConnector.id, "cars", { measures: [{ fn: "count" }] });
    ok(!again.cached_at);
    ok((await query(t, cookie, carsConnector.id, "cars", { measures: [{ fn: "count" }] })).cached_at);
    await sync(t, cookie, carsConnector.id);
    ok(!(await query(t, cookie, carsConnector.id, "cars", { measures: [{ fn: "count" }] })).cached_at);
  },
  ENV,
);

testEachBackend(
  "a query runs once per sync across processes: another reads the stored result, a new sync stores anew",
  async (t) => {
    const user = await t.signUp();
    const { cookie } = user;
    const weather = await createConnector(t, cookie, {
      name: "Seattle weather",
      type: "csv",
      config: { url: `${sources.base}/vega/seattle-weather.csv` },
    });
    await sync(t, cookie, weather.id);
    const q: StructuredQuery = {
      dimensions: ["weather"],
      measures: [{ fn: "count" }],
      order_by: [{ column: "weather", dir: "asc" }],
    };
    const first = await query(t, cookie, weather.id, "seattle-weather", q);
    ok(!first.cached_at, "run here");
    // Another process: the same database, its own dependencies, so nothing of this one's memory.
    const other = { ...t.deps };
    await waitUntil(async () => (await storedResults(t, weather.id)).length === 1);
    const input = { connectorId: weather.id, dataset: "seattle-weather", query: q };
    const there = await queryDataset(other, user.user.id, input);
    ok(there.cached_at, "read from the stored result");
    deepStrictEqual(there.rows, first.rows);
    deepStrictEqual(there.columns, first.columns);
    // A new sync is a new version: run again, and the older version's row goes.
    const [before] = await storedResults(t, weather.id);
    await sync(t, cookie, weather.id);
    ok(!(await queryDataset({ ...t.deps }, user.user.id, input)).cached_at, "run again after the sync");
    await waitUntil(async () => {
      const stored = await storedResults(t, weather.id);
      return stored.length === 1 && stored[0].version > before.version;
    });
  },
  ENV,
);

testEachBackend(
  "stored query results stop at their per-version limit, so share-link filters cannot grow the table",
  async (t) => {
    const { cookie } = await t.signUp();
    const weather = await createConnector(t, cookie, {
      name: "Seattle weather",
      type: "csv",
      config: { url: `${sources.base}/vega/seattle-weather.csv` },
    });
    await sync(t, cookie, weather.id);
    const [dataset] = await rows<{ id: string; workspace_id: string }>(
      t.deps.db.orm,
      sql`select id::text, workspace_id::text from datasets where connector_id = ${weather.id}::uuid`,
    );
    const at = { datasetId: dataset.id, workspaceId: dataset.workspace_id, version: 1 };
    for (const key of ["a", "b", "c", "d"]) await writeQueryResult(t.deps.db.orm, at, key, "{}", 3);
    equal((await storedResults(t, weather.id)).length, 3);
    // Rewriting a kept one still works, and a newer version replaces the older ones.
    await writeQueryResult(t.deps.db.orm, at, "a", '{"again":1}', 3);
    await writeQueryResult(t.deps.db.orm, { ...at, version: 2 }, "z", "{}", 3);
    deepStrictEqual((await storedResults(t, weather.id)).map((r) => [r.query_key, r.version]), [["z", 2]]);
  },
  ENV,
);

/** The connector's stored query results. */
async function storedResults(t: TestApp, connectorId: string) {
  const found = await rows<{ query_key: string; version: string | number }>(
    t.deps.db.orm,
    sql`select r.query_key, r.version from query_results r join datasets d on d.id = r.dataset_id
      where d.connector_id = ${connectorId}::uuid order by r.query_key`,
  );
  return found.map((r) => ({ query_key: r.query_key, version: Number(r.version) }));
}

testEachBackend("http_json follows page, cursor and next-URL pagination with a secret header", async (t) => {
  const { cookie } = await t.signUp();
  const credentials = { headers: { Authorization: API_SECRET } };
  const configs = [
    { url: `${sources.base}/api/pages`, records_path: "data.items", pagination: { type: "page", param: "page" } },
    {
      url: `${sources.base}/api/cursor`,
      records_path: "results",
      pagination: { type: "cursor", param: "after", cursor_path: "meta.next" },
    },
    {
      url: `${sources.base}/api/links`,
      records_path: "records",
      pagination: { type: "next_url", next_path: "links.next" },
    },
  ];
  for (const config of configs) {
    const connector = await createConnector(t, cookie, { name: "Items", type: "http_json", config, credentials });
    equal(connector.has_credentials, true);
    const done = await sync(t, cookie, connector.id);
    deepStrictEqual([done.status, done.rows], ["succeeded", ITEMS.length], `${config.url}: ${done.error}`);
    const dataset = config.url.split("/").pop()!;
    const result = await query(t, cookie, connector.id, dataset, {
      measures: [{ fn: "sum", column: "price" }, { fn: "count", column: "in_stock" }],
      filters: [{ column: "in_stock", op: "eq", value: true }],
    });
    const inStock = ITEMS.filter((i) => i.in_stock);
    ok(
      close(result.rows[0][0] as number, inStock.reduce((a, i) => a + i.price, 0)),
      `sum of prices: ${JSON.stringify(result)} ${inStock.reduce((a, i) => a + i.price, 0)}`,
    );
    equal(result.rows[0][1], inStock.length);
  }
  // Secret headers belong in credentials, not in the plain config.
  const refused = await t.call("/api/connectors", {
    body: {
      name: "x",
      type: "http_json",
      config: { url: `${sources.base}/api/pages`, headers: { Authorization: "x" } },
    },
    cookie,
  });
  equal(refused.status, 400);
  match(refused.text, /credentials\.headers/);
  // Without the header the source says 401: the sync fails visibly, on the sync and the connector.
  const anonymous = await createConnector(t, cookie, {
    name: "No key",
    type: "http_json",
    config: { url: `${sources.base}/api/pages`, records_path: "data.items" },
  });
  const failed = await sync(t, cookie, anonymous.id);
  equal(failed.status, "failed");
  match(failed.error!, /answered 401/);
  const after = (await t.call(`/api/connectors/${anonymous.id}`, { cookie })).body as Connector;
  deepStrictEqual([after.status, after.last_error], ["error", failed.error]);
  const tested = await t.call(`/api/connectors/${anonymous.id}/test`, { method: "POST", cookie });
  deepStrictEqual(tested.body, { ok: false, message: failed.error });
}, ENV);

testEachBackend("a Supabase table is read page by page through supabase-js", async (t) => {
  const { cookie } = await t.signUp();
  const connector = await createConnector(t, cookie, {
    name: "Supabase",
    type: "supabase",
    config: { url: sources.base, tables: ["profiles"] },
    credentials: { key: SUPABASE_KEY },
  });
  deepStrictEqual(
    await t.call(`/api/connectors/${connector.id}/test`, { method: "POST", cookie }).then((r) => r.body),
    {
      ok: true,
      message: "Connected: 1 tables visible with this key",
    },
  );
  const done = await sync(t, cookie, connector.id);
  deepStrictEqual([done.status, done.rows], ["succeeded", supabaseProfiles().length]);
  const result = await query(t, cookie, connector.id, "profiles", {
    measures: [{ fn: "sum", column: "score" }, { fn: "max", column: "created_at" }],
  });
  const profiles = supabaseProfiles();
  deepStrictEqual(result.rows, [[
    profiles.reduce((a, p) => a + p.score, 0),
    profiles.at(-1)!.created_at.replace(".000Z", "+00:00"),
  ]]);
}, ENV);

testEachBackend(
  "an uploaded CSV is streamed into pieces, typed from every row, and replaced on re-upload",
  async (t) => {
    const { cookie } = await t.signUp();
    const connector = await createConnector(t, cookie, { name: "Upload", type: "csv", config: {} });
    // 3 MiB: over the 1 MiB JSON body limit, so the upload path must stream. The last row makes
    // "code" text although 60,000 rows before it look like integers.
    const lines = ["id,code,amount,when,flag,note"];
    for (let i = 1; i <= 60_000; i++) {
      lines.push(
        `${i},${i % 97},${(i / 8).toFixed(3)},2024-02-${String(1 + (i % 28)).padStart(2, "0")},${
          i % 2 === 0
        },"a, ""quoted"" note"`,
      );
    }
    lines.push(`60001,N/A,1.5,2024-03-01,true,last`);
    const csvText = lines.join("\n") + "\n";
    ok(csvText.length > 3 * 1024 * 1024);
    const res = await t.call(`/api/connectors/${connector.id}/upload?filename=orders.csv`, {
      method: "POST",
      body: csvText,
      headers: { "content-type": "text/csv" },
      cookie,
    });
    equal(res.status, 200, res.text);
    equal(((res.body as Connector).config.upload as { bytes: number }).bytes, new TextEncoder().encode(csvText).length);
    equal((await sync(t, cookie, connector.id)).rows, 60_001);
    const datasets = (await t.call(`/api/connectors/${connector.id}/datasets`, { cookie })).body as {
      items: { name: string; columns: { name: string; type: string }[] }[];
    };
    deepStrictEqual(datasets.items[0].name, "orders");
    deepStrictEqual(datasets.items[0].columns.map((c) => c.type), [
      "integer",
      "text",
      "number",
      "date",
      "boolean",
      "text",
    ]);
    const notes = await query(t, cookie, connector.id, "orders", {
      dimensions: ["note"],
      measures: [{ fn: "count" }],
      order_by: [{ column: "note" }],
    });
    deepStrictEqual(notes.rows, [['a, "quoted" note', 60_000], ["last", 1]]);

    const second = await t.call(`/api/connectors/${connector.id}/upload`, {
      method: "POST",
      body: "a,b\n1,2\n",
      headers: { "content-type": "text/csv" },
      cookie,
    });
    equal(second.status, 200);
    equal((await sync(t, cookie, connector.id)).rows, 1);
    const pieces = await t.deps.db.orm.execute(sql`select count(*)::int as n from connector_files`);
    equal((Array.isArray(pieces) ? pieces : (pieces as { rows: { n: number }[] }).rows)[0].n, 1, "old pieces dropped");
    equal(
      (await t.call(`/api/connectors/${connector.id}/upload`, { method: "POST", body: "{}", cookie })).status,
      415,
    );
  },
  ENV,
);

testEachBackend("a second sync while one runs is refused, and readers see the old rows until the swap", async (t) => {
  const { cookie } = await t.signUp();
  const connector = await createConnector(t, cookie, {
    name: "Gated",
    type: "http_json",
    config: { url: `${sources.base}/api/gated`, records_path: "data.items", dataset_name: "items" },
    credentials: { headers: { Authorization: API_SECRET } },
  });
  const first = await t.call(`/api/connectors/${connector.id}/sync`, { method: "POST", cookie });
  equal(first.status, 202);
  const second = await t.call(`/api/connectors/${connector.id}/sync`, { method: "POST", cookie });
  equal(second.status, 409);
  equal((second.body as { error: { code: string } }).error.code, "sync_in_progress");
  await sources.release();
  await syncsSettled();
  const count = { measures: [{ fn: "count" }] };
  deepStrictEqual((await query(t, cookie, connector.id, "items", count)).rows, [[ITEMS.length]]);

  // A re-sync in flight: the staging table fills while queries still answer from the old rows.
  const again = await t.call(`/api/connectors/${connector.id}/sync`, { method: "POST", cookie });
  equal(again.status, 202);
  const events = fetchEvents(t, cookie, connector.id, (again.body as { sync_id: string }).sync_id);
  deepStrictEqual((await query(t, cookie, connector.id, "items", { ...count, limit: 5 })).rows, [[ITEMS.length]]);
  await sources.release();
  await syncsSettled();
  const seen = await events;
  equal(seen.at(-1)?.status, "succeeded");
  equal(seen.at(-1)?.rows, ITEMS.length);

  // A sync cut off by a crash (its heartbeat three minutes old) does not block the next one.
  await t.deps.db.orm.execute(sql`insert into connector_syncs (workspace_id, connector_id, status, heartbeat_at)
    select workspace_id, id, 'running', now() - interval '3 minutes' from connectors where id = ${connector.id}`);
  const after = await t.call(`/api/connectors/${connector.id}/sync`, { method: "POST", cookie });
  equal(after.status, 202, after.text);
  await sources.release();
  await syncsSettled();
  const history = (await t.call(`/api/connectors/${connector.id}/syncs`, { cookie })).body as {
    items: { status: string; error: string | null }[];
  };
  deepStrictEqual(history.items.slice(0, 2).map((s) => s.status), ["succeeded", "failed"]);
  match(history.items[1].error!, /Interrupted/);
}, ENV);

/** Reads a sync's progress stream to its end. */
async function fetchEvents(t: TestApp, cookie: string, id: string, syncId: string) {
  const res = await t.fetch(
    new Request(`http://localhost/api/connectors/${id}/syncs/${syncId}/events`, { headers: { cookie } }),
  );
  equal(res.headers.get("content-type"), "text/event-stream");
  const text = await res.text();
  return [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]) as { status: string; rows: number });
}

testEachBackend("addresses the server must not call are refused before anything is saved", async (t) => {
  const { cookie } = await t.signUp();
  const attempts = [
    { type: "http_json", config: { url: "http://169.254.169.254/latest/meta-data/" } },
    { type: "http_json", config: { url: "http://127.0.0.1:1/" } },
    { type: "csv", config: { url: "http://[::1]:8080/x.csv" } },
    { type: "csv", config: { url: "http://10.0.0.7/data.csv" } },
    { type: "postgres", config: { host: "192.168.0.10" }, credentials: { password: "pw" } },
    { type: "postgres", config: {}, credentials: { connection_string: "postgres://u:pw@localhost:5432/db" } },
    { type: "supabase", config: { url: "http://0.0.0.0:54321" }, credentials: { key: "k" } },
  ];
  for (const attempt of attempts) {
    const res = await t.call("/api/connectors", { body: { name: "x", ...attempt }, cookie });
    equal(res.status, 422, `${JSON.stringify(attempt)}: ${res.text}`);
    equal((res.body as { error: { code: string } }).error.code, "outbound_refused");
  }
  const listed = (await t.call("/api/connectors", { cookie })).body as { items: unknown[] };
  equal(listed.items.length, 0);
}, ENV);

testEachBackend("another user cannot see, sync, query or read the rows of a connector", async (t) => {
  const a = await t.signUp();
  const b = await t.signUp();
  const connector = await createConnector(t, a.cookie, {
    name: "Private",
    type: "csv",
    config: { url: `${sources.base}/vega/seattle-weather.csv`, dataset_name: "weather" },
  });
  await sync(t, a.cookie, connector.id);
  for (const [method, path] of [["GET", ""], ["PATCH", ""], ["DELETE", ""], ["POST", "/sync"], ["GET", "/datasets"]]) {
    const res = await t.call(`/api/connectors/${connector.id}${path}`, {
      method,
      cookie: b.cookie,
      body: method === "PATCH" ? { name: "mine" } : undefined,
    });
    equal(res.status, 404, `${method} ${path}`);
  }
  const res = await t.call("/api/query", {
    body: { connector_id: connector.id, dataset: "weather", query: { measures: [{ fn: "count" }] } },
    cookie: b.cookie,
  });
  equal(res.status, 404);
  // Even SQL that names the rows' table directly, as the app role for B, sees nothing.
  const [{ storage_table }] = await rows<{ storage_table: string }>(
    t.deps.db.orm,
    sql`select storage_table from datasets where connector_id = ${connector.id}`,
  );
  const seen = await asUser(t.deps.db, b.user.id, (tx) => rows(tx, sql.raw(`select * from ${storage_table}`)));
  equal(seen.length, 0);
  const own = await asUser(
    t.deps.db,
    a.user.id,
    (tx) => rows(tx, sql.raw(`select count(*)::int as n from ${storage_table}`)),
  );
  equal((own[0] as { n: number }).n, 1461);
}, ENV);

testEachBackend("query columns are checked against the dataset; values are parameters", async (t) => {
  const { cookie } = await t.signUp();
  const connector = await createConnector(t, cookie, {
    name: "Weather",
    type: "csv",
    config: { url: `${sources.base}/vega/seattle-weather.csv`, dataset_name: "weather" },
  });
  await sync(t, cookie, connector.id);
  const bad = [
    { dimensions: ["weather; drop table users"] },
    { measures: [{ fn: "sum", column: "weather" }] },
    { filters: [{ column: "date", op: "gt", value: "not a date" }] },
    { order_by: [{ column: "wind" }], measures: [{ fn: "count" }] },
    { limit: 100_000 },
  ];
  for (const q of bad) {
    const res = await t.call("/api/query", {
      body: { connector_id: connector.id, dataset: "weather", query: q },
      cookie,
    });
    equal(res.status, 400, `${JSON.stringify(q)}: ${res.text}`);
  }
  const injected = await query(t, cookie, connector.id, "weather", {
    measures: [{ fn: "count" }],
    filters: [{ column: "weather", op: "eq", value: "rain' or '1'='1" }],
  });
  deepStrictEqual(injected.rows, [[0]]);
  const capped = await query(t, cookie, connector.id, "weather", { limit: 10_000 });
  equal(capped.rows.length, 1461);
  equal((await query(t, cookie, connector.id, "weather", {})).rows.length, 1000, "default limit");
}, ENV);

testEachBackend("a due schedule starts a sync and moves to the next time", async (t) => {
  const { cookie } = await t.signUp();
  const connector = await createConnector(t, cookie, {
    name: "Hourly",
    type: "csv",
    config: { url: `${sources.base}/vega/seattle-weather.csv`, schedule: "0 * * * *" },
  });
  const next = new Date(
    (await t.call(`/api/connectors/${connector.id}`, { cookie }).then((r) => r.body as { next_sync_at: string }))
      .next_sync_at,
  );
  equal(next.getUTCMinutes(), 0);
  ok(next > new Date());
  const bad = await t.call(`/api/connectors/${connector.id}`, {
    method: "PATCH",
    body: { config: { schedule: "every hour" } },
    cookie,
  });
  equal(bad.status, 400);
  const later = { ...t.deps, now: () => new Date(next.getTime() + 1000) };
  deepStrictEqual(await runDueSyncs(later), [connector.id]);
  // Settled first: a tick on the clock an hour ahead would take a sync still running, whose
  // heartbeats carry the real time, for one whose process died (and fail it).
  await syncsSettled();
  deepStrictEqual(await runDueSyncs(later), [], "claimed once");
  const history = (await t.call(`/api/connectors/${connector.id}/syncs`, { cookie })).body as {
    items: { trigger: string; status: string }[];
  };
  deepStrictEqual(history.items.map((s) => [s.trigger, s.status]), [["schedule", "succeeded"]]);
  const moved = (await t.call(`/api/connectors/${connector.id}`, { cookie })).body as { next_sync_at: string };
  equal(new Date(moved.next_sync_at).getTime(), next.getTime() + 3600_000);
}, ENV);

// The source is a schema on the server at TEST_DATABASE_URL (CI sets it); without one the test shows as ignored.
const withPostgresSource = Deno.env.get("TEST_DATABASE_URL")
  ? testEachBackend
  : (name: string) => Deno.test({ name, ignore: true, fn() {} });

withPostgresSource(
  "a postgres source: tables and views, incremental append, read-only SQL; no secret leaks anywhere",
  async (t) => {
    const source = (await startPostgresSource(2500))!;
    try {
      const { cookie } = await t.signUp();
      const password = `pw-${crypto.randomUUID()}`;
      await source.sql.unsafe(`create role ${source.schema}_reader login password '${password}'`);
      await source.sql.unsafe(`grant usage on schema ${source.schema} to ${source.schema}_reader;
      grant select on all tables in schema ${source.schema} to ${source.schema}_reader`);
      const url = new URL(source.url);
      const responses: string[] = [];
      const call = async (path: string, options: Parameters<TestApp["call"]>[1] = {}) => {
        const res = await t.call(path, { cookie, ...options });
        responses.push(res.text);
        return res;
      };
      const created = await call("/api/connectors", {
        body: {
          name: "Orders DB",
          type: "postgres",
          config: {
            host: url.hostname,
            port: Number(url.port),
            database: url.pathname.slice(1),
            user: `${source.schema}_reader`,
            tables: [`${source.schema}.orders`, `${source.schema}.big_orders`],
            cursor_columns: { [`${source.schema}.orders`]: "id" },
          },
          credentials: { password },
        },
      });
      equal(created.status, 201, created.text);
      const id = (created.body as Connector).id;
      const tested = (await call(`/api/connectors/${id}/test`, { method: "POST" })).body as {
        ok: boolean;
        message: string;
      };
      equal(tested.ok, true, tested.message);
      match(tested.message, /^Connected: PostgreSQL \d+/);
      const bigOrders = async () =>
        (await source.sql.unsafe(`select count(*)::int as n from ${source.schema}.big_orders`))[0].n as number;
      const bigBefore = await bigOrders();
      equal((await sync(t, cookie, id)).rows, 2500 + bigBefore);
      const orders = `${source.schema}.orders`;
      const [expected] = await source.sql.unsafe(
        `select sum(amount)::float8 as total, count(*) filter (where paid)::int as paid
      from ${source.schema}.orders`,
      );
      const got = await query(t, cookie, id, orders, {
        measures: [{ fn: "sum", column: "amount", as: "total" }, { fn: "count" }],
        filters: [{ column: "paid", op: "eq", value: true }],
      });
      equal(got.rows[0][1], expected.paid);
      const all = await query(t, cookie, id, orders, { measures: [{ fn: "sum", column: "amount" }] });
      ok(close(all.rows[0][0] as number, expected.total));

      // New rows past the cursor are appended; the sync reads only those.
      await source.sql.unsafe(`insert into ${source.schema}.orders select i, 'late', 1, true, date '2025-01-01', now()
      from generate_series(2501, 2600) i`);
      const incremental = await sync(t, cookie, id);
      equal(incremental.rows, 100 + await bigOrders(), "100 new orders appended, the view taken whole");
      deepStrictEqual((await query(t, cookie, id, orders, { measures: [{ fn: "count" }] })).rows, [[2600]]);

      const sqlRes = await call(`/api/connectors/${id}/sql`, {
        body: {
          sql: `select customer, count(*) as n from ${orders} group by 1 order by 2 desc, 1 limit 3`,
          max_rows: 2,
        },
      });
      equal(sqlRes.status, 200, sqlRes.text);
      deepStrictEqual((sqlRes.body as { columns: string[]; truncated: boolean }).columns, ["customer", "n"]);
      equal((sqlRes.body as { truncated: boolean }).truncated, true);
      const write = await call(`/api/connectors/${id}/sql`, { body: { sql: `delete from ${orders}` } });
      equal(write.status, 422);
      match(write.text, /read-only/);
      // (The machine's Postgres trusts local users, so a bad database stands in for a bad password.)
      const config = (created.body as Connector).config;
      const changed = await call(`/api/connectors/${id}`, {
        method: "PATCH",
        body: { config: { ...config, database: "no_such_database" }, credentials: { password: "wrong-password-here" } },
      });
      equal(changed.status, 200, changed.text);
      match(
        JSON.stringify((await call(`/api/connectors/${id}/test`, { method: "POST" })).body),
        /"ok":false.*does not exist/,
      );

      // The secret is nowhere: not in responses, logs, or any column of any table, synced rows included.
      const tables = await rows<{ name: string }>(
        t.deps.db.orm,
        sql`select format('%I.%I', table_schema, table_name) as name from information_schema.tables
          where table_schema in ('public', 'dataset_rows') and table_type = 'BASE TABLE'`,
      );
      ok(tables.length > 20, "every table");
      const dumped = await Promise.all(
        tables.map(({ name }) =>
          rows<{ t: string | null }>(
            t.deps.db.orm,
            sql.raw(`select string_agg(row_to_json(x)::text, ' ') as t from ${name} x`),
          )
        ),
      );
      const dump = [{ t: dumped.map((r) => r[0].t ?? "").join(" ") }];
      for (const secret of [password, "wrong-password-here"]) {
        ok(!responses.some((r) => r.includes(secret)), "in a response");
        ok(!t.logs.some((l) => l.includes(secret)), "in a log line");
        ok(!dump[0].t.includes(secret), "in a column");
      }
      ok(dump[0].t.includes("Orders DB"), "the dump did read the connector");
    } finally {
      await source.close();
    }
  },
  ENV,
);

testEachBackend("rotating keys re-encrypts credentials, which still open afterwards", async (t) => {
  const { cookie } = await t.signUp();
  const created = await createConnector(t, cookie, {
    name: "Rotated",
    type: "http_json",
    config: { url: `${sources.base}/api/pages`, records_path: "data.items" },
    credentials: { headers: { Authorization: API_SECRET } },
  });
  const keyOf = async () =>
    (await rows<{ k: string }>(
      t.deps.db.orm,
      sql`select credentials_key_id as k from connectors where id = ${created.id}`,
    ))[0].k;
  const before = await keyOf();
  const rotatedConfig = await loadConfig({
    APP_SECRET: "a-brand-new-secret-0123456789-0123456789",
    APP_SECRET_PREVIOUS: TEST_SECRET,
    DATA_DIR: "/nonexistent",
    OUTBOUND_ALLOW_HOSTS: ENV.OUTBOUND_ALLOW_HOSTS,
  });
  ok(await rotateCredentials(rotatedConfig, t.deps.db) >= 1);
  const after = await keyOf();
  ok(after !== before);
  equal(await rotateCredentials(rotatedConfig, t.deps.db), 0, "nothing left to rotate");
  const { testConnector } = await import("../functions/connectors.ts");
  const result = await testConnector(
    { ...t.deps, config: rotatedConfig },
    (await t.call("/api/me", { cookie }).then((r) => r.body as { user: { id: string } })).user.id,
    created.id,
  );
  deepStrictEqual(result, { ok: true, message: "Connected: the first page has 100 records" });
}, ENV);

testEachBackend(
  "the new-connector form shows why it refused, keeps the fields, and never echoes a secret",
  async (t) => {
    const { cookie } = await t.signUp();
    const form = new URLSearchParams({
      type: "supabase",
      name: "Project",
      url: "http://169.254.169.254/",
      key: "sb-secret-never-echoed",
    });
    const res = await t.call("/connectors", {
      method: "POST",
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      cookie,
    });
    equal(res.status, 422);
    match(res.text, /role="alert">169\.254\.169\.254 is a linkLocal address/);
    match(res.text, /value="Project"/);
    ok(!res.text.includes("sb-secret-never-echoed"));
    form.set("url", sources.base);
    form.set("key", SUPABASE_KEY);
    const created = await t.call("/connectors", {
      method: "POST",
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      cookie,
    });
    equal(created.status, 303);
    const page = await t.call(created.headers.get("location")!, { cookie });
    equal(page.status, 200);
    match(page.text, /stored, encrypted \(never shown\)/);
    ok(!page.text.includes(SUPABASE_KEY));
    equal((await t.call(`/connectors/${crypto.randomUUID()}`, { cookie })).status, 404);
  },
  ENV,
);

closeSharedAppsAfterAll();
Deno.test({
  name: "(stop the test sources)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
