/**
 * Test databases on every backend: PGlite (always), and when TEST_DATABASE_URL is set, a fresh
 * database on that server reached through the TCP driver and through @neondatabase/serverless
 * (via a local WebSocket proxy, as Neon's own). Each is migrated like production.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { type Database, openDatabase } from "../../db/client.ts";
import { migrate, readMigrations } from "../../db/migrate.ts";
import { startWsProxy, type WsProxy } from "./ws_proxy.ts";
import type { DatabaseDriver } from "../../lib/config.ts";
import { encodeHex } from "../../lib/encoding.ts";

/** The backends this run covers. */
export function testBackends(): DatabaseDriver[] {
  return Deno.env.get("TEST_DATABASE_URL") ? ["pglite", "postgres", "neon"] : ["pglite"];
}

/** An open, migrated test database; `url` is set for server backends. */
export interface TestDatabase {
  db: Database;
  driver: DatabaseDriver;
  url?: string;
  close(): Promise<void>;
}

/** Opens a fresh, migrated database on `driver`. */
export async function openTestDatabase(driver: DatabaseDriver): Promise<TestDatabase> {
  if (driver === "pglite") {
    const db = await openDatabase({ driver, loadDataDir: await pgliteTemplate() });
    await migrate(db); // a no-op on the template, and proof that running twice is safe
    return { db, driver, close: () => db.close() };
  }
  const url = await createServerDatabase();
  let proxy: WsProxy | undefined;
  if (driver === "neon") proxy = startWsProxy();
  const db = await openDatabase({ driver, url, neonWsProxy: proxy?.address, maxConnections: 5 });
  await migrate(db);
  return {
    db,
    driver,
    url,
    async close() {
      await db.close();
      await proxy?.close();
      await dropServerDatabase(url);
    },
  };
}

/** A migrated PGlite data folder, made once per set of migrations and reused (initdb is slow). */
async function pgliteTemplate(): Promise<Blob> {
  const migrations = await readMigrations();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(migrations)));
  const path = join(tmpdir(), `workspace-pglite-${encodeHex(new Uint8Array(digest)).slice(0, 16)}.tar.gz`);
  try {
    return new Blob([await Deno.readFile(path)]);
  } catch {
    const db = await openDatabase({ driver: "pglite" });
    await migrate(db, migrations);
    const blob = await db.dump!();
    await db.close();
    // Written aside then renamed: parallel test files must never read half a file.
    const temp = `${path}.${crypto.randomUUID()}`;
    await Deno.writeFile(temp, new Uint8Array(await blob.arrayBuffer()));
    await Deno.rename(temp, path);
    return blob;
  }
}

function adminUrl(): string {
  return Deno.env.get("TEST_DATABASE_URL")!;
}

/** Creates `ws_test_<epoch>_<random>` on the server; drops ones over two hours old first. */
async function createServerDatabase(): Promise<string> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    const epoch = Math.floor(Date.now() / 1000);
    const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'ws_test_%'`;
    for (const { datname } of stale) {
      if (Number(datname.split("_")[2]) < epoch - 7200) {
        await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {});
      }
    }
    const name = `ws_test_${epoch}_${crypto.randomUUID().slice(0, 8)}`;
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    return url.toString();
  } finally {
    await admin.end();
  }
}

async function dropServerDatabase(url: string): Promise<void> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
  } finally {
    await admin.end();
  }
}
