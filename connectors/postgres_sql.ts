/**
 * `POST /api/connectors/:id/sql`: one read-only statement on a postgres source, its result capped
 * in rows and in bytes. The bytes are counted on the connection's socket as they arrive, before the
 * driver assembles a row: one 300 MB value is refused after the cap, not held in memory first.
 */
import net from "node:net";
import { ApiError } from "../lib/http/errors.ts";
import { client, type Ctx, postgresConnector, sourceError } from "./postgres.ts";
import { refusePrivilegedRole } from "./postgres_role.ts";
import { checkReadOnlySql } from "./sql_guard.ts";

const SQL_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** What a statement returned: column names, rows of values, and whether `maxRows` cut it short. */
export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

/** Bytes a connection may still receive; `exceeded` once it went past. */
interface Budget {
  left: number;
  exceeded: boolean;
}

/**
 * A socket factory for postgres.js that counts every byte received and destroys the connection
 * once `budget` is spent. Counting on the socket (TLS bytes, when TLS is on, which are within a
 * few percent of the plain ones) bounds memory whatever the rows look like: the driver buffers a
 * whole protocol message before it hands over a row.
 */
function countingSocket(budget: Budget) {
  return (options: { host: string[]; port: number[] }) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(options.port[0], options.host[0]);
      const timer = setTimeout(() => socket.destroy(new Error("connect timeout")), CONNECT_TIMEOUT_MS);
      socket.once("error", reject);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", reject);
        resolve(socket);
      });
      socket.on("data", (chunk: Uint8Array) => {
        budget.left -= chunk.byteLength;
        if (budget.left < 0 && !budget.exceeded) {
          budget.exceeded = true;
          socket.destroy(new Error("result too large"));
        }
      });
    });
}

/**
 * Runs `text` on the source after `checkReadOnlySql` accepts it, in a read-only transaction with
 * a 15 s statement timeout, as a role `refusePrivilegedRole` accepts. Rows come through a cursor;
 * past `maxRows` the result is cut and `truncated` set. Past `maxBytes` received from the source
 * the connection is dropped and a 422 says so (SQL_RESULT_MAX_MB). Source errors are 422s.
 */
export async function runSql(ctx: Ctx, text: string, maxRows: number, maxBytes: number): Promise<SqlResult> {
  const kind = await checkReadOnlySql(text);
  const budget: Budget = { left: maxBytes, exceeded: false };
  // The server stops the statement itself a second after the deadline here closes the connection
  // (a closed connection alone does not stop pg_sleep or a long scan on the source).
  const statementMs = ctx.timeLimitMs ? Math.min(SQL_TIMEOUT_MS, ctx.timeLimitMs + 1000) : SQL_TIMEOUT_MS;
  const sql = await client(ctx, statementMs, { socket: countingSocket(budget) });
  try {
    const conn = await sql.reserve();
    try {
      await conn.unsafe("begin read only");
      await refusePrivilegedRole(conn);
      const rows: unknown[][] = [];
      let columns: string[] = [];
      let truncated = false;
      // SHOW and EXPLAIN answer a few rows and return nothing through a portal with a row limit.
      const batches = kind === "select"
        ? conn.unsafe(text).values().cursor(Math.min(maxRows + 1, 1000))
        : [await conn.unsafe(text).values()];
      for await (const batch of batches) {
        columns = (batch as unknown as { columns?: { name: string }[] }).columns?.map((c) => c.name) ?? columns;
        for (const row of batch) {
          if (rows.length === maxRows) {
            truncated = true;
            break;
          }
          rows.push(row as unknown[]);
        }
        if (truncated) break;
      }
      await conn.unsafe("rollback").catch(() => {});
      return { columns, rows, truncated };
    } finally {
      conn.release();
    }
  } catch (error) {
    if (budget.exceeded) {
      const mib = +(maxBytes / 1048576).toFixed(2);
      throw new ApiError(
        422,
        "unprocessable",
        `The result is larger than ${mib} MiB, the most this endpoint returns (SQL_RESULT_MAX_MB). ` +
          "Select fewer rows or columns, or shorten long values (left(column, 1000)).",
        { details: { rule: "sql_result_bytes" } },
      );
    }
    throw sourceError(error, ctx.signal);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** How long a save waits for the source to say who the role is before it saves anyway. */
const SAVE_PROBE_MS = 3_000;

/**
 * At create and update: connects once and refuses (422) credentials whose role is privileged, so
 * the user hears it when they type them, not at the first sync. A source that cannot be reached
 * now, or not within SAVE_PROBE_MS, is not an error here: every later connection checks the role
 * again, and the test button and the sync say what is wrong.
 */
export async function refusePrivilegedCredentials(ctx: Ctx): Promise<void> {
  let timer: number | undefined;
  const probe = postgresConnector.test(ctx).then(() => undefined, (error: unknown) => {
    const rule = error instanceof ApiError && (error.options.details as { rule?: string } | undefined)?.rule;
    return rule === "privileged_source_role" ? error : undefined;
  });
  const waited = new Promise<undefined>((resolve) => timer = setTimeout(resolve, SAVE_PROBE_MS));
  const refusal = await Promise.race([probe, waited]);
  clearTimeout(timer);
  if (refusal) throw refusal;
}
