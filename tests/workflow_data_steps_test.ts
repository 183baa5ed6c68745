/**
 * The data steps through the real app: `sync` syncs a connector and waits for it, `query` reads the
 * synced dataset with a structured query, and an `artifact` chart is made from the query's rows.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { engineFor } from "../functions/workflows/engine.ts";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { startSources, syncedWeatherConnector } from "./support/sources.ts";
import { createWorkflow, deliver, waitForExecution } from "./support/workflows.ts";

const sources = startSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` };

testEachBackend("sync, then query the dataset, then chart it: three steps, one execution", async (t) => {
  const user = await t.signUp();
  const connectorId = await syncedWeatherConnector(t, user.cookie, sources);
  const wf = await createWorkflow(t, user.cookie, {
    steps: [
      { id: "refresh", type: "sync", config: { connector_id: connectorId } },
      {
        id: "days",
        type: "query",
        config: {
          connector_id: connectorId,
          dataset: "seattle-weather",
          query: {
            dimensions: ["weather"],
            measures: [{ fn: "count", as: "days" }],
            order_by: [{ column: "weather" }],
          },
        },
      },
      {
        id: "chart",
        type: "artifact",
        config: {
          type: "chart",
          name: "Days by weather",
          content: "{ 'rows': steps.days.output.rows, 'chart': { 'mark': 'bar', 'x': 'weather', 'y': 'days' } }",
        },
      },
    ],
  });
  const run = await t.call(`/api/workflows/${wf.id}/run`, { cookie: user.cookie, body: {} });
  const done = await waitForExecution(t, user.cookie, (run.body as { execution_id: string }).execution_id, 60_000);
  equal(done.status, "succeeded", JSON.stringify(done));
  equal((done.steps[0].output as { rows: number }).rows, 1461);
  const rows = (done.steps[1].output as { rows: { weather: string; days: number | string }[] }).rows;
  deepStrictEqual(rows.map((r) => r.weather), ["drizzle", "fog", "rain", "snow", "sun"]);
  equal(rows.reduce((n, r) => n + Number(r.days), 0), 1461);
  const artifactId = (done.results as { artifact_id: string }).artifact_id;
  const svg = await t.call(`/api/artifacts/${artifactId}/chart.svg`, { cookie: user.cookie });
  equal(svg.status, 200, svg.text.slice(0, 300));
}, ENV);

closeSharedAppsAfterAll();
Deno.test({ name: "(stop the sources)", sanitizeOps: false, sanitizeResources: false, fn: () => sources.close() });

testEachBackend(
  "artifacts saved together by two owners: one owner's refused write fails alone, the other's land exactly once",
  async (t) => {
    const a = await t.signUp();
    const b = await t.signUp();
    const steps = [{ id: "save", type: "artifact", config: { type: "document", name: "Note", content: "'saved'" } }];
    const flowA = await createWorkflow(t, a.cookie, { steps });
    const flowB = await createWorkflow(t, b.cookie, { steps });
    // B may no longer write in its workspace (demoted): its artifact inserts are refused by RLS.
    await t.deps.db.orm.execute(
      sql`update memberships set role = 'viewer' where user_id = ${b.user.id}::uuid and workspace_id = ${b.workspace.id}::uuid`,
    );
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => deliver(t, i % 2 ? flowB : flowA, { i })),
    );
    const ids = sent.map((res) => (res.body as { execution_id: string }).execution_id);
    // The in-process kicks start as many as there are workers; the sweep runs the rest.
    await engineFor(t.deps).sweep(20_000);
    const done = await Promise.all(ids.map((id, i) => waitForExecution(t, i % 2 ? b.cookie : a.cookie, id)));
    for (const [i, execution] of done.entries()) {
      if (i % 2) {
        equal(execution.status, "failed", JSON.stringify(execution));
        match(execution.error ?? "", /owner may no longer change this workspace/);
        ok(!/insert into|params/i.test(execution.error ?? ""), execution.error ?? "");
      } else {
        equal(execution.status, "succeeded", JSON.stringify(execution));
        equal(execution.steps[0].attempts, 1, "saved once, not retried");
      }
    }
    const [counts] = await rows<{ a: number; b: number }>(
      t.deps.db.orm,
      sql`select count(*) filter (where workspace_id = ${a.workspace.id}::uuid)::int as a,
        count(*) filter (where workspace_id = ${b.workspace.id}::uuid)::int as b from artifacts`,
    );
    deepStrictEqual([Number(counts.a), Number(counts.b)], [20, 0]);
  },
);
