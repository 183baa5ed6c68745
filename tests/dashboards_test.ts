/**
 * Dashboards and share links through the HTTP API and the public page, on datasets synced from
 * vega-datasets files; every expected figure is computed here from the files themselves.
 */
import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { waitUntil } from "./support/wait.ts";
import { startSources } from "./support/sources.ts";
import {
  countBy,
  csvRows,
  marks,
  pageCharts,
  syncAgain,
  syncedCsvConnector,
  uploadedDataset,
  weatherDashboard,
} from "./support/dashboards.ts";
import { eq, sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { widgets } from "../db/schema.ts";
import { widgetSvg } from "../functions/dashboards/render.ts";
import type { QueryResult } from "../functions/query_dataset.ts";
import type { AppDeps } from "../lib/deps.ts";

const sources = startSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` };

interface Share {
  id: string;
  url: string;
  locked_filters: Record<string, string>;
  view_count: number;
}

async function share(t: TestApp, cookie: string, dashboardId: string, body: Record<string, unknown> = {}) {
  const res = await t.call(`/api/dashboards/${dashboardId}/shares`, { cookie, body });
  equal(res.status, 201, res.text);
  return res.body as Share;
}

/** The path of a share URL (the test app is reached in-process, not by host). */
const pathOf = (url: string) => new URL(url).pathname;
/** A page's text without its per-response CSP nonce. */
const sameness = (html: string) => html.replace(/nonce="[^"]*"/g, "");

testEachBackend("a shared dashboard draws every bar and point the files hold, with no script", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const link = await share(t, cookie, dashboardId, { label: "Everyone" });
  match(link.url, /^http:\/\/localhost\/share\/[A-Za-z0-9_-]{43}$/);

  const page = await t.call(pathOf(link.url));
  equal(page.status, 200);
  ok(!/<script/i.test(page.text), "the share page ships no script");
  const rows = await csvRows("seattle-weather.csv");
  const byWeather = countBy(rows, "weather");
  const [bars, points, areas] = pageCharts(page.text);
  const barMarks = marks(bars, "bar");
  equal(barMarks.length, byWeather.length);
  // Each bar's tooltip (a <title>, readable without script) names its weather and its count.
  for (const [weather, days] of byWeather) {
    match(bars, new RegExp(`<title>weather: ${weather}; days: ${days.toLocaleString("en")}</title>`));
  }
  equal(marks(points, "point").length, rows.length);
  const sources_ = new Set((await csvRows("iowa-electricity.csv")).map((r) => r.source));
  equal(marks(areas, "area mark").length, sources_.size);

  // The metric: rainy days in the latest month of the file against the month before.
  const latest = rows.map((r) => r.date).sort().at(-1)!.slice(0, 7);
  const [y, m] = latest.split("-").map(Number);
  const before = `${m === 1 ? y - 1 : y}-${String(m === 1 ? 12 : m - 1).padStart(2, "0")}`;
  const rainy = (month: string) => rows.filter((r) => r.date.startsWith(month) && r.weather === "rain").length;
  const metric = page.text.match(/<p class="metric-value">([^<]*)<\/p>/)![1];
  equal(metric, String(rainy(latest)));
  match(page.text, new RegExp(`\\(was ${rainy(before)}\\)`));
  // Text widgets are markdown, with raw HTML shown as text.
  match(page.text, /Data from <strong>vega-datasets<\/strong>\. &lt;script&gt;/);
  match(page.text, /Data as of <time datetime="\d{4}-/);

  // The JSON view has the same data and nothing that leads elsewhere.
  const json = await t.call(`/api/share/${pathOf(link.url).split("/").pop()}`);
  equal(json.status, 200);
  const body = json.body as { widgets: { title: string; data: { rows: unknown[][] } | null }[] };
  deepStrictEqual(body.widgets.find((w) => w.title === "Days by weather")!.data!.rows, byWeather);
  for (const secret of ['"connector_id"', '"dataset"', '"data_query"', "seattle-weather", dashboardId]) {
    ok(!json.text.includes(secret), `the shared JSON mentions ${secret}`);
    ok(!page.text.includes(secret), `the shared page mentions ${secret}`);
  }
}, ENV);

testEachBackend("a shared table is headed as its charts title the measures, without type names", async (t) => {
  const { cookie } = await t.signUp();
  const connector = await syncedCsvConnector(t, cookie, sources, "seattle-weather.csv");
  const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Weather table" } });
  const dashboardId = (dashboard.body as { id: string }).id;
  const added = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
    cookie,
    body: {
      type: "table",
      title: "By weather",
      connector_id: connector,
      dataset: "seattle-weather",
      data_query: {
        dimensions: ["weather"],
        measures: [{ fn: "count" }, { fn: "max", column: "temp_max" }, { fn: "sum", column: "wind", as: "windy" }],
        order_by: [{ column: "weather" }],
      },
      position_x: 0,
      position_y: 0,
      width: 12,
      height: 4,
    },
  });
  equal(added.status, 201, added.text);
  const page = await t.call(pathOf((await share(t, cookie, dashboardId)).url));
  const headings = [...page.text.matchAll(/<span class="col-name">([^<]*)<\/span>/g)].map((m) => m[1]);
  deepStrictEqual(headings, ["weather", "count", "maximum of temp_max", "windy"]);
  equal(page.text.includes('class="col-type"'), false);
  const rows = await csvRows("seattle-weather.csv");
  const cells = [...page.text.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
  const byWeather = countBy(rows, "weather");
  deepStrictEqual(cells.filter((_, i) => i % 4 === 0), byWeather.map(([w]) => w));
  deepStrictEqual(cells.filter((_, i) => i % 4 === 1).map(Number), byWeather.map(([, n]) => n));
}, ENV);

testEachBackend("tiny and huge decimals read as written in a shared table and its CSV, never as 1e-7", async (t) => {
  const { cookie } = await t.signUp();
  // 10^21 is past 64 bits, so the column is decimal; its small values come back as JSON numbers.
  const { connectorId, dataset } = await uploadedDataset(
    t,
    cookie,
    "name,v\na,0.0000001\nb,1000000000000000000000\nc,0.5\nd,-0.00000000015\n",
  );
  const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Decimals" } });
  const dashboardId = (dashboard.body as { id: string }).id;
  const added = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
    cookie,
    body: {
      type: "table",
      connector_id: connectorId,
      dataset,
      data_query: { order_by: [{ column: "name" }] },
      position_x: 0,
      position_y: 0,
      width: 12,
      height: 4,
    },
  });
  equal(added.status, 201, added.text);
  const widgetId = (added.body as { id: string }).id;
  const expected = ["0.0000001", "1000000000000000000000", "0.5", "-0.00000000015"];
  const path = pathOf((await share(t, cookie, dashboardId, { allow_downloads: true })).url);
  const page = await t.call(path);
  deepStrictEqual([...page.text.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]), expected);
  for (
    const url of [`${path}/widgets/${widgetId}/download?format=csv`, `/api/widgets/${widgetId}/download?format=csv`]
  ) {
    const csv = await t.call(url, { cookie });
    equal(csv.status, 200, csv.text);
    deepStrictEqual(csv.text.trim().split("\r\n").slice(1).map((line) => line.split(",")[1]), expected, url);
  }
}, ENV);

testEachBackend("filters come from the URL, and a locked filter cannot be overridden", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const rows = await csvRows("seattle-weather.csv");
  const open = await share(t, cookie, dashboardId);
  const path = pathOf(open.url);

  const rain = await t.call(`${path}?f.weather=rain`);
  equal(rain.status, 200);
  deepStrictEqual([...rain.text.matchAll(/class="widget-error"[^>]*>([^<]*)</g)].map((m) => m[1]), []);
  const [bars, points] = pageCharts(rain.text);
  equal(marks(bars, "bar").length, 1);
  equal(marks(points, "point").length, rows.filter((r) => r.weather === "rain").length);
  match(rain.text, /<option value="rain" selected[^>]*>rain<\/option>/);

  // A date range from two form fields, as the GET form sends it.
  const spring = await t.call(`${path}?f.date.from=2013-03-01&f.date.to=2013-05-31`);
  const inSpring = rows.filter((r) => r.date >= "2013-03-01" && r.date <= "2013-05-31");
  equal(marks(pageCharts(spring.text)[1], "point").length, inSpring.length);

  // A bad range says what it takes and keeps what was typed.
  const bad = await t.call(`${path}?f.date=yesterday..today`);
  equal(bad.status, 400);
  match(
    bad.text,
    /The filter &quot;Date&quot; takes dates such as 2024-01-01 and 2024-03-31: either end may be left empty\. The dashboard is shown without that filter\./,
  );
  match(bad.text, /name="f\.date\.from" value="yesterday"/);
  // A date shaped right but not on the calendar is refused the same way, not sent to the database.
  for (const day of ["2013-02-30", "2013-13-01", "0000-01-01"]) {
    const impossible = await t.call(`${path}?f.date.from=${day}`);
    equal(impossible.status, 400);
    match(
      impossible.text,
      new RegExp(`was given ${day}, which is not a day of the calendar: choose a date in its box\\.`),
    );
    equal(impossible.text.includes("not a valid date"), false, "no widget shows the database's refusal");
  }
  // One bad value leaves the others applied: rain only, whatever the date says.
  const mixed = await t.call(`${path}?f.weather=rain&f.date.from=2013-02-30`);
  equal(mixed.status, 400);
  equal(marks(pageCharts(mixed.text)[0], "bar").length, 1, "the weather filter still applies");
  match(mixed.text, /<option value="rain" selected/);
  // A reversed range would quietly show nothing: it is refused with what to do.
  const reversed = await t.call(`${path}?f.date.from=2013-05-31&f.date.to=2013-03-01`);
  equal(reversed.status, 400);
  match(reversed.text, /runs from 2013-05-31 to 2013-03-01, so nothing can match: swap the two ends\./);
  match(reversed.text, /name="f\.date\.to" value="2013-03-01"/);

  const locked = await share(t, cookie, dashboardId, { label: "Sun only", locked_filters: { weather: "sun" } });
  const lockedPath = pathOf(locked.url);
  for (const attempt of ["", "?f.weather=rain", "?f.weather=", "?f.weather=rain&f.weather=fog"]) {
    const res = await t.call(lockedPath + attempt);
    equal(res.status, 200);
    const [b, p] = pageCharts(res.text);
    equal(marks(b, "bar").length, 1, `bars for ${attempt}`);
    match(b, /<title>weather: sun; days: /);
    equal(marks(p, "point").length, rows.filter((r) => r.weather === "sun").length);
    ok(!res.text.includes('name="f.weather"'), "a locked filter has no field");
  }
  const lockedJson = await t.call(`/api/share/${lockedPath.split("/").pop()}?f.weather=rain`);
  const days = (lockedJson.body as { widgets: { title: string; data: { rows: unknown[][] } }[] }).widgets
    .find((w) => w.title === "Days by weather")!.data.rows;
  deepStrictEqual(days, [["sun", rows.filter((r) => r.weather === "sun").length]]);

  const refused = await t.call(`/api/dashboards/${dashboardId}/shares`, {
    cookie,
    body: { locked_filters: { region: "EU" } },
  });
  equal(refused.status, 400);
  match((refused.body as { error: { message: string } }).error.message, /no filter "region"/);
}, ENV);

testEachBackend("a locked link's other filters offer only values from rows the link shows", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const rows = await csvRows("seattle-weather.csv");
  const patched = await t.call(`/api/dashboards/${dashboardId}`, {
    method: "PATCH",
    cookie,
    body: {
      filters: [
        { id: "weather", label: "Weather", column: "weather", type: "select" },
        { id: "wind", label: "Wind", column: "wind", type: "select" },
      ],
    },
  });
  equal(patched.status, 200, patched.text);
  const offered = (html: string, name: string) =>
    new Set(
      [...(html.match(new RegExp(`<select[^>]*name="${name}"[\\s\\S]*?</select>`))?.[0] ?? "").matchAll(
        /<option value="([^"]+)"/g,
      )].map((m) => Number(m[1])),
    );
  const snowWinds = new Set(rows.filter((r) => r.weather === "snow").map((r) => Number(r.wind)));
  const open = await t.call(pathOf((await share(t, cookie, dashboardId)).url));
  const everyWind = offered(open.text, "f.wind");
  ok([...everyWind].some((w) => !snowWinds.has(w)), "the open link offers winds of days without snow");

  const snowOnly = await share(t, cookie, dashboardId, { locked_filters: { weather: "snow" } });
  const page = await t.call(pathOf(snowOnly.url));
  equal(page.status, 200);
  deepStrictEqual(offered(page.text, "f.wind"), snowWinds, "only winds of snowy days are offered");
}, ENV);

testEachBackend("rotate, revoke and expiry: old, revoked, expired and unknown links are the same 404", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const link = await share(t, cookie, dashboardId);
  const unknown = await t.call(`/share/${"A".repeat(43)}`);
  equal(unknown.status, 404);

  const rotated = await t.call(`/api/shares/${link.id}/rotate`, { method: "POST", cookie });
  equal(rotated.status, 200);
  const fresh = (rotated.body as Share).url;
  notEqual(fresh, link.url);
  const old = await t.call(pathOf(link.url));
  equal(old.status, 404);
  equal(sameness(old.text), sameness(unknown.text), "a rotated link's 404 is the unknown link's 404");
  equal((await t.call(pathOf(fresh))).status, 200);
  equal((await t.call(`/api/share/${pathOf(link.url).split("/").pop()}`)).status, 404);

  // The owner can copy the live URL again; it is the rotated one.
  const listed = await t.call(`/api/shares?dashboard_id=${dashboardId}`, { cookie });
  deepStrictEqual((listed.body as { items: Share[] }).items.map((s) => [s.id, s.url]), [[link.id, fresh]]);
  ok((listed.body as { items: Share[] }).items[0].view_count >= 1);

  equal((await t.call(`/api/shares/${link.id}`, { method: "DELETE", cookie })).status, 204);
  const revoked = await t.call(pathOf(fresh));
  equal(revoked.status, 404);
  equal(sameness(revoked.text), sameness(unknown.text));
  equal((await t.call(`/api/shares/${link.id}/rotate`, { method: "POST", cookie })).status, 404);

  const soon = await share(t, cookie, dashboardId, { expires_at: new Date(Date.now() + 60_000).toISOString() });
  equal((await t.call(pathOf(soon.url))).status, 200);
  const realNow = t.deps.now;
  t.deps.now = () => new Date(Date.now() + 120_000);
  try {
    const expired = await t.call(pathOf(soon.url));
    equal(expired.status, 404);
    equal(sameness(expired.text), sameness(unknown.text));
  } finally {
    t.deps.now = realNow;
  }
  const past = await t.call(`/api/dashboards/${dashboardId}/shares`, {
    cookie,
    body: { expires_at: "2001-01-01T00:00:00Z" },
  });
  equal(past.status, 400);

  // Every change is in the audit log, and no token is in it or in the request log.
  const audit = await t.deps.db.orm.execute(
    `select action, details::text as details from audit_logs where target_id = '${link.id}' order by id` as never,
  ) as unknown as { rows?: { action: string; details: string }[] } | { action: string; details: string }[];
  const entries = Array.isArray(audit) ? audit : audit.rows ?? [];
  deepStrictEqual(entries.map((e) => e.action), ["share.create", "share.rotate", "share.revoke"]);
  for (const token of [link.url, fresh].map((u) => u.split("/").pop()!)) {
    ok(!entries.some((e) => e.details.includes(token)));
    ok(!t.logs.some((line) => line.includes(token)), "a share token reached the log");
  }
}, ENV);

testEachBackend(
  "a link's cached lookup: views counted exactly, a change made elsewhere shows within a second, gzip once",
  async (t) => {
    const { cookie } = await t.signUp();
    const { dashboardId } = await weatherDashboard(t, cookie, sources);
    const link = await share(t, cookie, dashboardId, { allow_downloads: true });
    const path = pathOf(link.url);
    // Views are counted in memory; listing links writes them first, so the count is exact.
    const first = await t.call(path);
    equal(first.status, 200);
    await Promise.all(Array.from({ length: 6 }, () => t.call(path)));
    const widgetId = first.text.match(/\/widgets\/([0-9a-f-]{36})\/download/)![1];
    equal((await t.call(`${path}/widgets/${widgetId}/download?format=csv`)).status, 200, "a download is no view");
    const listed = (await t.call(`/api/shares?dashboard_id=${dashboardId}`, { cookie })).body as { items: Share[] };
    equal(listed.items[0].view_count, 7);

    // A cached page goes out gzipped to clients that accept it, and is the same page.
    const ask = (encoding: string) =>
      t.fetch(new Request(`http://localhost${path}`, { headers: { "accept-encoding": encoding } }));
    const plain = await (await ask("identity")).text();
    const zipped = await ask("gzip, br");
    equal(zipped.headers.get("content-encoding"), "gzip");
    match(zipped.headers.get("vary") ?? "", /accept-encoding/i);
    const unzipped = await new Response(zipped.body!.pipeThrough(new DecompressionStream("gzip"))).text();
    equal(sameness(unzipped), sameness(plain));

    // Revoked by another process (straight in the database): this process's lookup is at most 1 s old.
    await t.deps.db.orm.execute(`update share_links set revoked_at = now() where id = '${link.id}'` as never);
    await new Promise((r) => setTimeout(r, 1_100));
    equal((await t.call(path)).status, 404);
  },
  ENV,
);

