/**
 * The database client factory: one `Database` shape over three drivers. PGlite is embedded
 * (the default), `postgres` speaks TCP to any Postgres, and `@neondatabase/serverless` speaks
 * WebSockets to Neon. Nothing connects at import time: `main.ts` calls `openDatabase`.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { finished } from "node:stream/promises";
import * as schema from "./schema.ts";
import type { DatabaseDriver } from "../lib/config.ts";

export type Schema = typeof schema;
/** A drizzle database or transaction: queries take this first. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** Runs SQL scripts (several statements, simple protocol) inside one transaction. */
export type ScriptRunner = (script: string) => Promise<Record<string, unknown>[]>;

/** An open database, whichever driver is behind it. */
export interface Database {
  driver: DatabaseDriver;
  orm: Db;
  /** Runs `fn` in one transaction on one connection, for migrations. */
  scriptTransaction(fn: (run: ScriptRunner) => Promise<void>): Promise<void>;
  /**
   * Opens a bulk load into `table` (a name the caller built and trusts) of rows of text values,
   * null for SQL null. One COPY for the whole load over TCP (a COPY per batch would pay a round
   * trip each); a COPY per batch in PGlite; inserts from arrays on Neon, whose driver has no COPY.
   */
  bulkLoad(table: string, columnTypes: string[]): Promise<BulkLoad>;
  /** PGlite only: the data folder as a gzipped tarball (local backups, test templates). */
  dump?(): Promise<Blob>;
  /**
   * Calls `onNotify` with the payload of every `NOTIFY` on `channel` (`pg_notify`), until the
   * returned function is called. PGlite (in process) and postgres-js (a connection of its own)
   * can; Neon's HTTP driver holds no connection to hear on, so it lacks this and callers poll.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** A bulk load in progress: `write` resolves when the rows are taken, `end` when they are stored. */
export interface BulkLoad {
  write(rows: (string | null)[][]): Promise<void>;
  /** Where the driver streams COPY: CSV bytes as they come, record boundaries anywhere. */
  writeCsv?(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/** Options that tests and tools pass to a driver. */
export interface OpenOptions {
  driver: DatabaseDriver;
  url?: string;
  /** PGlite: a folder to persist to (in memory when absent). */
  dataDir?: string;
  /** PGlite: a data folder tarball to start from (the migrated template in tests). */
  loadDataDir?: Blob;
  /** Neon: where its WebSocket should go, `host:port/path` (a local proxy in tests). */
  neonWsProxy?: string;
  /** TCP/Neon pool size. */
  maxConnections?: number;
}

/** Opens a database with the chosen driver. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  switch (options.driver) {
    case "pglite":
      return await openPglite(options);
    case "postgres":
      return await openPostgres(options);
    case "neon":
      return await openNeon(options);
  }
}

async function openPglite(options: OpenOptions): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dataDir) await Deno.mkdir(options.dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
  return {
    driver: "pglite",
    orm: drizzle(client, { schema }) as unknown as Db,
    async scriptTransaction(fn) {
      await client.transaction(async (tx) => {
        await fn(async (script) => (await tx.exec(script)).at(-1)?.rows as Record<string, unknown>[] ?? []);
      });
    },
    bulkLoad(table) {
      const slices = new SliceSize();
      return Promise.resolve({
        // PGlite runs on this thread: one COPY of a 10,000-row batch held it for 0.3–1.8 s, and every
        // request with it. Slices sized to take about SLICE_TARGET_MS, with a macrotask between them,
        // let requests in between (the load is still one transaction's worth: the staging table).
        async write(rows) {
          for (let start = 0; start < rows.length;) {
            const end = Math.min(rows.length, start + slices.rows);
            const began = performance.now();
            const blob = new Blob([toCsv(rows.slice(start, end))]);
            await client.query(`copy ${table} from '/dev/blob' with (format csv)`, [], { blob });
            slices.took(performance.now() - began);
            start = end;
            await yieldToEventLoop();
          }
        },
        end: () => Promise.resolve(),
      });
    },
    dump: async () => await client.dumpDataDir("gzip") as Blob,
    listen: async (channel, onNotify) => await client.listen(channel, onNotify),
    close: () => client.close(),
  };
}

async function openPostgres(options: OpenOptions): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(requireUrl(options), {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
    // Text without an offset (a CSV's "2024-01-01 10:00") means UTC, whatever the server's default.
    connection: { TimeZone: "UTC" },
  });
  return {
    driver: "postgres",
    orm: drizzle(client, { schema }) as unknown as Db,
    async scriptTransaction(fn) {
      await client.begin(async (tx) => {
        await fn(async (script) => {
          const result = await tx.unsafe(script).simple();
          const last = Array.isArray(result.at(-1)) ? result.at(-1) : result;
          return [...(last as Iterable<Record<string, unknown>>)];
        });
      });
    },
    async bulkLoad(table) {
      // A connection of its own: on a shared one, postgres.js would pipeline other queries behind
      // the COPY, and with syncs running at once the server drops the connection ("protocol
      // synchronization was lost"), failing both.
      const reserved = await client.reserve();
      let writable: Awaited<ReturnType<ReturnType<typeof reserved.unsafe>["writable"]>>;
      try {
        writable = await reserved.unsafe(`copy ${table} from stdin with (format csv)`).writable();
      } catch (error) {
        reserved.release();
        throw error;
      }
      let failure: Error | undefined;
      writable.on("error", (error) => failure = error);
      // Resolves when the chunk has gone to the connection: back-pressure without 'drain' events.
      const send = (chunk: Uint8Array | string) =>
        new Promise<void>((resolve, reject) => {
          if (failure) return reject(failure);
          writable.write(chunk, (error) => error ? reject(error) : resolve());
        });
      return {
        write: (rows) => send(toCsv(rows)),
        writeCsv: send,
        async end() {
          try {
            if (failure) throw failure;
            writable.end();
            await finished(writable);
          } finally {
            reserved.release();
          }
        },
      };
    },
    listen: async (channel, onNotify) => {
      const { unlisten } = await client.listen(channel, onNotify);
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openNeon(options: OpenOptions): Promise<Database> {
  const { Pool, neonConfig } = await import("@neondatabase/serverless");
  const { drizzle } = await import("drizzle-orm/neon-serverless");
  if (options.neonWsProxy) {
    // A plain-WebSocket proxy in front of a TCP Postgres, as Neon's own wsproxy does.
    const proxy = options.neonWsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
  const pool = new Pool({ connectionString: requireUrl(options), max: options.maxConnections ?? 10 });
  // An idle client whose socket drops must not take the process down; the next query reconnects.
  pool.on("error", () => {});
  return {
    driver: "neon",
    orm: drizzle(pool, { schema }) as unknown as Db,
    async scriptTransaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        await fn(async (script) => {
          const result: unknown = await client.query(script);
          const last = Array.isArray(result) ? result.at(-1) : result;
          return (last as { rows?: Record<string, unknown>[] })?.rows ?? [];
        });
        await client.query("commit");
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    bulkLoad(table, columnTypes) {
      const casts = columnTypes.map((type, i) => `$${i + 1}::text[]::${type}[]`).join(", ");
      return Promise.resolve({
        async write(rows) {
          const columns = columnTypes.map((_, i) => rows.map((row) => row[i]));
          await pool.query(`insert into ${table} select * from unnest(${casts})`, columns);
        },
        end: () => Promise.resolve(),
      });
    },
    close: () => pool.end(),
  };
}

/** How long one PGlite COPY slice should hold the thread: well under a request's patience. */
const SLICE_TARGET_MS = 25;

/** Rows per PGlite COPY slice, adapted to how long the last slice took (rows differ in width). */
class SliceSize {
  rows = 250;
  took(ms: number) {
    if (ms > SLICE_TARGET_MS * 1.5) this.rows = Math.max(50, Math.floor(this.rows / 2));
    else if (ms < SLICE_TARGET_MS / 2) this.rows = Math.min(10_000, this.rows * 2);
  }
}

/** Lets timers, I/O and incoming requests run (a macrotask; a resolved promise would not). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** CSV for COPY: an unquoted empty field is null, so every non-null value is quoted if it could be mistaken. */
function toCsv(rows: (string | null)[][]): string {
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let line = "";
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (i > 0) line += ",";
      if (value === null) continue;
      // Backslashes too: an unquoted `\.` line would end the COPY.
      line += value === "" || /[",\r\n\\]/.test(value) ? '"' + value.replaceAll('"', '""') + '"' : value;
    }
    lines[r] = line;
  }
  return lines.join("\n") + "\n";
}

function requireUrl(options: OpenOptions): string {
  if (!options.url) throw new Error(`Cannot open a ${options.driver} database: no URL given`);
  return options.url;
}

/** Postgres SQLSTATE classes and driver codes that mean "the database is not there", not "bad query". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** True when `error` (or one of its causes) says the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
    if (e instanceof Deno.errors.ConnectionRefused || e instanceof Deno.errors.ConnectionReset) return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /PGlite is closed|Connection terminated|write CONNECTION_CLOSED|socket has been ended by the other party/i.test(
        message,
      )
    ) {
      return true;
    }
  }
  return false;
}
