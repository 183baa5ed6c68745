/**
 * Sync throughput: rows per second for a CSV sync (by URL) and a postgres sync of the same rows,
 * beside PostgreSQL's own COPY of that CSV into a typed table of the same database, which is the
 * practical ceiling. Also the process's peak memory during each CSV sync, which should not grow
 * with the row count.
 *
 *   deno run -A bench/sync.ts [rows=1000000] [runs=3]
 *
 * Needs a PostgreSQL server: BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
 */
import postgres from "postgres";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/log.ts";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import type { AppDeps } from "../lib/deps.ts";
import { signUp } from "../functions/accounts.ts";
import { createConnector } from "../functions/connectors.ts";
import { startSync, syncsSettled } from "../functions/sync_connector.ts";
import { fixed, median } from "./_stats.ts";

const COLUMNS = "id bigint, customer text, amount double precision, day date, paid boolean, at timestamptz";

/** A CSV of `rows` rows, written to a temporary file. */
async function writeCsv(rows: number): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  const file = await Deno.open(path, { write: true });
  const encoder = new TextEncoder();
  const base = Date.UTC(2024, 0, 1);
  let chunk = "id,customer,amount,day,paid,at\n";
  for (let i = 1; i <= rows; i++) {
    const day = new Date(base + (i % 365) * 86_400_000).toISOString().slice(0, 10);
    const at = new Date(base + i * 1000).toISOString();
    chunk += `${i},customer ${i % 5000},${(i % 10_000) / 100},${day},${i % 2 === 0},${at}\n`;
    if (chunk.length > 1 << 20) {
      await file.write(encoder.encode(chunk));
      chunk = "";
    }
  }
  await file.write(encoder.encode(chunk));
  file.close();
  return path;
}

/** Peak RSS while `fn` runs, sampled every 20 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
  try {
    const result = await fn();
    return { result, peakMiB: peak / 1048576 };
  } finally {
    clearInterval(timer);
  }
}

export async function benchSync(rows: number, runs: number) {
  const serverUrl = Deno.env.get("BENCH_DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const name = `bench_sync_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const csvPath = await writeCsv(rows);
  const csvMB = (await Deno.stat(csvPath)).size / 1e6;
  const files = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    return new Response((await Deno.open(csvPath)).readable, { headers: { "content-type": "text/csv" } });
  });
  const db = await openDatabase({ driver: "postgres", url: url.href, maxConnections: 4 });
  const source = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    await migrate(db);
    const config = await loadConfig({
      APP_SECRET: "benchmark-secret-0123456789-0123456789",
      DATA_DIR: "/nonexistent",
      OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${files.addr.port},${url.hostname}:${url.port || 5432}`,
    });
    const deps: AppDeps = { config, db, log: createLogger("warn"), now: () => new Date(), fetch };
    const { user } = await signUp(deps, { email: "bench@example.com", password: "benchmark-password" }, {});

    // The ceiling: COPY of the same file into a typed table.
    const copySeconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      await source.unsafe(`drop table if exists copy_target; create table copy_target (${COLUMNS})`);
      const started = performance.now();
      const writable = await source.unsafe("copy copy_target from stdin with (format csv, header)").writable();
      await pipeline(Readable.fromWeb((await Deno.open(csvPath)).readable as never), writable);
      copySeconds.push((performance.now() - started) / 1000);
    }
    // The postgres connector reads the table COPY just filled.
    await source.unsafe("create schema if not exists src; drop table if exists src.orders");
    await source.unsafe("alter table copy_target set schema src; alter table src.copy_target rename to orders");
    // A source must connect as a role that cannot reach the server (a superuser is refused): a reader of src.
    const reader = `${name}_reader`;
    await source.unsafe(`create role ${reader} login password '${name}'`);
    await source.unsafe(`grant usage on schema src to ${reader}; grant select on src.orders to ${reader}`);

    const timeSync = async (connectorId: string) => {
      const started = performance.now();
      await startSync(deps, user.id, connectorId, "manual");
      await syncsSettled();
      return (performance.now() - started) / 1000;
    };
    const csv = await createConnector(deps, user.id, {
      name: "bench csv",
      type: "csv",
      config: { url: `http://127.0.0.1:${files.addr.port}/orders.csv` },
    }, {});
    const pg = await createConnector(deps, user.id, {
      name: "bench postgres",
      type: "postgres",
      config: {
        host: url.hostname,
        port: Number(url.port || 5432),
        database: name,
        user: `${name}_reader`,
        tables: ["src.orders"],
      },
      credentials: { password: name },
    }, {});
    const csvSeconds: number[] = [];
    const pgSeconds: number[] = [];
    const peaks: number[] = [];
    for (let run = 0; run < runs; run++) {
      const { result, peakMiB } = await withPeakRss(() => timeSync(csv.id));
      csvSeconds.push(result);
      peaks.push(peakMiB);
      pgSeconds.push(await timeSync(pg.id));
    }
    const [synced] = await source.unsafe(`select status, rows from connector_syncs order by created_at desc limit 1`);
    if (synced.status !== "succeeded" || Number(synced.rows) !== rows) {
      throw new Error(`sync ended ${JSON.stringify(synced)}`);
    }
    const rate = (seconds: number[]) => rows / median(seconds);
    return {
      rows,
      copy: rate(copySeconds),
      csv: rate(csvSeconds),
      postgres: rate(pgSeconds),
      peakMiB: median(peaks),
      csvMB,
    };
  } finally {
    await db.close();
    await source.end();
    await files.shutdown();
    await admin.unsafe(`drop database ${name} with (force)`);
    await admin.unsafe(`drop role if exists ${name}_reader`);
    await admin.end();
    await Deno.remove(csvPath);
  }
}

if (import.meta.main) {
  const rows = Number(Deno.args[0] ?? 1_000_000);
  const runs = Number(Deno.args[1] ?? 3);
  const r = await benchSync(rows, runs);
  console.log(`| ${rows.toLocaleString("en-US")} rows, median of ${runs} | rows/s | vs COPY |`);
  console.log("| --- | ---: | ---: |");
  console.log(`| PostgreSQL COPY of the CSV (the ceiling) | ${fixed(r.copy, 0)} | 1.00 |`);
  console.log(`| CSV sync (by URL) | ${fixed(r.csv, 0)} | ${fixed(r.csv / r.copy, 2)} |`);
  console.log(`| postgres sync | ${fixed(r.postgres, 0)} | ${fixed(r.postgres / r.copy, 2)} |`);
  console.log(
    `Peak RSS during a CSV sync of ${rows.toLocaleString("en-US")} rows (${fixed(r.csvMB, 0)} MB): ` +
      `${fixed(r.peakMiB, 0)} MiB`,
  );
}
