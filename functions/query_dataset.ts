/**
 * Runs a structured query on a dataset the caller can read: the dataset is found through RLS, the
 * query compiled against its columns and run as the app role with a statement timeout. Results are
 * cached for a minute under the dataset's sync time, so a new sync is a new cache key at once.
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

const QUERY_TIMEOUT_MS = 5_000;
const CACHE_TTL_MS = 60_000;
const CACHE_ENTRIES = 500;

export interface QueryResult {
  columns: Column[];
  rows: unknown[][];
  cached_at?: string;
}

/** Results by dataset, sync time and query; a Map iterates oldest first, which makes it an LRU. */
const cache = new Map<string, { at: number; result: QueryResult }>();
/** Queries running now, by the same key: a second asker joins the first instead of running it twice. */
const running = new Map<string, Promise<QueryResult>>();

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
  const hit = cache.get(key);
  if (!hit || deps.now().getTime() - hit.at >= CACHE_TTL_MS) return undefined;
  return { ...hit.result, cached_at: new Date(hit.at).toISOString() };
}

/**
 * Runs `query` on a dataset row already found (and checked) by the caller, inside its transaction:
 * through the cache keyed by the dataset's id and sync time, so a new sync is a new key at once.
 * Dashboards call it for widgets and share links; `queryDataset` for everything else.
 */
export async function runQueryOnDataset(
  deps: AppDeps,
  tx: Db,
  dataset: { id: string; storageTable: string | null; syncedAt: Date | null; columns: unknown },
  query: StructuredQuery,
): Promise<QueryResult> {
  if (!dataset.storageTable || !dataset.syncedAt) {
    throw new ApiError(404, "not_found", "The dataset has not been synced yet: run a sync first");
  }
  const key = `${dataset.id}@${dataset.syncedAt.getTime()}:${JSON.stringify(query)}`;
  const now = deps.now().getTime();
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_TTL_MS) {
    cache.delete(key);
    cache.set(key, hit);
    return { ...hit.result, cached_at: new Date(hit.at).toISOString() };
  }
  const joined = running.get(key);
  if (joined) return { ...await joined };
  const storageTable = dataset.storageTable;
  const work = (async () => {
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
    cache.set(key, { at: now, result });
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
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
