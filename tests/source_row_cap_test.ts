/**
 * A postgres source row too large to hold (a 100 MB text cell; 300 MB ran the server out of
 * memory before) stays on the source: the sync, full (COPY on the PostgreSQL backend, batches on
 * the others) and incremental (batches), keeps every other row and says on its record how many
 * rows were over the per-row cap. Through the real app against the machine's PostgreSQL, as a
 * read-only role. Needs TEST_DATABASE_URL.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { readOnlyRole, startPostgresSource } from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { queryOk } from "./support/datasets.ts";

const ENV = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1:5432" };
const withPostgresSource = Deno.env.get("TEST_DATABASE_URL")
  ? testEachBackend
  : (name: string) => Deno.test({ name, ignore: true, fn() {} });

interface Sync {
  status: string;
  error: string | null;
  rows: number;
  warnings: { code: string; message: string; count?: number; dataset?: string }[];
}

async function syncOnce(t: TestApp, cookie: string, id: string): Promise<Sync> {
  const started = await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  equal(started.status, 202, started.text);
  await syncsSettled();
  return ((await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as { items: Sync[] }).items[0];
}

withPostgresSource("a 100 MB row is skipped with a warning; every other row of the sync arrives", async (t) => {
  const source = (await startPostgresSource(1))!;
  const reader = await readOnlyRole(source.sql);
  try {
    await source.sql.unsafe(`create table ${source.schema}.notes (id bigint primary key, body text);
      insert into ${source.schema}.notes select i, 'note ' || i from generate_series(1, 5) i;
      insert into ${source.schema}.notes values (6, repeat('x', 100000000))`);
    const { cookie } = await t.signUp();
    const url = new URL(source.url);
    const table = `${source.schema}.notes`;
    const created = await t.call("/api/connectors", {
      cookie,
      body: {
        name: "Notes",
        type: "postgres",
        config: {
          host: "127.0.0.1",
          port: Number(url.port || 5432),
          database: url.pathname.slice(1),
          user: reader.user,
          tables: [table],
          cursor_columns: { [table]: "id" },
        },
        credentials: { password: reader.password },
      },
    });
    equal(created.status, 201, created.text);
    const id = (created.body as { id: string }).id;

    const started = performance.now();
    const full = await syncOnce(t, cookie, id);
    equal(full.status, "succeeded", JSON.stringify(full));
    equal(full.rows, 5);
    deepStrictEqual(full.warnings.map((w) => [w.code, w.message, w.count, w.dataset]), [[
      "row_too_large",
      "1 row over 16 MiB was skipped: a row may bring in at most 16 MiB (a quarter of SOURCE_MAX_MB, which an " +
      "operator can raise).",
      1,
      table,
    ]]);

    // Incremental: the next rows come through batches (a cursor with a parameter) on every backend.
    await source.sql.unsafe(`insert into ${source.schema}.notes values (7, 'note 7'), (8, repeat('y', 100000000)),
      (9, repeat('z', 100000000))`);
    const next = await syncOnce(t, cookie, id);
    equal(next.status, "succeeded", JSON.stringify(next));
    // Row 6 is past the stored cursor (5) too: it is skipped again, and counted again.
    deepStrictEqual(next.warnings.map((w) => [w.code, w.count]), [["row_too_large", 3]]);
    ok(next.warnings[0].message.startsWith("3 rows over 16 MiB were skipped"), next.warnings[0].message);
    ok(performance.now() - started < 20_000, `the syncs took ${performance.now() - started} ms`);

    const stored = await queryOk(t, cookie, id, table, { dimensions: ["id"], order_by: [{ column: "id" }] });
    deepStrictEqual(stored.rows.map((r) => String(r[0])), ["1", "2", "3", "4", "5", "7"]);
  } finally {
    await source.close();
    await reader.drop();
  }
}, ENV);

closeSharedAppsAfterAll();
