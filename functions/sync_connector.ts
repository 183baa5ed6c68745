/**
 * A connector sync: read every dataset of the source in batches, stage the rows, and publish
 * each dataset atomically (a full snapshot, or an append past the cursor column). Each run is a
 * row in connector_syncs with its status, row count and error; the partial unique index there
 * refuses a second concurrent run, and a heartbeat lets the next run see that one was cut off.
 */
import { and, eq, sql } from "drizzle-orm";
import type { AppDeps } from "../lib/deps.ts";
import { ApiError } from "../lib/http/errors.ts";
import { asSystem, asUser } from "../db/rls.ts";
import type { Db } from "../db/client.ts";
import { connectors, connectorSyncs, datasets } from "../db/schema.ts";
import {
  type ConnectorRow,
  type DatasetRow,
  failStaleSyncs,
  findConnector,
  findDataset,
} from "../db/queries/connectors.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { rows } from "../db/rows.ts";
import type { RequestMeta } from "../lib/deps.ts";
import { DatasetWriter, storageColumn, storageTable } from "../connectors/dataset_store.ts";
import { connectorType } from "../connectors/registry.ts";
import type { ConnectorType, DatasetInfo, ReadFrom, SourceContext } from "../connectors/types.ts";
import { sourceContext } from "./source_context.ts";
import { collectWarnings, inDataset, type SyncWarning, SyncWarnings } from "../connectors/warnings.ts";
import { checkColumnCount } from "../connectors/common.ts";

/** A sync whose heartbeat is older than this was cut off; a live one beats every HEARTBEAT_MS. */
const STALE_AFTER_MS = 2 * 60_000;
const HEARTBEAT_MS = 20_000;

/** How often a running sync writes its row count (and heartbeat). */
const PROGRESS_EVERY_MS = 250;

/** Runs in progress in this process, so shutdown and tests can wait for them. */
const running = new Map<string, Promise<void>>();

/** Waits until every sync this process started has finished. */
export async function syncsSettled(): Promise<void> {
  while (running.size) await Promise.allSettled([...running.values()]);
}

/**
 * Starts a sync of a connector the user may write to and returns its id at once; the work goes on
 * in the background. 409 `sync_in_progress` while another sync of it is queued or running.
 */
export async function startSync(
  deps: AppDeps,
  userId: string | null,
  connectorId: string,
  trigger: "manual" | "schedule",
  meta: RequestMeta = {},
): Promise<string> {
  const begin = async (tx: Db) => {
    const connector = await findConnector(tx, connectorId);
    if (!connector) throw new ApiError(404, "not_found", "Connector not found");
    await failStaleSyncs(tx, connectorId, new Date(deps.now().getTime() - STALE_AFTER_MS));
    const [sync] = await tx.insert(connectorSyncs).values({
      workspaceId: connector.workspaceId,
      connectorId,
      trigger,
    }).onConflictDoNothing().returning({ id: connectorSyncs.id });
    if (!sync) {
      throw new ApiError(409, "sync_in_progress", "This connector is already syncing; wait for that sync to finish");
    }
    await tx.update(connectors).set({ status: "syncing" }).where(eq(connectors.id, connectorId));
    if (userId) {
      await recordAudit(tx, {
        action: "connector.sync",
        userId,
        workspaceId: connector.workspaceId,
        targetType: "connector",
        targetId: connectorId,
        details: { sync_id: sync.id },
      }, meta);
    }
    return sync.id;
  };
  const syncId = userId ? await asUser(deps.db, userId, begin) : await asSystem(deps.db, begin);
  const work = runSync(deps, syncId).finally(() => running.delete(syncId));
  running.set(syncId, work);
  return syncId;
}

/** Does the work of a sync row that `startSync` made. Never throws: failures are recorded. */
export async function runSync(deps: AppDeps, syncId: string): Promise<void> {
  const db = deps.db.orm;
  const started = deps.now();
  const [sync] = await db.update(connectorSyncs).set({ status: "running", startedAt: started, heartbeatAt: started })
    .where(and(eq(connectorSyncs.id, syncId), eq(connectorSyncs.status, "queued")))
    .returning();
  if (!sync) return;
  const connector = await findConnector(db, sync.connectorId);
  let total = 0;
  const warnings = new SyncWarnings();
  // A heartbeat apart from progress: a source that is slow to send its first row is not dead.
  const heartbeat = setInterval(() => {
    db.update(connectorSyncs).set({ heartbeatAt: deps.now() }).where(eq(connectorSyncs.id, syncId))
      .catch(() => {});
  }, HEARTBEAT_MS);
  try {
    if (!connector) throw new Error("The connector was deleted");
    const ctx = await sourceContext(deps, connector);
    const type = connectorType(connector.type);
    const found = await type.discover(ctx);
    if (found.length === 0) throw new ApiError(422, "unprocessable", "The source has no datasets to sync");
    // Progress is written at most every PROGRESS_EVERY_MS, beside the work rather than in its way.
    let reported = 0;
    let reporting: Promise<unknown> = Promise.resolve();
    await collectWarnings(warnings, async () => {
      for (const dataset of found) {
        total += await inDataset(dataset.name, () =>
          syncDataset(deps, connector, type, ctx, dataset, (datasetRows) => {
            const now = performance.now();
            if (now - reported < PROGRESS_EVERY_MS) return;
            reported = now;
            // Progress is best effort: a failed write is logged, never left as an unhandled
            // rejection (which would end the process when the sync fails before awaiting it).
            reporting = reporting.then(() =>
              db.update(connectorSyncs).set({ rows: total + datasetRows, heartbeatAt: deps.now() })
                .where(eq(connectorSyncs.id, syncId))
            ).catch((error) => deps.log.warn("could not record sync progress", { syncId, error: String(error) }));
          }));
      }
    });
    await reporting;
    await finish(deps, syncId, sync.connectorId, { status: "succeeded", rows: total, warnings: warnings.list() });
  } catch (error) {
    const message = error instanceof ApiError
      ? error.message
      : `The sync failed: ${(error as Error)?.message ?? error}`;
    deps.log.warn("connector sync failed", { syncId, connectorId: sync.connectorId, error: message });
    const failed = { status: "failed" as const, rows: total, error: message, warnings: warnings.list() };
    await finish(deps, syncId, sync.connectorId, failed).catch((e) =>
      deps.log.error("could not record a failed sync", { syncId, error: String(e) })
    );
  } finally {
    clearInterval(heartbeat);
  }
}

