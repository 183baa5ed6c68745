/**
 * The dashboard and workflow pages as served: titles and breadcrumbs that name the item, the share
 * link 404 an outsider reads, rotate and revoke through the confirmation form (with JavaScript off
 * too), and the shared chart code's axes (a group-by column is a category, a measure is named).
 */
import { deepStrictEqual, doesNotMatch, equal, match, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { sql } from "drizzle-orm";
import { startSources } from "./support/sources.ts";
import { marks, pageCharts, weatherDashboard } from "./support/dashboards.ts";
import { createWorkflow } from "./support/workflows.ts";
import { toVegaLite } from "../lib/charts/chart_spec.ts";
import { chartSize } from "../functions/dashboards/render.ts";

const sources = startSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` };
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const pageBars = (html: string) => marks(pageCharts(html)[0] ?? "", "bar").length;
const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

testEachBackend("a dashboard, its editor and a workflow's pages are titled by name", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const page = await t.call(`/dashboards/${dashboardId}`, { cookie });
  equal(page.status, 200);
  equal(titleOf(page.text), "Seattle and Iowa · Dashboard · Workspace");
  // The breadcrumb is the section, not a section and a dangling slash.
  match(page.text, /<a href="\/dashboards">Dashboards<\/a><\/p>/);
  const edit = await t.call(`/dashboards/${dashboardId}/edit`, { cookie });
  equal(titleOf(edit.text), "Edit Seattle and Iowa · Dashboard · Workspace");

  const workflow = await createWorkflow(t, cookie, {
    name: "Nightly digest",
    steps: [{ id: "echo", type: "transform", config: { expression: "trigger.payload" } }],
  });
  const wf = await t.call(`/workflows/${workflow.id}`, { cookie });
  equal(wf.status, 200, wf.text);
  equal(titleOf(wf.text), "Nightly digest · Workflow · Workspace");
  const run = await t.call(`/api/workflows/${workflow.id}/run`, { method: "POST", cookie, body: {} });
  equal(run.status, 202, run.text);
  const executionId = (run.body as { execution_id: string }).execution_id;
  const execution = await t.call(`/workflows/executions/${executionId}`, { cookie });
  equal(execution.status, 200, execution.text);
  match(
    titleOf(execution.text) ?? "",
    /^Execution \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC · Nightly digest · Workflow · Workspace$/,
  );
  match(execution.text, new RegExp(`<a href="/workflows/${workflow.id}">Nightly digest</a>`));
}, ENV);

testEachBackend("an empty dashboard points its member to the editor; its share page does not", async (t) => {
  const { cookie } = await t.signUp();
  const created = await t.call("/api/dashboards", { cookie, body: { name: "Empty" } });
  const id = (created.body as { id: string }).id;
  const page = await t.call(`/dashboards/${id}`, { cookie });
  match(page.text, new RegExp(`No widgets yet</h2>.*<a href="/dashboards/${id}/edit">editor</a>`, "s"));
  const link = await t.call(`/api/dashboards/${id}/shares`, { cookie, body: {} });
  const shared = await t.call(new URL((link.body as { url: string }).url).pathname);
  match(shared.text, /This dashboard has no widgets yet\./);
  equal(shared.text.includes("/edit"), false);
});

testEachBackend("a share link that does not work says so to an outsider, the same page every time", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const unknown = await t.call(`/share/${"A".repeat(43)}`);
  equal(unknown.status, 404);
  equal(titleOf(unknown.text), "Link not working · Workspace");
  match(unknown.text, /This link does not work/);
  match(unknown.text, /Ask whoever sent it to you for a new link/);
  doesNotMatch(unknown.text, /Go to your workspace|href="\/"/);
  // Elsewhere the 404 is still the workspace's.
  match((await t.call("/no-such-page")).text, /Go to your workspace/);

  // Revoked through the Share panel's confirmation form (what the dialog and /confirm page post).
  const created = await t.call(`/api/dashboards/${dashboardId}/shares`, { cookie, body: { label: "Customer A" } });
  const link = created.body as { id: string; url: string };
  const confirm = await t.call(`/confirm/revoke-share?id=${link.id}`, { cookie });
  equal(confirm.status, 200);
  match(confirm.text, /Revoke “Customer A”\?/);
  match(confirm.text, new RegExp(`action="/dashboards/${dashboardId}/shares"`));
  const revoked = await t.call(`/dashboards/${dashboardId}/shares`, {
    method: "POST",
    cookie,
    headers: FORM,
    body: new URLSearchParams({ action: "revoke", id: link.id }).toString(),
  });
  equal(revoked.status, 303);
  equal(revoked.headers.get("location"), `/dashboards/${dashboardId}#share`);
  const gone = await t.call(new URL(link.url).pathname);
  equal(gone.status, 404);
  equal(gone.text.replace(/nonce="[^"]*"/g, ""), unknown.text.replace(/nonce="[^"]*"/g, ""));
}, ENV);

