/**
 * Overlapping uploads to one csv connector, through the API: the newest started upload is the
 * one kept, whichever finishes first; the connector then points at a complete file whose bytes
 * are exactly that upload's, and the other upload's pieces are gone. Bodies are streams the test
 * holds open halfway, so the overlap is certain rather than a matter of timing.
 */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { closeSharedAppsAfterAll, ORIGIN, type TestApp, testEachBackend } from "./support/test_app.ts";
import { rows } from "../db/rows.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { timeOrderedId } from "../functions/connectors.ts";
import { sweepAbandonedUploads } from "../db/maintenance.ts";

/** A CSV of about `megabytes` MB with `lines` data rows, different each call. */
function bigCsv(megabytes: number): { bytes: Uint8Array<ArrayBuffer>; lines: number } {
  const seed = crypto.randomUUID();
  const lines: string[] = ["id,label,amount"];
  let size = 0;
  for (let i = 0; size < megabytes * 1e6; i++) {
    const line = `${i},${seed}-${i},${(i * 7) % 1000}.25`;
    lines.push(line);
    size += line.length + 1;
  }
  return { bytes: new TextEncoder().encode(lines.join("\n") + "\n"), lines: lines.length - 1 };
}

/** An upload whose body stops after `holdAt` bytes until `release()`; `held` resolves when it stops there. */
function heldUpload(t: TestApp, cookie: string, id: string, bytes: Uint8Array, holdAt: number) {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let reached!: () => void;
  const held = new Promise<void>((r) => reached = r);
  async function* body() {
    let offset = 0;
    while (offset < bytes.length) {
      if (offset === holdAt) {
        reached();
        await gate;
      }
      const end = Math.min(bytes.length, offset + 65536, offset < holdAt ? holdAt : Infinity);
      yield bytes.subarray(offset, end);
      offset = end;
    }
    reached();
  }
  const response = Promise.resolve(t.fetch(
    new Request(`${ORIGIN}/api/connectors/${id}/upload?filename=data.csv`, {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "text/csv" },
      body: ReadableStream.from(body()),
      duplex: "half",
    } as RequestInit),
    { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } },
  )).then(async (res) => ({ status: res.status, text: await res.text() }));
  return { held, release, response };
}

const hex = async (bytes: Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** What is stored for the connector: per upload id, its pieces and the SHA-256 of their bytes in order. */
async function stored(t: TestApp, id: string) {
  return await rows<{ id: string; pieces: number; sha: string }>(
    t.deps.db.orm,
    sql`select upload_id::text as id, count(*)::int as pieces,
      encode(sha256(string_agg(bytes, ''::bytea order by seq)), 'hex') as sha
    from connector_files where connector_id = ${id} group by 1`,
  );
}

async function connectorConfig(t: TestApp, cookie: string, id: string) {
  return (await t.call(`/api/connectors/${id}`, { cookie })).body as {
    config: { upload: { id: string; bytes: number }; dataset_name?: string };
  };
}

testEachBackend("overlapping uploads: the newest started wins, whole, and the other leaves nothing", async (t) => {
  const { cookie } = await t.signUp();
  const created = await t.call("/api/connectors", { cookie, body: { name: "Race", type: "csv", config: {} } });
  equal(created.status, 201, created.text);
  const id = (created.body as { id: string }).id;
  const small = new TextEncoder().encode("a,b\n1,2\n");

  // A big upload is halfway when an 8-byte one starts and finishes: the small one, started later, wins.
  const big = bigCsv(6);
  const first = heldUpload(t, cookie, id, big.bytes, 3_000_000);
  await first.held;
  await new Promise((r) => setTimeout(r, 5)); // ids are ordered by the millisecond an upload starts
  const second = heldUpload(t, cookie, id, small, Infinity);
  equal((await second.response).status, 200);
  first.release();
  const late = await first.response;
  equal(late.status, 409, late.text);
  match(late.text, /started after this one/);
  let config = (await connectorConfig(t, cookie, id)).config;
  equal(config.upload.bytes, 8);
  deepStrictEqual(await stored(t, id), [{ id: config.upload.id, pieces: 1, sha: await hex(small) }]);

  // The other way round, with a PATCH in between: the big one, started later, wins; the PATCH stays.
  const third = heldUpload(t, cookie, id, small, 4);
  await third.held;
  const patched = await t.call(`/api/connectors/${id}`, {
    cookie,
    method: "PATCH",
    body: { config: { dataset_name: "orders" } },
  });
  equal(patched.status, 200, patched.text);
  await new Promise((r) => setTimeout(r, 5));
  const fourth = heldUpload(t, cookie, id, big.bytes, Infinity);
  equal((await fourth.response).status, 200);
  third.release();
  equal((await third.response).status, 409);
  config = (await connectorConfig(t, cookie, id)).config;
  equal(config.upload.bytes, big.bytes.length);
  equal(config.dataset_name, "orders");
  deepStrictEqual(await stored(t, id), [{
    id: config.upload.id,
    pieces: Math.ceil(big.bytes.length / 1048576),
    sha: await hex(big.bytes),
  }]);
  const started = await t.call(`/api/connectors/${id}/sync`, { cookie, method: "POST" });
  equal(started.status, 202, started.text);
  await syncsSettled();
  const history = (await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as {
    items: { status: string; rows: number }[];
  };
  deepStrictEqual([history.items[0].status, history.items[0].rows], ["succeeded", big.lines]);

  // A sync that finds pieces gone (a newer upload published while it read) fails, never keeps half a file.
  await t.deps.db.orm.execute(sql`delete from connector_files where connector_id = ${id} and seq = 3`);
  equal((await t.call(`/api/connectors/${id}/sync`, { cookie, method: "POST" })).status, 202);
  await syncsSettled();
  const after = (await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as {
    items: { status: string; error: string }[];
  };
  equal(after.items[0].status, "failed");
  match(after.items[0].error, /newer upload replaced the file/);
  const count = await t.call("/api/query", {
    cookie,
    body: { connector_id: id, dataset: "orders", query: { measures: [{ fn: "count" }] } },
  });
  deepStrictEqual((count.body as { rows: unknown[][] }).rows, [[big.lines]], "the last good sync's rows stay");
});

testEachBackend("pieces of uploads abandoned for a day are swept; the published and recent ones stay", async (t) => {
  const { cookie, workspace } = await t.signUp();
  const created = await t.call("/api/connectors", { cookie, body: { name: "Tidy", type: "csv", config: {} } });
  const id = (created.body as { id: string }).id;
  const upload = await t.call(`/api/connectors/${id}/upload`, {
    cookie,
    body: "a,b\n1,2\n",
    headers: { "content-type": "text/csv" },
  });
  equal(upload.status, 200, upload.text);
  const current = (upload.body as { config: { upload: { id: string } } }).config.upload.id;
  const old = timeOrderedId(Date.now() - 2 * 86_400_000);
  const recent = timeOrderedId(Date.now() - 60_000);
  const legacy = crypto.randomUUID();
  for (const uploadId of [old, recent, legacy]) {
    await t.deps.db.orm.execute(sql`insert into connector_files (connector_id, upload_id, seq, workspace_id, bytes)
      values (${id}, ${uploadId}, 0, ${workspace.id}, decode('01', 'hex'))`);
  }
  equal(await sweepAbandonedUploads(t.deps.db), 2);
  deepStrictEqual((await stored(t, id)).map((r) => r.id).sort(), [current, recent].sort());
});

closeSharedAppsAfterAll();