async function finish(
  deps: AppDeps,
  syncId: string,
  connectorId: string,
  result: { status: "succeeded" | "failed"; rows: number; error?: string; warnings: SyncWarning[] },
): Promise<void> {
  const now = deps.now();
  await asSystem(deps.db, async (tx) => {
    await tx.update(connectorSyncs).set({ ...result, error: result.error ?? null, finishedAt: now, heartbeatAt: now })
      .where(eq(connectorSyncs.id, syncId));
    await tx.update(connectors).set(
      result.status === "succeeded"
        ? { status: "ready", lastSync: now, lastError: null }
        : { status: "error", lastError: result.error },
    ).where(eq(connectors.id, connectorId));
  });
}

/** Syncs one dataset; returns the number of rows read. */
async function syncDataset(
  deps: AppDeps,
  connector: ConnectorRow,
  type: ConnectorType,
  ctx: SourceContext<unknown, unknown>,
  dataset: DatasetInfo,
  progress: (rows: number) => void,
): Promise<number> {
  const existing = await findDataset(deps.db.orm, connector.id, dataset.name);
  const from = appendFrom(existing, dataset);
  const source = await type.read(ctx, dataset, from);
  checkColumnCount(source.columns.length);
  const datasetId = existing?.id ?? crypto.randomUUID();
  const writer = await DatasetWriter.start(deps.db, datasetId, source.columns);
  try {
    if (source.csv && writer.takesCsv) {
      await writer.writeCsv(source.csv(), () => progress(writer.rows));
    } else {
      for await (const batch of source.batches) {
        await writer.write(batch);
        progress(writer.rows);
      }
    }
    const columns = await writer.prepare(connector.workspaceId);
    const cursorIndex = dataset.cursorColumn ? columns.findIndex((c) => c.name === dataset.cursorColumn) : -1;
    const rowCount = await asSystem(deps.db, async (tx) => {
      // An incremental read starts at the stored cursor value itself (rows that tie with it may be
      // new), so the store adds only the rows it does not hold yet.
      if (from) await writer.appendToLive(tx, cursorIndex);
      else await writer.replaceLive(tx);
      const live = storageTable(datasetId);
      const cursorSql = cursorIndex >= 0 ? `max(${storageColumn(cursorIndex)})::text` : "null::text";
      const [{ count, cursor }] = await rows<{ count: string; cursor: string | null }>(
        tx,
        sql.raw(`select count(*)::text as count, ${cursorSql} as cursor from ${live}`),
      );
      const values = {
        columns,
        rowCount: Number(count),
        storageTable: live,
        syncedAt: deps.now(),
        cursorValue: cursor,
      };
      await tx.insert(datasets).values({
        id: datasetId,
        workspaceId: connector.workspaceId,
        connectorId: connector.id,
        name: dataset.name,
        ...values,
      }).onConflictDoUpdate({ target: [datasets.connectorId, datasets.name], set: values });
      return values.rowCount;
    });
    // A snapshot's count is the table's (CSV streamed through was only counted by its newlines).
    return from ? rowCount - (existing?.rowCount ?? 0) : rowCount;
  } catch (error) {
    await writer.discard();
    throw error;
  }
}

/** Where an incremental sync starts, or undefined for a full snapshot. */
function appendFrom(existing: DatasetRow | undefined, dataset: DatasetInfo): ReadFrom | undefined {
  if (!existing?.cursorValue || !dataset.cursorColumn || !dataset.columns) return undefined;
  // A changed column list means the stored table no longer fits: take a full snapshot instead.
  const same = existing.columns.length === dataset.columns.length &&
    existing.columns.every((c, i) => c.name === dataset.columns![i].name && c.type === dataset.columns![i].type);
  return same ? { column: dataset.cursorColumn, after: existing.cursorValue } : undefined;
}