testEachBackend("rotating through the confirmation form gives the link a new URL", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const created = await t.call(`/api/dashboards/${dashboardId}/shares`, { cookie, body: { label: "Rotate me" } });
  const link = created.body as { id: string; url: string };
  const rotated = await t.call(`/dashboards/${dashboardId}/shares`, {
    method: "POST",
    cookie,
    headers: FORM,
    body: new URLSearchParams({ action: "rotate", id: link.id }).toString(),
  });
  equal(rotated.status, 303);
  equal((await t.call(new URL(link.url).pathname)).status, 404);
  const listed = await t.call(`/api/shares?dashboard_id=${dashboardId}`, { cookie });
  const [now] = (listed.body as { items: { id: string; url: string }[] }).items;
  equal(now.id, link.id);
  equal((await t.call(new URL(now.url).pathname)).status, 200);
  // Another dashboard's link is not this form's to touch.
  const other = await t.call("/api/dashboards", { cookie, body: { name: "Other" } });
  const refused = await t.call(`/dashboards/${(other.body as { id: string }).id}/shares`, {
    method: "POST",
    cookie,
    headers: FORM,
    body: new URLSearchParams({ action: "revoke", id: link.id }).toString(),
  });
  equal(refused.status, 404);
}, ENV);

testEachBackend("a filter a live share link locks cannot be dropped: the link would show every row", async (t) => {
  const { cookie } = await t.signUp();
  const { dashboardId } = await weatherDashboard(t, cookie, sources);
  const link = await t.call(`/api/dashboards/${dashboardId}/shares`, {
    cookie,
    body: { label: "Sun only", locked_filters: { weather: "sun" } },
  });
  equal(link.status, 201);
  const date = { id: "date", label: "Date", column: "date", type: "date_range" };
  /** Writes filters straight to the database, past the API's guards (as an older rule or a sync would leave them). */
  const storeFilters = async (filters: unknown[]) => {
    await t.deps.db.orm.execute(
      sql`update dashboards set filters = ${
        JSON.stringify(filters)
      }::jsonb, updated_at = now() where id = ${dashboardId}`,
    );
    await new Promise((r) => setTimeout(r, 1_100)); // the process's 1 s lookup of the link
  };
  const dropped = await t.call(`/api/dashboards/${dashboardId}`, {
    method: "PATCH",
    cookie,
    body: { filters: [date] },
  });
  equal(dropped.status, 409);
  equal(
    (dropped.body as { error: { message: string } }).error.message,
    'The filter "Weather" is locked on the share link "Sun only": revoke that link first, or keep the filter',
  );
  const shared = await t.call(new URL((link.body as { url: string }).url).pathname);
  equal(pageBars(shared.text), 1, "the link still shows sunny days only");
  // Nor changed so that it would refuse the locked value (a number range would refuse "sun"), or mean another.
  const retyped = await t.call(`/api/dashboards/${dashboardId}`, {
    method: "PATCH",
    cookie,
    body: { filters: [{ id: "weather", label: "Weather", column: "weather", type: "number_range" }, date] },
  });
  equal(retyped.status, 409, retyped.text);
  match(
    (retyped.body as { error: { message: string } }).error.message,
    /its column and type cannot change while the link is live/,
  );
  // Nor moved to another column, nor given another type (a select locked to "20.." would become "20 and over").
  for (const changed of [{ column: "date" }, { column: "Weather" }, { type: "number_range" }]) {
    const res = await t.call(`/api/dashboards/${dashboardId}`, {
      method: "PATCH",
      cookie,
      body: { filters: [{ id: "weather", label: "Weather", column: "weather", type: "select", ...changed }, date] },
    });
    equal(res.status, 409, `${JSON.stringify(changed)}: ${res.text}`);
  }
  // Were its column gone all the same (a sync that renamed it), no widget shows rows the lock keeps out.
  await storeFilters([{ id: "weather", label: "Weather", column: "nosuchcol", type: "select" }, date]);
  const columnGone = await t.call(new URL((link.body as { url: string }).url).pathname);
  equal(pageBars(columnGone.text), 0, "no bars: the lock cannot apply");
  match(columnGone.text, /This widget is not shown on this link/);
  // Should a locked value be refused anyway (a link older than a rule), it stays applied: no row beyond it shows.
  await storeFilters([{ id: "weather", label: "Weather", column: "weather", type: "number_range" }, date]);
  const failedClosed = await t.call(new URL((link.body as { url: string }).url).pathname);
  ok(pageBars(failedClosed.text) <= 1, "never the rows the lock keeps out");
  equal(failedClosed.text.includes("shown without that filter"), false);
  await storeFilters([{ id: "weather", label: "Weather", column: "weather", type: "select" }, date]);
  // Renaming it keeps the lock (the id stays), and after revoking the link it can go.
  const renamed = [{ id: "weather", label: "Sky", column: "weather", type: "select" }, date];
  equal(
    (await t.call(`/api/dashboards/${dashboardId}`, { method: "PATCH", cookie, body: { filters: renamed } })).status,
    200,
  );
  await t.call(`/api/shares/${(link.body as { id: string }).id}`, { method: "DELETE", cookie });
  equal(
    (await t.call(`/api/dashboards/${dashboardId}`, { method: "PATCH", cookie, body: { filters: [date] } })).status,
    200,
  );
}, ENV);

