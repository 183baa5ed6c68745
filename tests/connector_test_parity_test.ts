/**
 * "Test connection" says what a sync would say: for the HTTP JSON API and Supabase types, each
 * fault (empty body, 404, unreachable host, a body that is not JSON, a wrong key, no records)
 * gives the test the very sentence the sync fails with, through HTTP against the real app.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { syncsSettled } from "../functions/sync_connector.ts";

const KEY = "sb-parity-key";
const source = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/empty") return new Response("");
  if (path === "/secret") {
    if (req.headers.get("authorization") !== "Bearer right") return Response.json({ error: "no" }, { status: 401 });
    return Response.json([{ a: 1 }]);
  }
  if (path === "/html") {
    return new Response("<!doctype html><p>Hello</p>", { headers: { "content-type": "text/html" } });
  }
  if (path === "/object") return Response.json({ data: { count: 3 } });
  if (path === "/truncated") {
    return new Response('[{"a": 1}, {"a":', { headers: { "content-type": "application/json" } });
  }
  if (path.startsWith("/sb/") || path.startsWith("/sbempty/") || path.startsWith("/sbhtml/")) {
    if (req.headers.get("apikey") !== KEY) return Response.json({ message: "Invalid API key" }, { status: 401 });
    if (path.startsWith("/sbempty/")) return new Response("", { headers: { "content-type": "application/json" } });
    if (path.startsWith("/sbhtml/")) return new Response("<html>", { headers: { "content-type": "text/html" } });
    if (path === "/sb/rest/v1/") {
      return Response.json({ definitions: { people: { properties: { id: { format: "integer" } } } } });
    }
  }
  return new Response("not found", { status: 404 });
});
// A port nothing listens on: bound, then closed.
const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const closedPort = (closed.addr as Deno.NetAddr).port;
closed.close();
const base = `http://127.0.0.1:${source.addr.port}`;
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${source.addr.port},127.0.0.1:${closedPort}` };

/** Creates a connector, syncs it, tests it, and returns both sentences. */
async function both(t: TestApp, cookie: string, body: Record<string, unknown>) {
  const created = await t.call("/api/connectors", { cookie, body: { name: "Fault", ...body } });
  equal(created.status, 201, created.text);
  const id = (created.body as { id: string }).id;
  const started = await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  equal(started.status, 202, started.text);
  await syncsSettled();
  const history = await t.call(`/api/connectors/${id}/syncs`, { cookie });
  const synced = (history.body as { items: { status: string; error: string | null }[] }).items[0];
  const tested = await t.call(`/api/connectors/${id}/test`, { method: "POST", cookie });
  equal(tested.status, 200, tested.text);
  return { synced, tested: tested.body as { ok: boolean; message: string } };
}

testEachBackend("Test connection gives the sync's sentence for every fault of an HTTP JSON API", async (t) => {
  const { cookie } = await t.signUp();
  const faults: [string, Record<string, unknown>][] = [
    ["empty body", { url: `${base}/empty` }],
    ["404", { url: `${base}/missing` }],
    ["unreachable host", { url: `http://127.0.0.1:${closedPort}/items` }],
    ["HTML, not JSON", { url: `${base}/html` }],
    ["cut-off JSON", { url: `${base}/truncated` }],
    ["no array of records", { url: `${base}/object`, records_path: "data.items" }],
  ];
  const wrongKey = await both(t, cookie, {
    type: "http_json",
    config: { url: `${base}/secret` },
    credentials: { headers: { authorization: "Bearer wrong" } },
  });
  deepStrictEqual(wrongKey.tested, { ok: false, message: wrongKey.synced.error }, "wrong credentials");
  for (const [fault, config] of faults) {
    const { synced, tested } = await both(t, cookie, { type: "http_json", config });
    equal(synced.status, "failed", fault);
    ok(
      synced.error && !/^The sync failed:|unexpected|undefined|Cannot read/i.test(synced.error),
      `${fault}: "${synced.error}" is no sentence for a user`,
    );
    deepStrictEqual(tested, { ok: false, message: synced.error }, fault);
  }
}, ENV);

testEachBackend("Test connection gives the sync's sentence for every fault of a Supabase project", async (t) => {
  const { cookie } = await t.signUp();
  const faults: [string, Record<string, unknown>, string][] = [
    ["wrong key", { url: `${base}/sb` }, "wrong-key"],
    ["404", { url: `${base}/nothing-here` }, KEY],
    ["unreachable host", { url: `http://127.0.0.1:${closedPort}` }, KEY],
    ["empty answer", { url: `${base}/sbempty` }, KEY],
    ["not JSON", { url: `${base}/sbhtml` }, KEY],
    ["missing table", { url: `${base}/sb`, tables: ["orders"] }, KEY],
  ];
  for (const [fault, config, key] of faults) {
    const { synced, tested } = await both(t, cookie, { type: "supabase", config, credentials: { key } });
    equal(synced.status, "failed", fault);
    ok(
      synced.error && !/^The sync failed:|unexpected|undefined|Cannot read/i.test(synced.error),
      `${fault}: "${synced.error}" is no sentence for a user`,
    );
    deepStrictEqual(tested, { ok: false, message: synced.error }, fault);
  }
}, ENV);

closeSharedAppsAfterAll();
Deno.test({
  name: "(close the source)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => source.shutdown(),
});