testEachBackend(
  "an open dashboard hears a finished sync at once where the driver listens, else within a poll",
  async (t) => {
    const { cookie } = await t.signUp();
    const { dashboardId, weatherConnector } = await weatherDashboard(t, cookie, sources);
    const res = await t.fetch(
      new Request(`http://localhost/api/dashboards/${dashboardId}/events`, { headers: { cookie } }),
    );
    equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}`);
        text += value;
      }
    };
    try {
      await until(/event: ready/);
      // Listening drivers hear the sync's commit; polling (Neon) looks every EVENTS_POLL_MS (2 s).
      const bound = t.deps.db.listen ? 700 : 2_700;
      for (let round = 1; round <= 2; round++) {
        await syncAgain(t, cookie, weatherConnector);
        const synced = performance.now();
        await until(new RegExp(`(event: widget-data[\\s\\S]*){${round}}`));
        const waited = performance.now() - synced;
        ok(waited < bound, `round ${round}: the change reached the stream after ${Math.round(waited)} ms`);
      }
    } finally {
      await reader.cancel();
    }
  },
  ENV,
);

testEachBackend("share responses are noindex, no-referrer, briefly cached, and framed only when allowed", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const closed = await t.call(pathOf((await share(t, cookie, dashboardId)).url));
  const framed = await t.call(pathOf((await share(t, cookie, dashboardId, { allow_embed: true })).url));
  for (const res of [closed, framed]) {
    equal(res.headers.get("x-robots-tag"), "noindex, nofollow");
    equal(res.headers.get("referrer-policy"), "no-referrer");
    match(res.headers.get("cache-control") ?? "", /^public, max-age=\d{1,3}$/);
    equal(res.headers.get("x-share-allow-embed"), null);
  }
  match(closed.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
  ok(closed.headers.get("x-frame-options"));
  match(framed.headers.get("content-security-policy") ?? "", /frame-ancestors \*/);
  equal(framed.headers.get("x-frame-options"), null);
  const missing = await t.call(`/share/${"B".repeat(43)}`);
  equal(missing.headers.get("referrer-policy"), "no-referrer");
  equal(missing.headers.get("x-robots-tag"), "noindex, nofollow");
}, ENV);

testEachBackend("downloads: formula-safe CSV, SVG and PNG, on share links only when allowed", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const dashboard = await t.call(`/api/dashboards/${dashboardId}`, { cookie });
  const widgets = (dashboard.body as { widgets: { id: string; title: string }[] }).widgets;
  const bar = widgets.find((w) => w.title === "Days by weather")!;
  const csv = await t.call(`/api/widgets/${bar.id}/download?format=csv`, { cookie });
  equal(csv.status, 200);
  const byWeather = countBy(await csvRows("seattle-weather.csv"), "weather");
  deepStrictEqual(csv.text.split("\r\n"), ["weather,days", ...byWeather.map(([w, n]) => `${w},${n}`)]);
  const png = await t.call(`/api/widgets/${bar.id}/download?format=png`, { cookie });
  equal(png.headers.get("content-type"), "image/png");
  const svg = await t.call(`/api/widgets/${bar.id}/chart.svg`, { cookie });
  equal(marks(svg.text, "bar").length, byWeather.length);

  const closed = pathOf((await share(t, cookie, dashboardId)).url);
  equal((await t.call(`${closed}/widgets/${bar.id}/download?format=csv`)).status, 403);
  ok(!(await t.call(closed)).text.includes("/download?"), "no download links when downloads are off");
  const open = pathOf(
    (await share(t, cookie, dashboardId, { allow_downloads: true, locked_filters: { weather: "fog" } })).url,
  );
  const page = await t.call(open);
  match(page.text, new RegExp(`${open}/widgets/${bar.id}/download\\?format=csv`));
  const shared = await t.call(`${open}/widgets/${bar.id}/download?format=csv&f.weather=sun`);
  equal(shared.status, 200);
  deepStrictEqual(shared.text.split("\r\n"), ["weather,days", `fog,${byWeather.find(([w]) => w === "fog")![1]}`]);
  const sharedPng = await t.call(`${open}/widgets/${bar.id}/download?format=png`);
  equal(sharedPng.headers.get("content-type"), "image/png");
  equal((await t.call(`${open}/widgets/${crypto.randomUUID()}/download?format=csv`)).status, 404);
}, ENV);

testEachBackend("another user and an anonymous caller reach no dashboard, widget or link of others", async (t) => {
  const a = await t.signUp();
  const b = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, a.cookie, sources);
  const link = await share(t, a.cookie, dashboardId);
  const widgetId = ((await t.call(`/api/dashboards/${dashboardId}`, { cookie: a.cookie })).body as {
    widgets: { id: string }[];
  }).widgets[0].id;
  const attempts: [string, string, unknown?][] = [
    ["GET", `/api/dashboards/${dashboardId}`],
    ["PATCH", `/api/dashboards/${dashboardId}`, { name: "mine" }],
    ["DELETE", `/api/dashboards/${dashboardId}`],
    ["POST", `/api/dashboards/${dashboardId}/widgets`, { type: "text", config: { markdown: "hi" } }],
    ["POST", `/api/dashboards/${dashboardId}/shares`, {}],
    ["GET", `/api/dashboards/${dashboardId}/events`],
    ["PATCH", `/api/widgets/${widgetId}`, { title: "mine" }],
    ["DELETE", `/api/widgets/${widgetId}`],
    ["GET", `/api/widgets/${widgetId}/data`],
    ["GET", `/api/widgets/${widgetId}/chart.svg`],
    ["GET", `/api/widgets/${widgetId}/download?format=csv`],
    ["PATCH", `/api/shares/${link.id}`, { label: "mine" }],
    ["POST", `/api/shares/${link.id}/rotate`],
    ["DELETE", `/api/shares/${link.id}`],
  ];
  for (const [method, path, body] of attempts) {
    equal((await t.call(path, { method, body, cookie: b.cookie })).status, 404, `${method} ${path} as another user`);
    equal((await t.call(path, { method, body })).status, 401, `${method} ${path} anonymously`);
  }
  for (const list of ["/api/dashboards", "/api/shares", `/api/shares?dashboard_id=${dashboardId}`]) {
    deepStrictEqual((await t.call(list, { cookie: b.cookie })).body, { items: [], next_cursor: null }, list);
  }
  equal((await t.call(`/dashboards/${dashboardId}`, { cookie: b.cookie })).status, 404);
  // Nothing changed, and the owner's link still works.
  const mine = await t.call(`/api/dashboards/${dashboardId}`, { cookie: a.cookie });
  equal((mine.body as { name: string }).name, "Seattle and Iowa");
  equal((await t.call(pathOf(link.url))).status, 200);
}, ENV);

testEachBackend(
  "widgets that cannot be drawn are refused with a sentence: unknown artifact, no query, off the grid",
  async (t) => {
    const { cookie } = await t.signUp();
    const { dashboardId } = await weatherDashboard(t, cookie, sources);
    const refused = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
      cookie,
      body: { artifact_id: crypto.randomUUID() },
    });
    equal(refused.status, 404);
    const bad = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
      cookie,
      body: { type: "bar", position_x: 10, width: 6 },
    });
    equal(bad.status, 400);
    match((bad.body as { error: { message: string } }).error.message, /connector_id, dataset and data_query|12-column/);
  },
  ENV,
);

testEachBackend("the share page is rate limited per address, and 0 turns the limit off", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const path = pathOf((await share(t, cookie, dashboardId)).url);
  const answers = await Promise.all(Array.from({ length: 40 }, () => t.call(path, { ip: "203.0.113.9" })));
  const limited = answers.filter((r) => r.status === 429);
  equal(answers.filter((r) => r.status === 200).length, 3);
  equal(limited.length, 37);
  ok(Number(limited[0].headers.get("retry-after")) > 0);
  match(limited[0].text, /Too many requests/);
  equal((await t.call(path, { ip: "203.0.113.10" })).status, 200, "another address is not limited");
}, { ...ENV, SHARE_REQUESTS_PER_MINUTE: "3" });

closeSharedAppsAfterAll();
addEventListener("unload", () => sources.close());

testEachBackend(
  "charts are drawn once per widget and data version: another process reads the stored drawing",
  async (t) => {
    const { cookie } = await t.signUp();
    const { dashboardId, weatherConnector, electricityConnector } = await weatherDashboard(t, cookie, sources);
    const link = await share(t, cookie, dashboardId);
    equal((await t.call(pathOf(link.url))).status, 200);
    const widgetIds = (await rows<{ id: string }>(
      t.deps.db.orm,
      sql`select id::text from widgets where dashboard_id = ${dashboardId}::uuid and type in ('bar', 'scatter', 'line')`,
    )).map((r) => r.id);
    ok(widgetIds.length >= 2);
    const stored = async () =>
      await rows<{ widget_id: string; data_version: string; svg: string }>(
        t.deps.db.orm,
        sql`select widget_id::text, data_version, svg from chart_drawings
        where widget_id = any(${`{${widgetIds.join(",")}}`}::uuid[])`,
      );
    await waitUntil(async () => new Set((await stored()).map((r) => r.widget_id)).size === widgetIds.length);
    ok((await stored()).every((r) => r.svg.startsWith("<svg")));

    // Another process (the same database, its own memory) shows the stored drawing, not a new one.
    const [widget] = await t.deps.db.orm.select().from(widgets).where(eq(widgets.id, widgetIds[0]));
    const result = { columns: [{ name: "k", type: "text" }, { name: "n", type: "integer" }], rows: [["a", 1]] };
    const store = (deps: AppDeps) => ({ deps, dataVersion: 1 });
    const drawn = await widgetSvg(widget, result as QueryResult, "light", "k", undefined, store({ ...t.deps }))!;
    await waitUntil(async () =>
      (await rows(t.deps.db.orm, sql`select 1 from chart_drawings where data_version = 1`)).length === 1
    );
    await t.deps.db.orm.execute(sql`update chart_drawings set svg = '<svg data-stored="1"/>' where data_version = 1`);
    equal(
      await widgetSvg(widget, result as QueryResult, "light", "k", undefined, store({ ...t.deps }))!,
      '<svg data-stored="1"/>',
    );
    ok(drawn.startsWith("<svg"));

    // A new sync is a new data version: the page draws again and the older drawings go.
    await syncAgain(t, cookie, weatherConnector);
    await syncAgain(t, cookie, electricityConnector);
    equal((await t.call(pathOf(link.url))).status, 200);
    await waitUntil(async () =>
      (await stored()).every((r) => Number(r.data_version) > 1) && (await stored()).length > 0
    );
  },
  ENV,
);

testEachBackend("a kept share page is answered before the chain with the headers its first response had", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  for (const body of [{}, { allow_embed: true }]) {
    const path = pathOf((await share(t, cookie, dashboardId, body)).url);
    const [first, second, third] = [await t.call(path), await t.call(path), await t.call(path)];
    // The first went through the chain (a fresh CSP nonce); the third was answered from the kept page.
    match(first.headers.get("content-security-policy") ?? "", /'nonce-/);
    equal(/'nonce-/.test(third.headers.get("content-security-policy") ?? ""), false);
    for (const res of [second, third]) {
      equal(res.status, 200);
      equal(res.text, first.text);
      const names = (r: typeof first) =>
        [...r.headers.keys()].filter((n) => n !== "content-length" && n !== "x-request-id").sort();
      deepStrictEqual(names(res), names(first));
      for (const name of ["x-frame-options", "cache-control", "referrer-policy", "x-robots-tag", "vary"]) {
        equal(res.headers.get(name), first.headers.get(name), name);
      }
      equal(
        res.headers.get("content-security-policy"),
        first.headers.get("content-security-policy")!.replace(/ ?'nonce-[^']*'/g, ""),
      );
      ok(res.headers.get("x-request-id"));
      notEqual(res.headers.get("x-request-id"), first.headers.get("x-request-id"));
      equal(res.headers.get("x-share-page-kept"), null);
      // The kept bytes go out as they are, not chunked: their length is declared, for HEAD too.
      equal(Number(res.headers.get("content-length")), new TextEncoder().encode(first.text).byteLength);
    }
    const head = await t.fetch(new Request(`http://localhost${path}`, { method: "HEAD" }));
    equal(head.status, 200);
    equal(head.headers.get("content-length"), third.headers.get("content-length"));
    equal((await head.arrayBuffer()).byteLength, 0);
  }
}, ENV);

