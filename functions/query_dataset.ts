/**
 * Runs a structured query on a dataset the caller can read: the dataset is found through RLS, the
 * query compiled against its columns and run as the app role with a statement timeout. Results are
 * cached under the dataset's sync time, so a new sync is a new cache key at once: in this process's
 * memory for a minute, and in the database (query_results) for as long as that sync is current, so
 * a query runs once per sync however many processes serve it, and a restart does not run it again.
 */
import { sql } from "drizzle-orm";
import type { AppDeps } from "../lib/deps.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import { asUser } from "../db/rls.ts";
import { findConnector, findDataset } from "../db/queries/connectors.ts";
import { rows } from "../db/rows.ts";
import type { Db } from "../db/client.ts";
import { compileQuery, type StructuredQuery } from "../connectors/query.ts";
import type { Column } from "../connectors/types.ts";
import { readQueryResult, writeQueryResult } from "../db/queries/query_results.ts";
import { asSystem } from "../db/rls.ts";
import { createHash } from "node:crypto";

const QUERY_TIMEOUT_MS = 5_000;
const CACHE_TTL_MS = 60_000;
const CACHE_ENTRIES = 500;
/** Results above this much JSON stay in memory only (a scatter of 10,000 points is about 0.5 MB). */
const STORED_RESULT_MAX_CHARS = 4 * 1024 * 1024;

export interface QueryResult {
  columns: Column[];
  rows: unknown[][];
  cached_at?: string;
}

/**
 * This process's memory, per set of dependencies (another set is another process, as tests use it):
 * results by dataset, sync time and query (a Map iterates oldest first, which makes it an LRU), and
 * the queries running now by the same key, so a second asker joins the first instead of running it
 * twice.
 */
interface Memory {
  /** `at`: when this process kept it (the minute counts from then); `computedAt`: when it was run. */
  cache: Map<string, { at: number; computedAt: number; result: QueryResult }>;
  running: Map<string, Promise<QueryResult>>;
}
const memories = new WeakMap<AppDeps, Memory>();

function memoryOf(deps: AppDeps): Memory {
  let memory = memories.get(deps);
  if (!memory) memories.set(deps, memory = { cache: new Map(), running: new Map() });
  return memory;
}

export async function queryDataset(
  deps: AppDeps,
  userId: string,
  input: {
    connectorId: string;
    dataset: string;
    query: StructuredQuery;
    /** Only this workspace's datasets (a chat sees its own workspace, not all the user's). */
    workspaceId?: string;
  },
): Promise<QueryResult> {
  return await asUser(deps.db, userId, async (tx) => {
    const dataset = await findDataset(tx, input.connectorId, input.dataset);
    const elsewhere = input.workspaceId !== undefined && dataset?.workspaceId !== input.workspaceId;
    if (!dataset?.storageTable || !dataset.syncedAt || elsewhere) {
      const connector = await findConnector(tx, input.connectorId);
      if (!connector || (input.workspaceId && connector.workspaceId !== input.workspaceId)) throw notFound("Connector");
      throw new ApiError(404, "not_found", `No synced dataset "${input.dataset}" on this connector: run a sync first`);
    }
    return await runQueryOnDataset(deps, tx, dataset, input.query);
  });
}

/**
 * The cached result of `query` on this version of `dataset`, without touching the database; undefined
 * on a miss. Dashboards check it first, so a page whose widgets are all cached opens no transaction
 * for them.
 */
export function cachedQueryResult(
  deps: AppDeps,
  dataset: { id: string; syncedAt: Date | null },
  query: StructuredQuery,
): QueryResult | undefined {
  if (!dataset.syncedAt) return undefined;
  const key = `${dataset.id}@${dataset.syncedAt.getTime()}:${JSON.stringify(query)}`;
  const hit = memoryOf(deps).cache.get(key);
  if (!hit || deps.now().getTime() - hit.at >= CACHE_TTL_MS) return undefined;
  return { ...hit.result, cached_at: new Date(hit.computedAt).toISOString() };
}

/**
 * Runs `query` on a dataset row already found (and checked) by the caller, inside its transaction:
 * through the cache keyed by the dataset's id and sync time, so a new sync is a new key at once.
 * Dashboards call it for widgets and share links; `queryDataset` for everything else.
 */
export async function runQueryOnDataset(
  deps: AppDeps,
  tx: Db,
  dataset: { id: string; workspaceId: string; storageTable: string | null; syncedAt: Date | null; columns: unknown },
  query: StructuredQuery,
): Promise<QueryResult> {
  if (!dataset.storageTable || !dataset.syncedAt) {
    throw new ApiError(404, "not_found", "The dataset has not been synced yet: run a sync first");
  }
  const key = `${dataset.id}@${dataset.syncedAt.getTime()}:${JSON.stringify(query)}`;
  const { cache, running } = memoryOf(deps);
  const now = deps.now().getTime();
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_TTL_MS) {
    cache.delete(key);
    cache.set(key, hit);
    return { ...hit.result, cached_at: new Date(hit.computedAt).toISOString() };
  }
  const joined = running.get(key);
  if (joined) return { ...await joined };
  const storageTable = dataset.storageTable;
  const version = { datasetId: dataset.id, version: dataset.syncedAt.getTime() };
  const work = (async () => {
    const queryKey = createHash("sha256").update(JSON.stringify(query)).digest("hex");
    const stored = await readQueryResult(tx, version, queryKey);
    if (stored) {
      const result = JSON.parse(stored.json) as QueryResult;
      cache.set(key, { at: now, computedAt: stored.createdAt.getTime(), result });
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      return { ...result, cached_at: stored.createdAt.toISOString() };
    }
    const compiled = compileQuery(storageTable, dataset.columns as Column[], query);
    await tx.execute(sql`select set_config('statement_timeout', ${String(QUERY_TIMEOUT_MS)}, true),
      set_config('timezone', 'UTC', true)`);
    let found: Record<string, unknown>[];
    try {
      found = await rows(tx, compiled.query);
    } catch (error) {
      throw queryError(error, QUERY_TIMEOUT_MS);
    }
    const result = { columns: compiled.columns, rows: found.map(compiled.decode) };
    cache.set(key, { at: now, computedAt: now, result });
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    const json = JSON.stringify(result);
    if (json.length <= STORED_RESULT_MAX_CHARS) {
      // Not awaited: it is a transaction of its own, which on PGlite (one connection) waits for the
      // caller's to end. A failed write costs the next process one query: logged, not thrown.
      asSystem(
        deps.db,
        (system) => writeQueryResult(system, { ...version, workspaceId: dataset.workspaceId }, queryKey, json),
      ).catch((error) => deps.log.warn("query result not stored", { error: String(error) }));
    }
    return result;
  })();
  running.set(key, work);
  try {
    return await work;
  } finally {
    running.delete(key);
  }
}

function queryError(error: unknown, timeoutMs: number): unknown {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code } = e as { code?: string };
    if (code === "57014") {
      return new ApiError(
        422,
        "query_timeout",
        `The query ran longer than ${timeoutMs / 1000} s: filter or aggregate more`,
      );
    }
    // 22xxx: a filter value that is not of the column's type, past the checks of compileQuery (a
    // date that is not a date, say). The database's own text names neither filter nor column.
    if (code?.startsWith("22")) {
      const what = code === "22007" || code === "22008" ? "a valid date or time" : "a valid value";
      return new ApiError(
        400,
        "invalid_request",
        `Invalid request: query: a filter's value is not ${what} for its column: check the filters' values`,
      );
    }
  }
  return error;
}
