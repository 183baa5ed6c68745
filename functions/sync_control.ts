/**
 * Stopping syncs: a user's cancel, and runs whose process died. Sync rows live in Postgres, so
 * either can be done from any process: the row moves to `failed` at once (freeing the connector
 * for the next sync), and the process that runs the sync stops its work at once when it is this
 * one, or at its next heartbeat when it is another (the heartbeat only beats a row still running).
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import type { Deadline } from "../lib/net/deadline.ts";
import { asSystem, asUser } from "../db/rls.ts";
import type { Db } from "../db/client.ts";
import { connectors, connectorSyncs, users } from "../db/schema.ts";
import { findConnector, findSync, type SyncRow, writableWorkspace } from "../db/queries/connectors.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { cancelledError } from "../components/sync_outcome.ts";

/**
 * A live sync beats every SYNC_HEARTBEAT_MS (20 s by default, at most 60 s); one whose heartbeat is
 * older than STALE_AFTER_MS was cut off.
 */
export const STALE_AFTER_MS = 2 * 60_000;

/** The error a sync whose process stopped is failed with. */
export const INTERRUPTED = "Interrupted: the server stopped during this sync. Start it again";

/** Syncs running in this process, by id: their deadline, which a cancel ends at once. */
const local = new Map<string, Deadline>();

/** Registers a sync this process runs until `untrack`. */
export function trackSync(syncId: string, deadline: Deadline): void {
  local.set(syncId, deadline);
}

export function untrackSync(syncId: string): void {
  local.delete(syncId);
}

/** Whether a sync (queued or running) belongs to a process that stopped beating. */
export function isStale(sync: SyncRow, now: Date): boolean {
  if (sync.status !== "queued" && sync.status !== "running") return false;
  return (sync.heartbeatAt ?? sync.createdAt).getTime() < now.getTime() - STALE_AFTER_MS;
}

/**
 * Fails every sync (of one connector, or of all) whose heartbeat stopped STALE_AFTER_MS ago, and
 * puts its connector back from "syncing" to "error" with the reason. Runs as the system: it is
 * housekeeping at process start, on each scheduler tick, and when a progress stream finds a dead
 * sync. Returns the number of syncs failed.
 */
export async function failStaleSyncRuns(deps: AppDeps, connectorId?: string): Promise<number> {
  const now = deps.now();
  const staleBefore = new Date(now.getTime() - STALE_AFTER_MS);
  return await asSystem(deps.db, async (tx) => {
    const failed = await tx.update(connectorSyncs).set({ status: "failed", error: INTERRUPTED, finishedAt: now })
      .where(and(
        connectorId ? eq(connectorSyncs.connectorId, connectorId) : undefined,
        inArray(connectorSyncs.status, ["queued", "running"]),
        sql`coalesce(${connectorSyncs.heartbeatAt}, ${connectorSyncs.createdAt}) < ${staleBefore.toISOString()}::timestamptz`,
      )).returning({ connectorId: connectorSyncs.connectorId });
    const ids = [...new Set(failed.map((f) => f.connectorId))];
    if (ids.length) {
      await tx.update(connectors).set({ status: "error", lastError: INTERRUPTED })
        .where(and(inArray(connectors.id, ids), eq(connectors.status, "syncing")));
    }
    return failed.length;
  });
}

/**
 * Cancels a queued or running sync for an editor or owner of its workspace: the row becomes
 * `failed` with the error "Cancelled by <name>", the connector is free at once, and the work stops
 * (now in this process; at its next heartbeat in another). 404 when the caller cannot see the
 * connector or the sync is not one of its; 403 for viewers; 409 `sync_finished` when it already ended.
 */
export async function cancelSync(
  deps: AppDeps,
  userId: string,
  connectorId: string,
  syncId: string,
  meta: RequestMeta = {},
): Promise<SyncRow> {
  const now = deps.now();
  const { row, error } = await asUser(deps.db, userId, async (tx) => {
    const connector = await findConnector(tx, connectorId);
    if (!connector) throw notFound("Connector");
    const sync = await findSync(tx, syncId);
    if (!sync || sync.connectorId !== connectorId) throw notFound("Sync");
    const member = await writableWorkspace(tx, userId, connector.workspaceId);
    if (!member || member.role === "viewer") throw new ApiError(403, "forbidden", "Viewers cannot cancel syncs");
    // The API's sync status has no `cancelled`: the row stays `failed` and pages read the error (components/sync_outcome.ts).
    const error = cancelledError(await displayName(tx, userId));
    const [row] = await tx.update(connectorSyncs).set({ status: "failed", error, finishedAt: now })
      .where(and(eq(connectorSyncs.id, syncId), inArray(connectorSyncs.status, ["queued", "running"])))
      .returning();
    if (!row) throw new ApiError(409, "conflict", `This sync has already ended (${sync.status})`);
    await tx.update(connectors).set({ status: connector.lastSync ? "ready" : "idle", lastError: error })
      .where(and(eq(connectors.id, connectorId), eq(connectors.status, "syncing")));
    await recordAudit(tx, {
      action: "connector.sync_cancel",
      userId,
      workspaceId: connector.workspaceId,
      targetType: "connector",
      targetId: connectorId,
      details: { sync_id: syncId },
    }, meta);
    return { row, error };
  });
  local.get(syncId)?.abort(new ApiError(409, "conflict", error));
  return row;
}

async function displayName(tx: Db, userId: string): Promise<string> {
  const [user] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
  return user?.name.trim() || user?.email || "a user";
}

/**
 * The heartbeat of a sync this process runs: refreshes the row while it is still running and
 * reports whether it is. False means someone cancelled it (or housekeeping failed it) elsewhere;
 * the caller then stops with the row's error.
 */
export async function beat(deps: AppDeps, syncId: string): Promise<{ running: boolean; error?: string }> {
  const db = deps.db.orm;
  const [row] = await db.update(connectorSyncs).set({ heartbeatAt: deps.now() })
    .where(and(eq(connectorSyncs.id, syncId), eq(connectorSyncs.status, "running")))
    .returning({ id: connectorSyncs.id });
  if (row) return { running: true };
  const sync = await findSync(db, syncId);
  return { running: false, error: sync?.error ?? "The sync was stopped" };
}