Deno.test("a group-by column is a category on the x axis and a measure is titled by what it computes", () => {
  const columns = [{ name: "store", type: "integer" as const }, { name: "sum_amount", type: "number" as const }];
  const spec = toVegaLite({ mark: "bar", x: "store", y: "sum_amount" }, columns, [[1, 10], [4, 20], [6, 5]], {
    query: { dimensions: ["store"], measures: [{ fn: "sum", column: "amount" }] },
  }) as { encoding: { x: { type: string; title: string }; y: { title: string } } };
  equal(spec.encoding.x.type, "ordinal");
  equal(spec.encoding.y.title, "sum of amount");
  // Without a query (raw rows, a scatter of two numbers) a number stays a quantity.
  const raw = toVegaLite({ mark: "point", x: "store", y: "sum_amount" }, columns, [[1, 10]]) as {
    encoding: { x: { type: string; title: string } };
  };
  equal(raw.encoding.x.type, "quantitative");
  // A measure the query named keeps its name.
  const named = toVegaLite(
    { mark: "bar", x: "store", y: "days" },
    [columns[0], { name: "days", type: "integer" }],
    [],
    {
      query: { dimensions: ["store"], measures: [{ fn: "count", as: "days" }] },
    },
  ) as { encoding: { y: { title: string } } };
  equal(named.encoding.y.title, "days");
});

Deno.test("a widget's chart is drawn at its cell's size on the 80 px rows with 12 px gaps", () => {
  // A 6 × 4 cell is 6 columns and 5 gaps wide, 4 rows and 3 gaps high, less padding and header.
  deepStrictEqual(chartSize({ width: 6, height: 4 }), {
    width: 6 * 76 + 5 * 12 - 30,
    height: 4 * 80 + 3 * 12 - 22 - 28,
  });
});

closeSharedAppsAfterAll();
addEventListener("unload", () => sources.close());
