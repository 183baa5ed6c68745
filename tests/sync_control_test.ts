/**
 * Syncs against sources that go silent, through the HTTP API: the test endpoint and syncs end
 * within their limits with a sentence, a running sync can be cancelled (here or from another
 * process), and a sync whose process died is failed at the next scheduler tick and ends its
 * progress stream.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { eq } from "drizzle-orm";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { startHostileSources } from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { runDueSyncs } from "../functions/scheduled_syncs.ts";
import { INTERRUPTED } from "../functions/sync_control.ts";
import { connectors, connectorSyncs, memberships } from "../db/schema.ts";

const sources = startHostileSources();
const ALLOW = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" };
/** A short silence limit: the stalled source must be given up on after 0.8 s. */
const SHORT = { ...ALLOW, OUTBOUND_TIMEOUT_MS: "800" };
/** Limits far away, so that only a cancel can end the sync; heartbeats every 200 ms. */
const PATIENT = { ...ALLOW, OUTBOUND_TIMEOUT_MS: "120000", SYNC_TIMEOUT_MS: "120000", SYNC_HEARTBEAT_MS: "200" };

interface Sync {
  id: string;
  status: string;
  error: string | null;
}

async function connector(t: TestApp, cookie: string, path: string, type = "http_json") {
  const config = type === "csv" ? { url: `${sources.base}${path}` } : {
    url: `${sources.base}${path}`,
    records_path: "items",
  };
  const res = await t.call("/api/connectors", { cookie, body: { name: `Silent ${path}`, type, config } });
  equal(res.status, 201, res.text);
  return (res.body as { id: string }).id;
}

async function startSync(t: TestApp, cookie: string, id: string): Promise<string> {
  const res = await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  equal(res.status, 202, res.text);
  return (res.body as { sync_id: string }).sync_id;
}

