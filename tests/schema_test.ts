/** The drizzle schema and the SQL migrations describe the same tables and columns. */
import { deepStrictEqual, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import * as schema from "../db/schema.ts";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { rows } from "../db/rows.ts";

testEachBackend("every drizzle table and column exists in the migrated database, with RLS on", async (t) => {
  const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable);
  ok(tables.length >= 18);
  const columns = await rows<{ table_name: string; column_name: string }>(
    t.deps.db.orm,
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public'`,
  );
  const rls = await rows<{ relname: string; relrowsecurity: boolean }>(
    t.deps.db.orm,
    sql`select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'`,
  );
  for (const table of tables) {
    const config = getTableConfig(table);
    const inDb = columns.filter((c) => c.table_name === config.name).map((c) => c.column_name).sort();
    deepStrictEqual(config.columns.map((c) => c.name).sort(), inDb, `columns of ${config.name}`);
    const secured = rls.find((r) => r.relname === config.name)?.relrowsecurity;
    ok(secured, `RLS is off on ${config.name}`);
  }
});

testEachBackend("migrations are recorded and a second run applies nothing", async (t) => {
  const { migrate } = await import("../db/migrate.ts");
  deepStrictEqual(await migrate(t.deps.db), []);
  const applied = await rows<{ version: string }>(t.deps.db.orm, sql`select version from schema_migrations`);
  // Every file in db/migrations, once each (each branch adds its own, so the list is read, not written here).
  const files = [...Deno.readDirSync(new URL("../db/migrations/", import.meta.url))]
    .map((entry) => entry.name.replace(/\.sql$/, "")).sort();
  ok(files.includes("0008_sync_warnings"));
  deepStrictEqual(applied.map((r) => r.version).sort(), files);
});

closeSharedAppsAfterAll();
