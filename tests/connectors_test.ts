/**
 * Connectors end to end through the HTTP API, against real sources the tests start: the
 * vega-datasets files served over HTTP, a paginated JSON API, a PostgREST stand-in for Supabase,
 * and tables on the machine's PostgreSQL. Aggregates are computed here independently of the app.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { API_SECRET, ITEMS, startSources, SUPABASE_KEY, supabaseProfiles, vegaDataDir } from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";

const sources = startSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` };

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

closeSharedAppsAfterAll();
Deno.test({
  name: "(stop the test sources)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