testEachBackend("parameters no filter reads change nothing on a share page and are not kept", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const path = pathOf((await share(t, cookie, dashboardId, { allow_downloads: true })).url);
  const plain = await t.call(`${path}?f.weather=rain`);
  equal(plain.status, 200);
  // A junk parameter (60 KB of it) and the same filters in another order: the same page, no copy of the junk.
  const junk = "A".repeat(60_000);
  for (
    const query of [
      `?z=${junk}&f.weather=rain`,
      `?f.weather=rain&utm_source=x`,
      `?f.weather=rain&f.weather=sun`,
      // Parameters no filter reads: a select's range ends.
      `?f.weather=rain&f.weather.from=${junk}`,
    ]
  ) {
    const res = await t.call(path + query);
    equal(res.status, 200);
    equal(sameness(res.text), sameness(plain.text), query.slice(0, 40));
  }
  match(plain.text, /download\?format=csv&amp;f\.weather=rain"/);
  // A refused value is echoed cut just past what any value may hold, and linked nowhere.
  const long = await t.call(`${path}?f.weather=${junk}`);
  equal(long.status, 400);
  // (It is left out, so the page shows every row: compared with the page without filters.)
  const unfiltered = (await t.call(path)).text;
  ok(
    long.text.length < unfiltered.length + 2_000,
    `a 60 KB value grew the page by ${long.text.length - unfiltered.length}`,
  );
  // A locked filter's id in the URL is not read, so it changes nothing either.
  const lockedPath = pathOf((await share(t, cookie, dashboardId, { locked_filters: { weather: "sun" } })).url);
  const lockedPlain = await t.call(lockedPath);
  const lockedJunk = await t.call(`${lockedPath}?f.weather=${junk}`);
  equal(sameness(lockedJunk.text), sameness(lockedPlain.text));
}, ENV);

