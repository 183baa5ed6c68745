/** Applies db/migrations/*.sql in order, once each, recorded in schema_migrations. */
import type { Database } from "./client.ts";

/** A migration file: its version is the file name without `.sql`. */
export interface Migration {
  version: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
// Any fixed number: processes starting together take turns on it.
const MIGRATION_LOCK = 7_240_631;

/** Reads the migration files, sorted by name. */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    migrations.push({
      version: entry.name.slice(0, -4),
      sql: await Deno.readTextFile(new URL(entry.name, dir)),
    });
  }
  return migrations.sort((a, b) => a.version.localeCompare(b.version));
}

/** Applies what is not applied yet, in one transaction; safe to run twice or from two processes. */
export async function migrate(db: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? await readMigrations();
  const applied: string[] = [];
  await db.scriptTransaction(async (run) => {
    await run(`
      select pg_advisory_xact_lock(${MIGRATION_LOCK});
      create table if not exists schema_migrations (
        version text primary key,
        applied_at timestamptz not null default now()
      );`);
    const done = new Set((await run("select version from schema_migrations")).map((r) => String(r.version)));
    for (const migration of all) {
      if (done.has(migration.version)) continue;
      await run(migration.sql);
      await run(`insert into schema_migrations (version) values ('${migration.version.replaceAll("'", "''")}')`);
      applied.push(migration.version);
    }
  });
  return applied;
}
