/**
 * A connector sync: read every dataset of the source in batches, stage the rows, and publish
 * each dataset atomically (a full snapshot, or an append past the cursor column). Each run is a
 * row in connector_syncs with its status, row count and error; the partial unique index there
 * refuses a second concurrent run, and a heartbeat lets the next run see that one was cut off.
 * Every run has an overall deadline (SYNC_TIMEOUT_MS) and can be cancelled (functions/sync_control.ts);
 * either ends it at once, even while a source is silent mid-body.
 */
import { postgresCode } from "../lib/http/error_handler.ts";
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
import { Deadline } from "../lib/net/deadline.ts";
import { beat, STALE_AFTER_MS, trackSync, untrackSync } from "./sync_control.ts";
import { collectWarnings, inDataset, type SyncWarning, SyncWarnings } from "../connectors/warnings.ts";
import { checkColumnCount } from "../connectors/common.ts";
import { warmAfterSync } from "./dashboards/warm.ts";
import { DATA_CHANNEL } from "./dashboards/events.ts";

/** How long a stopped sync's work may take to unwind (drop its staging table) before the row is written. */
const UNWIND_MS = 2_000;

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
  const limitMs = deps.config.sync.timeoutMs;
  const deadline = new Deadline(limitMs, () =>
    new ApiError(
      422,
      "unprocessable",
      `The sync ran longer than ${minutes(limitMs)} (SYNC_TIMEOUT_MS) and was stopped`,
    ));
  trackSync(syncId, deadline);
  let total = 0;
  const warnings = new SyncWarnings();
  // A heartbeat apart from progress: a source that is slow to send its first row is not dead. It
  // also hears a cancel made in another process: the row is no longer running.
  const heartbeat = setInterval(() => {
    beat(deps, syncId).then((state) => {
      if (!state.running) deadline.abort(new ApiError(409, "conflict", state.error ?? "The sync was stopped"));
    }).catch(() => {});
  }, deps.config.sync.heartbeatMs);
  const work = (async () => {
    const connector = await findConnector(db, sync.connectorId);
    if (!connector) throw new Error("The connector was deleted");
    const ctx = await sourceContext(deps, connector, { deadline });
    const type = connectorType(connector.type);
    const found = await type.discover(ctx);
    if (found.length === 0) throw new ApiError(422, "unprocessable", "The source has no datasets to sync");
    // Progress is written at most every PROGRESS_EVERY_MS, beside the work rather than in its way.
    let reported = 0;
    let reporting: Promise<unknown> = Promise.resolve();
    await collectWarnings(warnings, async () => {
      for (const dataset of found) {
        total += await inDataset(
          dataset.name,
          () =>
            syncDataset(deps, connector, type, ctx, dataset, { syncId, deadline }, (datasetRows) => {
              const now = performance.now();
              if (now - reported < PROGRESS_EVERY_MS) return;
              reported = now;
              // Progress is best effort: a failed write is logged, never left as an unhandled
              // rejection (which would end the process when the sync fails before awaiting it).
              reporting = reporting.then(() =>
                db.update(connectorSyncs).set({ rows: total + datasetRows, heartbeatAt: deps.now() })
                  .where(and(eq(connectorSyncs.id, syncId), eq(connectorSyncs.status, "running")))
              ).catch((error) => deps.log.warn("could not record sync progress", { syncId, error: String(error) }));
            }),
        );
      }
    });
    await reporting;
  })();
  try {
    await deadline.race(work);
    await finish(deps, syncId, sync.connectorId, { status: "succeeded", rows: total, warnings: warnings.list() });
    warmAfterSync(deps, sync.connectorId);
  } catch (error) {
    // A stopped sync's work may hang on a silent source; give it a moment to clean up, not more.
    if (deadline.expired) await Promise.race([work.catch(() => {}), new Promise((r) => setTimeout(r, UNWIND_MS))]);
    else work.catch(() => {});
    // The database's own text quotes its SQL and parameters: for the log, not for users.
    const code = error instanceof ApiError ? undefined : postgresCode(error);
    const message = error instanceof ApiError
      ? error.message
      : code
      ? `The sync failed: the database refused the data (PostgreSQL error ${code}). Check that the source holds text or a UTF-8 CSV, then sync again`
      : `The sync failed: ${(error as Error)?.message ?? error}`;
    deps.log.warn("connector sync failed", {
      syncId,
      connectorId: sync.connectorId,
      error: code ? String((error as Error)?.message ?? error) : message,
    });
    const failed = { status: "failed" as const, rows: total, error: message, warnings: warnings.list() };
    await finish(deps, syncId, sync.connectorId, failed).catch((e) =>
      deps.log.error("could not record a failed sync", { syncId, error: String(e) })
    );
  } finally {
    clearInterval(heartbeat);
    deadline.clear();
    untrackSync(syncId);
  }
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : `${Math.round(ms / 100) / 10} s`;
}

/** Records how a sync ended, unless it was already ended elsewhere (a cancel, housekeeping). */
async function finish(
  deps: AppDeps,
  syncId: string,
  connectorId: string,
  result: { status: "succeeded" | "failed"; rows: number; error?: string; warnings: SyncWarning[] },
): Promise<void> {
  const now = deps.now();
  await asSystem(deps.db, async (tx) => {
    const [ended] = await tx.update(connectorSyncs).set({
      ...result,
      error: result.error ?? null,
      finishedAt: now,
      heartbeatAt: now,
    }).where(and(eq(connectorSyncs.id, syncId), eq(connectorSyncs.status, "running"))).returning({
      id: connectorSyncs.id,
    });
    if (!ended) return;
    await tx.update(connectors).set(
      result.status === "succeeded"
        ? { status: "ready", lastSync: now, lastError: null }
        : { status: "error", lastError: result.error },
    ).where(eq(connectors.id, connectorId));
    // Delivered at commit: open dashboards re-read their data (functions/dashboards/events.ts).
    if (result.status === "succeeded") await tx.execute(sql`select pg_notify(${DATA_CHANNEL}, ${connectorId})`);
  });
}

/** Syncs one dataset; returns the number of rows read. */
async function syncDataset(
  deps: AppDeps,
  connector: ConnectorRow,
  type: ConnectorType,
  ctx: SourceContext<unknown, unknown>,
  dataset: DatasetInfo,
  run: { syncId: string; deadline: Deadline },
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
    if (run.deadline.expired) throw run.deadline.signal.reason;
    const rowCount = await asSystem(deps.db, async (tx) => {
      // Publish only while the run is still running; the row lock orders this with a cancel.
      const [current] = await tx.select({ id: connectorSyncs.id }).from(connectorSyncs)
        .where(and(eq(connectorSyncs.id, run.syncId), eq(connectorSyncs.status, "running"))).for("update");
      if (!current) throw new ApiError(409, "conflict", "The sync was stopped before it published");
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
