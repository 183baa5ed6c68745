/**
 * Credentials never reach another origin, through the real app and hostile local servers: an
 * http_json API whose next-page link points elsewhere is refused before anything is sent there,
 * and a workflow http step's sealed headers (any name) are dropped on a redirect to another origin.
 */
import { equal, match, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { startHostileSources } from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { createWorkflow, waitForExecution } from "./support/workflows.ts";

const sources = startHostileSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" };

const CUSTOM = `custom-secret-${crypto.randomUUID()}`;
const AUTH = `Bearer auth-secret-${crypto.randomUUID()}`;

/** Whether any request the other origin saw carries one of the secrets, in any header. */
function leaked(): boolean {
  return sources.other.seen.some((r) =>
    Object.values(r.headers).some((v) => v.includes(CUSTOM) || v.includes(AUTH.slice(7)))
  );
}

testEachBackend("an http_json next-page link to another origin fails the sync and sends nothing there", async (t) => {
  const { cookie } = await t.signUp();
  const before = sources.other.seen.length;
  for (const to of [`${sources.other.base}/page2`, `//127.0.0.1:${sources.other.port}/page2`]) {
    const created = await t.call("/api/connectors", {
      cookie,
      body: {
        name: "Paged elsewhere",
        type: "http_json",
        config: {
          url: `${sources.base}/next?to=${encodeURIComponent(to)}`,
          records_path: "items",
          pagination: { type: "next_url", next_path: "next" },
        },
        credentials: { headers: { "X-Custom-Secret": CUSTOM, Authorization: AUTH } },
      },
    });
    equal(created.status, 201, created.text);
    const id = (created.body as { id: string }).id;
    equal((await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie })).status, 202);
    await syncsSettled();
    const [sync] = ((await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as {
      items: { status: string; error: string }[];
    }).items;
    equal(sync.status, "failed", JSON.stringify(sync));
    equal(
      sync.error,
      `The API's next-page link points to another site (127.0.0.1:${sources.other.port}): the connector follows ` +
        `pages on ${sources.base} only`,
    );
  }
  equal(sources.other.seen.length, before, "a request reached the other origin");
  ok(!leaked());
  // The first origin did get the credentials: the test would pass for the wrong reason otherwise.
  ok(sources.seen.some((r) => r.path === "/next" && r.headers["x-custom-secret"] === CUSTOM));
}, ENV);

testEachBackend("a same-origin next-page link is still followed", async (t) => {
  const { cookie } = await t.signUp();
  const created = await t.call("/api/connectors", {
    cookie,
    body: {
      name: "Paged here",
      type: "http_json",
      config: {
        url: `${sources.base}/next?to=${encodeURIComponent("/last")}`,
        records_path: "items",
        pagination: { type: "next_url", next_path: "next" },
      },
    },
  });
  const id = (created.body as { id: string }).id;
  await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  await syncsSettled();
  const [sync] = ((await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as {
    items: { status: string; error: string; warnings: { code: string }[] }[];
  }).items;
  equal(sync.status, "succeeded", JSON.stringify(sync));
  ok(sources.seen.some((r) => r.path === "/last"));
}, ENV);

testEachBackend("a workflow http step's sealed headers, whatever their names, stay off another origin", async (t) => {
  const { cookie } = await t.signUp();
  const before = sources.other.seen.length;
  const target = `${sources.base}/redirect?to=${encodeURIComponent(`${sources.other.base}/landed`)}`;
  const wf = await createWorkflow(t, cookie, {
    steps: [{
      id: "call",
      type: "http",
      config: {
        method: "GET",
        url: target,
        headers: { "x-plain": "not secret" },
        secret_headers: { "X-Custom-Secret": CUSTOM, Authorization: AUTH, "X-Carrier": `key=${CUSTOM}` },
      },
    }],
    config: { retries: { attempts: 1 } },
  });
  const run = await t.call(`/api/workflows/${wf.id}/run`, { cookie, body: { input: {} } });
  equal(run.status, 202, run.text);
  const done = await waitForExecution(t, cookie, (run.body as { execution_id: string }).execution_id);
  equal(done.status, "succeeded", JSON.stringify(done));
  const landed = sources.other.seen.slice(before).filter((r) => r.path === "/landed");
  equal(landed.length, 1);
  equal(landed[0].headers["x-plain"], "not secret");
  for (const name of ["x-custom-secret", "authorization", "x-carrier"]) {
    equal(landed[0].headers[name], undefined, `${name} reached the other origin`);
  }
  ok(!leaked());
  // …while the first hop, on the step's own origin, had them all.
  const first = sources.seen.findLast((r) => r.path === "/redirect")!;
  equal(first.headers["x-custom-secret"], CUSTOM);
  match(first.headers["authorization"], /^Bearer auth-secret-/);
}, ENV);

Deno.test({
  name: "close the hostile sources",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
closeSharedAppsAfterAll();
