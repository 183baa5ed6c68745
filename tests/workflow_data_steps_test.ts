/**
 * The data steps through the real app: `sync` syncs a connector and waits for it, `query` reads the
 * synced dataset with a structured query, and an `artifact` chart is made from the query's rows.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { startSources, syncedWeatherConnector } from "./support/sources.ts";
import { createWorkflow, waitForExecution } from "./support/workflows.ts";

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
