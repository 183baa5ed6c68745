/** Connectors, their datasets and sync runs. Callers choose RLS (asUser) or the system role. */
import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { afterCursor, type PageAfter } from "./pages.ts";
import type { Db } from "../client.ts";
import { connectorFiles, connectors, connectorSyncs, datasets, memberships, workspaces } from "../schema.ts";

export type ConnectorRow = typeof connectors.$inferSelect;
export type DatasetRow = typeof datasets.$inferSelect;
export type SyncRow = typeof connectorSyncs.$inferSelect;

/**
 * The workspace a create goes to: the one asked for if the caller may write there, else their
 * personal one. Undefined when the caller is not a member (so it reads as "not found").
 */
export async function writableWorkspace(
  db: Db,
  userId: string,
  requested?: string,
): Promise<{ id: string; role: string } | undefined> {
  const [row] = await db.select({ id: workspaces.id, role: memberships.role }).from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(
      eq(memberships.userId, userId),
      requested ? eq(workspaces.id, requested) : eq(workspaces.personal, true),
    ))
    .limit(1);
  return row;
}

export async function findConnector(db: Db, id: string): Promise<ConnectorRow | undefined> {
  const [row] = await db.select().from(connectors).where(eq(connectors.id, id));
  return row;
}

export async function listConnectors(
  db: Db,
  page: { limit: number; workspaceId?: string; after?: PageAfter },
): Promise<ConnectorRow[]> {
  return await db.select().from(connectors).where(and(
    page.workspaceId ? eq(connectors.workspaceId, page.workspaceId) : undefined,
    afterCursor(connectors.createdAt, connectors.id, page.after),
  )).orderBy(desc(connectors.createdAt), desc(connectors.id)).limit(page.limit);
}

export async function listDatasets(db: Db, connectorId: string): Promise<DatasetRow[]> {
  return await db.select().from(datasets).where(eq(datasets.connectorId, connectorId)).orderBy(datasets.name);
}

export async function findDataset(db: Db, connectorId: string, name: string): Promise<DatasetRow | undefined> {
  const [row] = await db.select().from(datasets).where(
    and(eq(datasets.connectorId, connectorId), eq(datasets.name, name)),
  );
  return row;
}

export async function listSyncs(
  db: Db,
  connectorId: string,
  page: { limit: number; after?: PageAfter },
): Promise<SyncRow[]> {
  return await db.select().from(connectorSyncs).where(and(
    eq(connectorSyncs.connectorId, connectorId),
    afterCursor(connectorSyncs.createdAt, connectorSyncs.id, page.after),
  )).orderBy(desc(connectorSyncs.createdAt), desc(connectorSyncs.id)).limit(page.limit);
}

export async function findSync(db: Db, id: string): Promise<SyncRow | undefined> {
  const [row] = await db.select().from(connectorSyncs).where(eq(connectorSyncs.id, id));
  return row;
}

/** Marks syncs that stopped beating (the process died mid-run) as failed, freeing the connector. */
export async function failStaleSyncs(db: Db, connectorId: string, staleBefore: Date): Promise<void> {
  await db.update(connectorSyncs).set({
    status: "failed",
    error: "Interrupted: the server stopped during this sync",
    finishedAt: new Date(),
  }).where(and(
    eq(connectorSyncs.connectorId, connectorId),
    inArray(connectorSyncs.status, ["queued", "running"]),
    sql`coalesce(${connectorSyncs.heartbeatAt}, ${connectorSyncs.createdAt}) < ${staleBefore.toISOString()}::timestamptz`,
  ));
}

/** Connectors whose scheduled sync is due. */
export async function dueConnectors(db: Db, now: Date, limit = 20): Promise<ConnectorRow[]> {
  return await db.select().from(connectors).where(lte(connectors.nextSyncAt, now))
    .orderBy(connectors.nextSyncAt).limit(limit);
}

/** Moves a connector's next run from `was` to `next`; false when another process claimed it first. */
export async function claimScheduledRun(db: Db, id: string, was: Date, next: Date | null): Promise<boolean> {
  const claimed = await db.update(connectors).set({ nextSyncAt: next })
    .where(and(eq(connectors.id, id), eq(connectors.nextSyncAt, was))).returning({ id: connectors.id });
  return claimed.length === 1;
}

/** The pieces of an uploaded file, in order, one at a time (memory stays flat). */
export async function readFilePiece(db: Db, connectorId: string, uploadId: string, seq: number) {
  const [row] = await db.select({ bytes: connectorFiles.bytes }).from(connectorFiles).where(and(
    eq(connectorFiles.connectorId, connectorId),
    eq(connectorFiles.uploadId, uploadId),
    eq(connectorFiles.seq, seq),
  ));
  return row?.bytes;
}

/** Every dataset of a workspace, by connector and name. */
export async function listWorkspaceDatasets(db: Db, workspaceId: string): Promise<DatasetRow[]> {
  return await db.select().from(datasets).where(eq(datasets.workspaceId, workspaceId))
    .orderBy(datasets.connectorId, datasets.name);
}
