/**
 * Query results kept by dataset version (table query_results, migration 0013): what a widget's
 * query returned for one sync of its dataset, so the query runs once per sync across processes and
 * restarts. Reads run in the caller's transaction (members read through RLS; share links run as
 * the owning role); writes run as the owning role, since a viewer may read a result it computed.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rows } from "../rows.ts";

/** A dataset version: the dataset and its sync time in milliseconds. */
export interface DatasetVersion {
  datasetId: string;
  version: number;
}

/** The stored result's JSON text and when it was computed; undefined when this version has none. */
export async function readQueryResult(
  db: Db,
  at: DatasetVersion,
  queryKey: string,
): Promise<{ json: string; createdAt: Date } | undefined> {
  const [found] = await rows<{ result: string; created_at: string | Date }>(
    db,
    sql`select result, created_at from query_results
      where dataset_id = ${at.datasetId}::uuid and query_key = ${queryKey} and version = ${at.version}::bigint`,
  );
  return found ? { json: found.result, createdAt: new Date(found.created_at) } : undefined;
}

/**
 * Results kept per dataset version. Filters come from anyone with a share link (`?f.<id>=`), so
 * each new value is a new query: past this many, results of a version stay in memory only, and
 * the table cannot be grown without bound from outside.
 */
export const MAX_RESULTS_PER_DATASET = 256;

/**
 * Stores a result for this version, unless a newer version's is stored already or the version
 * holds `maxPerDataset` results, and drops the dataset's results of older versions (nothing reads
 * them again). Run as the owning role.
 */
export async function writeQueryResult(
  db: Db,
  at: DatasetVersion & { workspaceId: string },
  queryKey: string,
  json: string,
  maxPerDataset = MAX_RESULTS_PER_DATASET,
): Promise<void> {
  await db.execute(sql`with stale as (
      delete from query_results where dataset_id = ${at.datasetId}::uuid and version < ${at.version}::bigint
        and query_key <> ${queryKey}
    )
    insert into query_results (dataset_id, query_key, version, workspace_id, result)
    select ${at.datasetId}::uuid, ${queryKey}, ${at.version}::bigint, ${at.workspaceId}::uuid, ${json}
    where (select count(*) from query_results where dataset_id = ${at.datasetId}::uuid
      and version = ${at.version}::bigint) < ${maxPerDataset}
    on conflict (dataset_id, query_key) do update
      set version = excluded.version, result = excluded.result, created_at = now()
      where query_results.version <= excluded.version`);
}