async function latestSync(t: TestApp, cookie: string, id: string): Promise<Sync> {
  return ((await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as { items: Sync[] }).items[0];
}

async function connectorStatus(t: TestApp, cookie: string, id: string) {
  return (await t.call(`/api/connectors/${id}`, { cookie })).body as { status: string; last_error: string | null };
}

/** Waits until the sync runs and the source has been asked (so it is stuck in a body read). */
async function untilRunning(t: TestApp, cookie: string, id: string, asked: number) {
  for (let i = 0; i < 400; i++) {
    if ((await latestSync(t, cookie, id)).status === "running" && sources.seen.length > asked) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("The sync never started running");
}

testEachBackend("a silent source: the test ends within the limit with a sentence, a sync fails clearly", async (t) => {
  const { cookie } = await t.signUp();
  for (const [path, type] of [["/stall.json", "http_json"], ["/stall.csv", "csv"], ["/no-headers", "http_json"]]) {
    const id = await connector(t, cookie, path, type);
    const started = performance.now();
    const tested = await t.call(`/api/connectors/${id}/test`, { method: "POST", cookie });
    const took = performance.now() - started;
    ok(took < 5000, `${path}: the test took ${took} ms`);
    equal(tested.status, 200, tested.text);
    const outcome = tested.body as { ok: boolean; message: string };
    // A CSV test reads a sample (64 KiB or 10 lines) to tell its encoding and delimiter, so it
    // waits on the silence like the JSON sources do.
    equal(outcome.ok, false, `${type}: ${outcome.message}`);
    match(outcome.message, /within 0\.8 s|stopped sending for 0\.8 s/);

    const syncStarted = performance.now();
    await startSync(t, cookie, id);
    await syncsSettled();
    ok(performance.now() - syncStarted < 6000, `${path}: the sync ran ${performance.now() - syncStarted} ms`);
    const sync = await latestSync(t, cookie, id);
    equal(sync.status, "failed", path);
    match(sync.error ?? "", /127\.0\.0\.1:\d+ (stopped sending for 0\.8 s|did not answer within 0\.8 s)/);
    equal((await connectorStatus(t, cookie, id)).status, "error");
    // The connector is free again: the next sync starts.
    await startSync(t, cookie, id);
    await syncsSettled();
  }
}, SHORT);

testEachBackend("every sync has an overall deadline (SYNC_TIMEOUT_MS)", async (t) => {
  const { cookie } = await t.signUp();
  const id = await connector(t, cookie, "/stall.json");
  const started = performance.now();
  await startSync(t, cookie, id);
  await syncsSettled();
  const took = performance.now() - started;
  ok(took >= 1400 && took < 7000, `the sync ran ${took} ms`);
  const sync = await latestSync(t, cookie, id);
  equal(sync.status, "failed");
  equal(sync.error, "The sync ran longer than 1.5 s (SYNC_TIMEOUT_MS) and was stopped");
}, { ...ALLOW, OUTBOUND_TIMEOUT_MS: "120000", SYNC_TIMEOUT_MS: "1500" });

testEachBackend("a running sync can be cancelled by an editor, at once, and frees the connector", async (t) => {
  const owner = await t.signUp({ name: "Ada Lovelace" });
  const id = await connector(t, owner.cookie, "/stall.json");
  const syncId = await startSync(t, owner.cookie, id);
  await untilRunning(t, owner.cookie, id, 0);
  const path = `/api/connectors/${id}/syncs/${syncId}/cancel`;

  // Someone outside the workspace cannot see it; a viewer of it may not cancel.
  const stranger = await t.signUp();
  equal((await t.call(path, { method: "POST", cookie: stranger.cookie })).status, 404);
  await t.deps.db.orm.insert(memberships).values({
    workspaceId: owner.workspace.id,
    userId: stranger.user.id,
    role: "viewer",
  });
  const refused = await t.call(path, { method: "POST", cookie: stranger.cookie });
  equal(refused.status, 403, refused.text);
  equal((await latestSync(t, owner.cookie, id)).status, "running");

  const started = performance.now();
  const cancelled = await t.call(path, { method: "POST", cookie: owner.cookie });
  equal(cancelled.status, 200, cancelled.text);
  const body = cancelled.body as Sync;
  deepStrictEqual([body.id, body.status, body.error], [syncId, "failed", "Cancelled by Ada Lovelace"]);
  await syncsSettled();
  ok(performance.now() - started < 4000, `the work stopped after ${performance.now() - started} ms`);
  deepStrictEqual(
    [(await latestSync(t, owner.cookie, id)).error, (await connectorStatus(t, owner.cookie, id)).status],
    ["Cancelled by Ada Lovelace", "idle"],
  );
  const again = await t.call(path, { method: "POST", cookie: owner.cookie });
  equal(again.status, 409);
  match((again.body as { error: { message: string } }).error.message, /already ended/);
  const next = await startSync(t, owner.cookie, id);
  await untilRunning(t, owner.cookie, id, 0);
  equal(
    (await t.call(`/api/connectors/${id}/syncs/${next}/cancel`, { method: "POST", cookie: owner.cookie })).status,
    200,
  );
  await syncsSettled();
}, PATIENT);

testEachBackend("a cancel made by another process stops the work here at the next heartbeat", async (t) => {
  const { cookie } = await t.signUp();
  const id = await connector(t, cookie, "/stall.json");
  const syncId = await startSync(t, cookie, id);
  await untilRunning(t, cookie, id, 0);
  // What the cancel endpoint of another process writes; this process's registry never hears of it.
  await t.deps.db.orm.update(connectorSyncs).set({
    status: "failed",
    error: "Cancelled by Grace",
    finishedAt: new Date(),
  })
    .where(eq(connectorSyncs.id, syncId));
  const started = performance.now();
  await syncsSettled();
  ok(performance.now() - started < 4000, `the work stopped after ${performance.now() - started} ms`);
  equal((await latestSync(t, cookie, id)).error, "Cancelled by Grace", "the other process's outcome stands");
}, PATIENT);

/** Makes a sync row as a process that then died would leave it: running, its heartbeat 3 minutes old. */
async function deadSync(t: TestApp, cookie: string, workspaceId: string) {
  const id = await connector(t, cookie, "/");
  const beat = new Date(Date.now() - 3 * 60_000);
  const [row] = await t.deps.db.orm.insert(connectorSyncs).values({
    workspaceId,
    connectorId: id,
    status: "running",
    startedAt: beat,
    heartbeatAt: beat,
  }).returning();
  await t.deps.db.orm.update(connectors).set({ status: "syncing" }).where(eq(connectors.id, id));
  return { id, syncId: row.id };
}

testEachBackend("a sync whose process died is failed by the scheduler, and its event stream ends", async (t) => {
  const { cookie, workspace } = await t.signUp();
  const dead = await deadSync(t, cookie, workspace.id);
  await runDueSyncs(t.deps);
  const sync = await latestSync(t, cookie, dead.id);
  deepStrictEqual([sync.status, sync.error], ["failed", INTERRUPTED]);
  deepStrictEqual(await connectorStatus(t, cookie, dead.id), {
    ...await connectorStatus(t, cookie, dead.id),
    status: "error",
    last_error: INTERRUPTED,
  });
  await startSync(t, cookie, dead.id);
  await syncsSettled();
  equal((await latestSync(t, cookie, dead.id)).status, "succeeded");

  // A client watching a dead sync gets a last event saying it failed, and the stream ends.
  const watched = await deadSync(t, cookie, workspace.id);
  const res = await t.fetch(
    new Request(`http://localhost/api/connectors/${watched.id}/syncs/${watched.syncId}/events`, {
      headers: { cookie },
    }),
  );
  equal(res.status, 200);
  const text = await Promise.race([
    res.text(),
    new Promise<string>((_, reject) => setTimeout(() => reject(new Error("the event stream never ended")), 10_000)),
  ]);
  const events = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => JSON.parse(l.slice(5)) as Sync);
  const last = events.at(-1)!;
  deepStrictEqual([last.status, last.error], ["failed", INTERRUPTED]);
  equal((await connectorStatus(t, cookie, watched.id)).status, "error");
}, ALLOW);

closeSharedAppsAfterAll();
Deno.test({
  name: "(stop the hostile sources)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
