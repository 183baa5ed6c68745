/**
 * An external PostgreSQL database. Everything runs in a read-only transaction with a statement
 * timeout, on one connection to the address the outbound guard checked (so DNS cannot answer
 * differently the second time). Values are read as Postgres' own text, so nothing is lost in
 * JavaScript numbers or time zones.
 */
import postgres from "postgres";
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { checkHost } from "../lib/net/outbound.ts";
import { refusePrivilegedRole } from "./postgres_role.ts";
import { parseQualifiedName, qualifiedName, scheduleField } from "./common.ts";
import { type SyncWarning, warn } from "./warnings.ts";
import { type ColumnType, type ConnectorType, type DatasetInfo, type SourceContext } from "./types.ts";

const STATEMENT_TIMEOUT_MS = 120_000;
const SQL_TIMEOUT_MS = 15_000;
/** Rows per FETCH: large, because each one is a round trip. */
const CURSOR_ROWS = 50_000;

/** A relation as `tables` names it: up to two identifiers of 63 bytes, quoted where needed. */
const relationName = z.string().trim().min(1).max(300).regex(/^\P{Cc}+$/u, { error: "No control characters" }).refine(
  (text) => parseQualifiedName(text) !== undefined,
  {
    error: 'Name a table as table, schema.table, or with double quotes around a part that holds a dot: public."a.b"',
  },
);

const config = z.object({
  host: z.string().trim().min(1).max(253).optional(),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z.string().min(1).max(63).optional(),
  user: z.string().min(1).max(63).optional(),
  ssl: z.enum(["disable", "require"]).default("disable"),
  /**
   * Which relations to sync, as dataset names (connectors/common.ts `qualifiedName`): `table` in
   * public, `schema.table`, or quoted parts for names with dots (`public."sales.orders"`); all when absent.
   */
  tables: z.array(relationName).max(200).optional(),
  /** Per relation (named as in `tables`), a column whose values only grow: later syncs append the newer rows. */
  cursor_columns: z.record(relationName, z.string().min(1).max(63)).optional(),
  schedule: scheduleField,
}).strict();
const credentials = z.object({
  password: z.string().max(1000).optional(),
  connection_string: z.string().max(2000).superRefine(checkConnectionString).optional(),
}).strict();
/**
 * A connection string must be one postgres:// URL that `target` below can read. libpq also takes
 * several hosts (`h1:5432,h2:5432`) for fail-over; one connection to one checked address is what
 * this connector makes, so those are refused by name. The messages never quote the string: it
 * holds the password.
 */