testEachBackend("a chart drawn under a filter is drawn again when the filter reads another column", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const path = pathOf((await share(t, cookie, dashboardId)).url);
  const filterOn = async (column: string) => {
    const res = await t.call(`/api/dashboards/${dashboardId}`, {
      method: "PATCH",
      cookie,
      body: { filters: [{ id: "n", label: "Temperature", column, type: "number_range" }] },
    });
    equal(res.status, 200, res.text);
    const page = await t.call(`${path}?f.n.from=0&f.n.to=5`);
    equal(page.status, 200, page.text);
    return pageCharts(page.text)[0];
  };
  const byHighs = await filterOn("temp_max");
  const byLows = await filterOn("temp_min");
  notEqual(byLows, byHighs, "the days with lows of 0–5 °C are not the days with highs of 0–5 °C");
  equal(await filterOn("temp_max"), byHighs);
}, ENV);

testEachBackend(
  "a widget asked for below the others is stored right under the lowest, where the grid shows it",
  async (t) => {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/dashboards", { cookie, body: { name: "Stacking" } });
    const dashboardId = (created.body as { id: string }).id;
    const add = async (title: string, height: number) => {
      const res = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
        cookie,
        body: { type: "text", title, config: { markdown: title }, position_x: 0, position_y: 1000, width: 6, height },
      });
      equal(res.status, 201, res.text);
      return res.body as { position_y: number };
    };
    deepStrictEqual([(await add("A", 4)).position_y, (await add("B", 3)).position_y, (await add("C", 4)).position_y], [
      0,
      4,
      7,
    ]);
  },
  ENV,
);
