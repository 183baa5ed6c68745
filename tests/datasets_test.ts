/** Deleting a dataset over the API: once, audited, a clear 404 after, and uploads that replace rather than pile up. */
import { equal, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { asSystem } from "../db/rls.ts";
import { sql } from "drizzle-orm";

async function uploaded(t: TestApp, cookie: string, files: string[]): Promise<string> {
  const created = await t.call("/api/connectors", { cookie, body: { name: "Uploads", type: "csv", config: {} } });
  const id = (created.body as { id: string }).id;
  for (const [i, body] of files.entries()) {
    const up = await t.call(`/api/connectors/${id}/upload?filename=file-${i}.csv`, {
      cookie,
      body,
      headers: { "content-type": "text/csv" },
    });
    equal(up.status < 300, true, up.text);
    equal((await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie })).status, 202);
    await syncsSettled();
  }
  return id;
}

testEachBackend("five uploads to one CSV connector leave one dataset, holding the last file", async (t) => {
  const { cookie } = await t.signUp();
  const id = await uploaded(t, cookie, ["n\n1\n", "n\n1\n2\n", "n\n1\n2\n3\n", "x,y\n1,2\n", "v\n9\n8\n"]);
  const list = (await t.call(`/api/connectors/${id}/datasets`, { cookie })).body as {
    items: { name: string; row_count: number }[];
  };
  equal(list.items.length, 1);
  equal(list.items[0].name, "file-0", "the dataset keeps its first name");
  equal(list.items[0].row_count, 2);
});

testEachBackend("DELETE /api/connectors/:id/datasets/:name deletes once under 40 at a time, audited", async (t) => {
  const { cookie } = await t.signUp();
  const id = await uploaded(t, cookie, ["a,b\n1,2\n"]);
  const path = `/api/connectors/${id}/datasets/file-0`;
  const answers = await Promise.all(Array.from({ length: 40 }, () => t.call(path, { method: "DELETE", cookie })));
  const statuses = answers.map((a) => a.status);
  equal(statuses.filter((s) => s === 204).length, 1, statuses.join(","));
  ok(statuses.every((s) => s === 204 || s === 404), statuses.join(","));
  equal(((await t.call(`/api/connectors/${id}/datasets`, { cookie })).body as { items: unknown[] }).items.length, 0);
  const audit = await asSystem(
    t.deps.db,
    (tx) => tx.execute(sql`select count(*)::int as n from audit_logs where action = 'dataset.delete'`),
  ) as unknown as { rows?: { n: number }[] } & { n: number }[];
  const n = audit.rows?.[0]?.n ?? audit[0]?.n;
  equal(n, 1);
  equal((await t.call(`/api/connectors/${id}/datasets/nope`, { method: "DELETE", cookie })).status, 404);
  equal((await t.call(`/api/connectors/not-a-uuid/datasets/x`, { method: "DELETE", cookie })).status, 400);
  const other = await t.signUp();
  equal(
    (await t.call(`/api/connectors/${id}/datasets/file-0`, { method: "DELETE", cookie: other.cookie })).status,
    404,
  );
});

closeSharedAppsAfterAll();