function checkConnectionString(value: string, ctx: z.RefinementCtx): void {
  const problem = connectionStringProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

function connectionStringProblem(value: string): string | undefined {
  if (!/^postgres(ql)?:\/\//i.test(value)) return "Use a postgres:// or postgresql:// URL";
  const authority = value.replace(/^[^:]+:\/\//, "").split(/[/?#]/, 1)[0];
  if (authority.slice(authority.lastIndexOf("@") + 1).includes(",")) {
    return "Several hosts in one connection string are not supported: give one host (the primary)";
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "This is not a valid postgres:// URL: check it, and percent-encode special characters in the password";
  }
  if (!url.hostname) return "The connection string has no host: use postgres://user:password@host:5432/database";
  return undefined;
}

type Config = z.infer<typeof config>;
type Credentials = z.infer<typeof credentials>;
/** What a postgres source is handed: its config and decrypted credentials. */
export type Ctx = SourceContext<Config, Credentials>;

/** Where to connect: the connection string's parts, or the config's. */
function target(ctx: Ctx) {
  const url = ctx.credentials.connection_string ? new URL(ctx.credentials.connection_string) : undefined;
  const host = url ? decodeURIComponent(url.hostname).replace(/^\[|\]$/g, "") : ctx.config.host;
  if (!host) throw new ApiError(422, "unprocessable", "Set a host, or a connection string in credentials");
  return {
    host,
    port: url?.port ? Number(url.port) : ctx.config.port,
    database: url ? decodeURIComponent(url.pathname.slice(1)) || "postgres" : ctx.config.database ?? "postgres",
    user: url ? decodeURIComponent(url.username) : ctx.config.user ?? "postgres",
    password: url?.password ? decodeURIComponent(url.password) : ctx.credentials.password,
    ssl: url?.searchParams.get("sslmode") === "require" || ctx.config.ssl === "require",
  };
}

/** A read-only transaction on a fresh connection to the checked address; `close` ends both. */
/**
 * A one-connection client to the checked address whose sessions are read-only with a statement
 * timeout from the start (startup parameters), whatever the statements do.
 */
export async function client(
  ctx: Ctx,
  timeoutMs: number,
  /** `socket`: postgres.js's (untyped) hook for a connected socket of our own, given its host and port lists. */
  extra: { socket?: (options: { host: string[]; port: number[] }) => Promise<unknown> } = {},
): Promise<postgres.Sql> {
  const t = target(ctx);
  const address = await checkHost(t.host, t.port, ctx.allow);
  const sql = postgres({
    host: address,
    port: t.port,
    database: t.database,
    username: t.user,
    password: t.password,
    ssl: t.ssl ? { servername: t.host } : false,
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      application_name: "ai-workspace-connector",
      default_transaction_read_only: true,
      statement_timeout: timeoutMs,
    },
    ...extra,
  });
  // The work's deadline (a sync's, a cancel) closes the socket, so a silent server cannot hold it.
  ctx.signal?.addEventListener("abort", () => sql.end({ timeout: 0 }).catch(() => {}), { once: true });
  return sql;
}

/** A read-only transaction on a fresh connection; `close` ends both. */
async function connect(ctx: Ctx, timeoutMs: number) {
  const sql = await client(ctx, timeoutMs);
  try {
    const conn = await sql.reserve();
    // Repeatable read: a count of the rows left out and the read itself see the same snapshot.
    await conn.unsafe("begin isolation level repeatable read read only");
    await refusePrivilegedRole(conn);
    return {
      conn,
      async close() {
        await conn.unsafe("rollback").catch(() => {});
        conn.release();
        await sql.end({ timeout: 1 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw sourceError(error, ctx.signal);
  }
}

async function readOnly<T>(ctx: Ctx, timeoutMs: number, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const { conn, close } = await connect(ctx, timeoutMs);
  try {
    return await fn(conn);
  } catch (error) {
    throw sourceError(error, ctx.signal);
  } finally {
    await close();
  }
}

/**
 * A source's error as the user should see it; the password never appears in these messages. When
 * the work's deadline (`signal`) ended it, the deadline's sentence says so: the connection it
 * closed fails with the driver's own words (CONNECTION_DESTROYED).
 */
export function sourceError(error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof ApiError) return error;
  if (signal?.aborted && signal.reason instanceof ApiError) return signal.reason;
  const e = error as { code?: string; message?: string };
  if (e.code === "57014") {
    return new ApiError(422, "query_timeout", "The source database cancelled the statement: it ran too long");
  }
  if (e.code === "28P01" || e.code === "28000") {
    return new ApiError(422, "connection_failed", "The source database refused the user or password");
  }
  if (e.code === "3D000") return new ApiError(422, "connection_failed", e.message ?? "No such database");
  if (e.code === "25006") {
    return new ApiError(422, "unprocessable", "Only read-only statements can run on a source database");
  }
  if (e.code && /^[0-9A-Z]{5}$/.test(e.code)) {
    return new ApiError(422, "unprocessable", `The source database said: ${e.message}`);
  }
  return new ApiError(422, "connection_failed", `Cannot connect to the source database: ${e.message ?? error}`);
}

/** The most one row may bring in when no limits are given (tests of the module alone). */
const DEFAULT_ROW_BYTES = 16 * 1024 * 1024;

/** The characters of a batch's values (text, or null): near enough to their bytes. */
function textBytes(rows: unknown[][]): number {
  let total = 0;
  for (const row of rows) for (const value of row) total += typeof value === "string" ? value.length : 0;
  return total;
}

/** The warning for rows left on the source because they are over the cap. */
function oversizedRows(n: number, rowBytes: number): SyncWarning {
  const cap = `${Math.round(rowBytes / 104857.6) / 10} MiB`;
  return {
    code: "row_too_large",
    message: `${n === 1 ? "1 row" : `${n.toLocaleString("en-US")} rows`} over ${cap} ${n === 1 ? "was" : "were"} ` +
      `skipped: a row may bring in at most ${cap} (a quarter of SOURCE_MAX_MB, which an operator can raise).`,
    count: n,
  };
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * A source column's type here, from information_schema's data_type. Values are read as the
 * source's text, so each maps to a type that takes that text exactly: bigint stays 64 bits,
 * numeric stays numeric (numeric(30,10) keeps every digit), json and jsonb stay JSON; every other
 * type (uuid, interval, arrays, bytea, time, money, enums, ranges) is its readable text form.
 */
function columnType(dataType: string): ColumnType {
  if (/^(smallint|integer|bigint)$/.test(dataType)) return "integer";
  if (/^(real|double precision)$/.test(dataType)) return "number";
  if (dataType === "numeric") return "decimal";
  if (dataType === "json" || dataType === "jsonb") return "json";
  if (dataType === "boolean") return "boolean";
  if (dataType === "date") return "date";
  if (dataType.startsWith("timestamp")) return "timestamp";
  return "text";
}

interface SourceTable extends DatasetInfo {
  schema: string;
  table: string;
  pgTypes: string[];
}

/**
 * Every relation the user can select from (tables, views, materialized views, foreign tables,
 * partitioned tables; a partition only through its parent), read from the catalog by schema and
 * name, never by text joined with a dot, and named by `qualifiedName`. Columns the user may not
 * select are left out.
 */
async function tables(ctx: Ctx): Promise<SourceTable[]> {
  const rows = await readOnly(
    ctx,
    STATEMENT_TIMEOUT_MS,
    (sql) =>
      sql<{ table_schema: string; table_name: string; column_name: string; data_type: string; type: string }[]>`
      select n.nspname as table_schema, c.relname as table_name, a.attname as column_name,
        format_type(a.atttypid, null) as data_type, format_type(a.atttypid, a.atttypmod) as type
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relkind in ('r', 'v', 'm', 'f', 'p') and not c.relispartition
        and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
        and has_schema_privilege(n.oid, 'usage')
        and has_column_privilege(c.oid, a.attnum, 'select')
      order by n.nspname, c.relname, a.attnum`,
  );
  const wanted = ctx.config.tables?.map((text) => ({ text, ...parseQualifiedName(text)! }));
  const cursors = Object.entries(ctx.config.cursor_columns ?? {}).map(([text, column]) => ({
    ...parseQualifiedName(text)!,
    column,
  }));
  const byKey = new Map<string, SourceTable>();
  for (const row of rows) {
    const key = JSON.stringify([row.table_schema, row.table_name]);
    let table = byKey.get(key);
    if (!table) {
      const name = qualifiedName(row.table_schema, row.table_name);
      byKey.set(key, table = { name, schema: row.table_schema, table: row.table_name, columns: [], pgTypes: [] });
      table.cursorColumn = cursors.find((c) => c.schema === row.table_schema && c.name === row.table_name)?.column;
    }
    table.columns!.push({ name: row.column_name, type: columnType(row.data_type) });
    table.pgTypes.push(row.type);
  }
  const found = [...byKey.values()];
  if (!wanted) return found;
  const missing = wanted.filter((w) => !byKey.has(JSON.stringify([w.schema, w.name])));
  if (missing.length) {
    throw new ApiError(
      422,
      "unprocessable",
      `No such table or view in the source (or not readable by this user): ${missing.map((w) => w.text).join(", ")}`,
    );
  }
  return found.filter((t) => wanted.some((w) => w.schema === t.schema && w.name === t.table));
}

export const postgresConnector: ConnectorType<Config, Credentials> = {
  type: "postgres",
  label: "PostgreSQL",
  config,
  credentials,

  async test(ctx) {
    const [row] = await readOnly(ctx, SQL_TIMEOUT_MS, (sql) => sql<{ version: string }[]>`select version()`);
    // Discovery too, so that a table list the source lacks reads here as it would in a sync.
    const found = await tables(ctx);
    return `Connected: ${row.version.split(" ").slice(0, 2).join(" ")}, ${found.length} tables and views to sync`;
  },

  discover: tables,

  read(ctx, dataset, from) {
    const table = dataset as SourceTable;
    const names = table.columns!.map((c) => c.name);
    const select = names.map((n) => `t.${quote(n)}::text`).join(", ");
    const { rowBytes, batchBytes } = ctx.limits ?? { rowBytes: DEFAULT_ROW_BYTES, batchBytes: 4 * DEFAULT_ROW_BYTES };
    // The size of a row as it travels (every value as its text): rows over the cap stay on the
    // source, so one huge value cannot fill this process's memory. Per column, not the row's text:
    // the octet_length of a text value is read from its header without decompressing it.
    const size = names.map((n) => `coalesce(octet_length(t.${quote(n)}::text), 0)`).join(" + ");
    const relation = `${quote(table.schema)}.${quote(table.table)} t`;
    let where = "";
    const params: string[] = [];
    if (from) {
      const index = names.indexOf(from.column);
      if (index < 0) throw new ApiError(422, "unprocessable", `No column ${from.column} in ${dataset.name}`);
      // `>=`: rows that tie with the last value seen may have arrived since; the store leaves out
      // the ones it already holds (DatasetWriter.appendToLive), so none is skipped or doubled.
      where = ` and t.${quote(from.column)} >= $1::text::${table.pgTypes[index]}`;
      params.push(from.after);
    }
    let text = `select ${select} from ${relation} where ${size} <= ${rowBytes}${where}`;
    if (table.cursorColumn && names.includes(table.cursorColumn)) text += ` order by t.${quote(table.cursorColumn)}`;
    /** Counts the rows over the cap (in the same snapshot as the read) and says so on the sync. */
    async function warnOversized(conn: postgres.Sql) {
      const [{ n }] = await conn.unsafe<{ n: number }[]>(
        `select count(*)::int as n from ${relation} where ${size} > ${rowBytes}${where}`,
        params,
      );
      if (n > 0) warn(oversizedRows(n, rowBytes));
    }
    async function* batches(): AsyncGenerator<unknown[][]> {
      const { conn, close } = await connect(ctx, STATEMENT_TIMEOUT_MS);
      try {
        await warnOversized(conn);
        await conn.unsafe(`declare rows_out no scroll cursor for ${text}`, params);
        // Batches aim at half of batchBytes from the rows seen so far, starting with as many rows
        // as fit in it at the largest row allowed: wide rows come a few at a time, narrow ones by
        // the tens of thousands (each FETCH is a round trip).
        let count = Math.max(1, Math.floor(batchBytes / rowBytes));
        for (;;) {
          const rows = await conn.unsafe(`fetch ${count} from rows_out`).values() as unknown[][];
          if (rows.length) yield rows;
          if (rows.length < count) break;
          const perRow = Math.max(1, textBytes(rows) / rows.length);
          count = Math.max(1, Math.min(CURSOR_ROWS, count * 8, Math.floor(batchBytes / 2 / perRow)));
        }
      } catch (error) {
        throw sourceError(error, ctx.signal);
      } finally {
        await close();
      }
    }
    // A full snapshot can also come as the source's own CSV export (COPY), unparsed on the way:
    // one row at a time, as the store takes them.
    async function* copyOut(): AsyncGenerator<Uint8Array> {
      const sql = await client(ctx, STATEMENT_TIMEOUT_MS);
      try {
        const conn = await sql.reserve();
        await conn.unsafe("begin isolation level repeatable read read only");
        await refusePrivilegedRole(conn);
        await warnOversized(conn);
        // Only full snapshots come this way: the statement has no parameters (COPY takes none).
        const readable = await conn.unsafe(`copy (${text}) to stdout with (format csv)`).readable();
        for await (const chunk of readable) yield chunk as Uint8Array;
      } catch (error) {
        throw sourceError(error, ctx.signal);
      } finally {
        // No ROLLBACK on this connection: after a COPY read slower than it arrived, postgres.js
        // leaves the socket paused, and the next statement's answer is never read. Closing the
        // connection ends the read-only transaction all the same.
        await sql.end({ timeout: 0 }).catch(() => {});
      }
    }
    return Promise.resolve({
      columns: table.columns!,
      batches: batches(),
      csv: from ? undefined : () => ReadableStream.from(copyOut()),
    });
  },
};
