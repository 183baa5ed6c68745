/** Dashboards, their widgets and share links. Run inside asUser (RLS decides), except where noted. */
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { dashboards, datasets, shareLinks, widgets } from "../schema.ts";
import { afterCursor, type PageAfter } from "./pages.ts";

export type DashboardRow = typeof dashboards.$inferSelect;
export type WidgetRow = typeof widgets.$inferSelect;
export type ShareLinkRow = typeof shareLinks.$inferSelect;

export async function insertDashboard(db: Db, values: typeof dashboards.$inferInsert): Promise<DashboardRow> {
  const [row] = await db.insert(dashboards).values(values).returning();
  return row;
}

export async function findDashboard(db: Db, id: string): Promise<DashboardRow | undefined> {
  const [row] = await db.select().from(dashboards).where(eq(dashboards.id, id));
  return row;
}

/** A page of dashboards, newest first, each with how many widgets of each type it has. */
export async function listDashboards(db: Db, page: { limit: number; workspaceId?: string; after?: PageAfter }) {
  const found = await db.select().from(dashboards).where(and(
    page.workspaceId ? eq(dashboards.workspaceId, page.workspaceId) : undefined,
    afterCursor(dashboards.createdAt, dashboards.id, page.after),
  )).orderBy(desc(dashboards.createdAt), desc(dashboards.id)).limit(page.limit);
  const ids = found.map((d) => d.id);
  const counts = ids.length
    ? await db.select({ dashboardId: widgets.dashboardId, type: widgets.type, n: sql<number>`count(*)::int` })
      .from(widgets).where(inArray(widgets.dashboardId, ids)).groupBy(widgets.dashboardId, widgets.type)
    : [];
  return found.map((d) => ({
    ...d,
    widgetCounts: Object.fromEntries(counts.filter((c) => c.dashboardId === d.id).map((c) => [c.type, c.n])),
  }));
}

export async function updateDashboard(
  db: Db,
  id: string,
  values: Partial<Pick<DashboardRow, "name" | "description" | "filters" | "config">>,
): Promise<DashboardRow | undefined> {
  const [row] = await db.update(dashboards).set({ ...values, updatedAt: sql`now()` }).where(eq(dashboards.id, id))
    .returning();
  return row;
}

export async function deleteDashboard(db: Db, id: string): Promise<boolean> {
  return (await db.delete(dashboards).where(eq(dashboards.id, id)).returning({ id: dashboards.id })).length > 0;
}

/** A dashboard's widgets in reading order: top to bottom, then left to right. */
export async function listWidgets(db: Db, dashboardId: string): Promise<WidgetRow[]> {
  return await db.select().from(widgets).where(eq(widgets.dashboardId, dashboardId))
    .orderBy(asc(widgets.positionY), asc(widgets.positionX), asc(widgets.createdAt));
}

export async function findWidget(db: Db, id: string): Promise<WidgetRow | undefined> {
  const [row] = await db.select().from(widgets).where(eq(widgets.id, id));
  return row;
}

export async function insertWidget(db: Db, values: typeof widgets.$inferInsert): Promise<WidgetRow> {
  const [row] = await db.insert(widgets).values(values).returning();
  return row;
}

export async function updateWidget(
  db: Db,
  id: string,
  values: Partial<typeof widgets.$inferInsert>,
): Promise<WidgetRow | undefined> {
  const [row] = await db.update(widgets).set({ ...values, updatedAt: sql`now()` }).where(eq(widgets.id, id))
    .returning();
  return row;
}

export async function deleteWidget(db: Db, id: string): Promise<WidgetRow | undefined> {
  const [row] = await db.delete(widgets).where(eq(widgets.id, id)).returning();
  return row;
}

/** Widget id → the dataset it reads (one query for a whole dashboard). */
export async function widgetDatasets(db: Db, dashboardId: string) {
  const found = await db.select({ widgetId: widgets.id, dataset: datasets }).from(widgets)
    .innerJoin(datasets, and(eq(datasets.connectorId, widgets.connectorId), eq(datasets.name, widgets.dataset)))
    .where(eq(widgets.dashboardId, dashboardId));
  return new Map(found.map((r) => [r.widgetId, r.dataset]));
}

/** The sync times of the datasets a dashboard's widgets read: its data version. */
export async function widgetDataVersions(db: Db, dashboardId: string) {
  return await db.select({ widgetId: widgets.id, syncedAt: datasets.syncedAt }).from(widgets)
    .innerJoin(datasets, and(eq(datasets.connectorId, widgets.connectorId), eq(datasets.name, widgets.dataset)))
    .where(eq(widgets.dashboardId, dashboardId));
}

export async function insertShareLink(db: Db, values: typeof shareLinks.$inferInsert): Promise<ShareLinkRow> {
  const [row] = await db.insert(shareLinks).values(values).returning();
  return row;
}

/** A link that has not been revoked (an expired one is still listed, marked by its expiry). */
export async function findLiveShareLink(db: Db, id: string): Promise<ShareLinkRow | undefined> {
  const [row] = await db.select().from(shareLinks).where(and(eq(shareLinks.id, id), isNull(shareLinks.revokedAt)));
  return row;
}

export async function listShareLinks(db: Db, filter: { dashboardId?: string; workspaceId?: string; limit: number }) {
  return await db.select().from(shareLinks).where(and(
    isNull(shareLinks.revokedAt),
    filter.dashboardId ? eq(shareLinks.dashboardId, filter.dashboardId) : undefined,
    filter.workspaceId ? eq(shareLinks.workspaceId, filter.workspaceId) : undefined,
  )).orderBy(desc(shareLinks.createdAt), desc(shareLinks.id)).limit(filter.limit);
}

export async function updateShareLink(
  db: Db,
  id: string,
  values: Partial<typeof shareLinks.$inferInsert>,
): Promise<ShareLinkRow | undefined> {
  const [row] = await db.update(shareLinks).set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(shareLinks.id, id), isNull(shareLinks.revokedAt))).returning();
  return row;
}

/**
 * As the system (no user: the viewer is anonymous): the live, unexpired link with this token hash.
 * Unknown, revoked and expired all come back undefined.
 */
export async function openShareLink(db: Db, tokenHash: string, now: Date): Promise<ShareLinkRow | undefined> {
  const [row] = await db.select().from(shareLinks).where(and(
    eq(shareLinks.tokenHash, tokenHash),
    isNull(shareLinks.revokedAt),
    sql`(${shareLinks.expiresAt} is null or ${shareLinks.expiresAt} > ${now.toISOString()}::timestamptz)`,
  ));
  return row;
}

/** Adds `count` views to a link, the last at `lastAt` (kept if an earlier write saw a later one). */
export async function addShareViews(db: Db, id: string, count: number, lastAt: Date): Promise<void> {
  await db.update(shareLinks).set({
    viewCount: sql`${shareLinks.viewCount} + ${count}`,
    lastViewedAt: sql`greatest(${shareLinks.lastViewedAt}, ${lastAt.toISOString()}::timestamptz)`,
  }).where(eq(shareLinks.id, id));
}

/** As the system: the dashboards with a widget reading any dataset of `connectorId`. */
export async function dashboardsReading(db: Db, connectorId: string, limit: number): Promise<string[]> {
  const found = await db.selectDistinct({ id: widgets.dashboardId }).from(widgets)
    .where(eq(widgets.connectorId, connectorId)).limit(limit);
  return found.map((r) => r.id);
}
