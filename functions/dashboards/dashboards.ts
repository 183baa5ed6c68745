/**
 * Dashboards: create, list, read (with widgets), change (name, description, filters), delete.
 * Every call runs as the caller under RLS: another workspace's dashboard is "not found", and a
 * viewer's write is refused by the write policy (403).
 */
import type { FilterValues } from "./filters.ts";
import { z } from "zod";
import type { AppDeps, RequestMeta } from "../../lib/deps.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import { asUser } from "../../db/rls.ts";
import type { Db } from "../../db/client.ts";
import { changingShares } from "./share_view.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { writableWorkspace } from "../../db/queries/connectors.ts";
import {
  type DashboardRow,
  deleteDashboard,
  findDashboard,
  insertDashboard,
  listDashboards,
  listShareLinks,
  listWidgets,
  updateDashboard,
  type WidgetRow,
} from "../../db/queries/dashboards.ts";
import type { PageAfter } from "../../db/queries/pages.ts";
import type { DashboardFilter, DashboardInput, DashboardPatch } from "./schemas.ts";

export async function createDashboard(
  deps: AppDeps,
  userId: string,
  input: z.infer<typeof DashboardInput>,
  meta: RequestMeta,
): Promise<DashboardRow> {
  return await asUser(deps.db, userId, async (tx) => {
    const workspace = await writableWorkspace(tx, userId, input.workspace_id);
    if (!workspace) throw notFound("Workspace");
    if (workspace.role === "viewer") throw new ApiError(403, "forbidden", "Viewers cannot add dashboards");
    const row = await insertDashboard(tx, {
      workspaceId: workspace.id,
      name: input.name,
      description: input.description ?? null,
      createdBy: userId,
    });
    await recordAudit(tx, {
      action: "dashboard.create",
      userId,
      workspaceId: row.workspaceId,
      targetType: "dashboard",
      targetId: row.id,
    }, meta);
    return row;
  });
}

/** A dashboard the caller can read, with its widgets in reading order; 404 otherwise. */
export async function getDashboard(
  deps: AppDeps,
  userId: string,
  id: string,
): Promise<{ dashboard: DashboardRow; widgets: WidgetRow[] }> {
  return await asUser(deps.db, userId, async (tx) => {
    const dashboard = await findDashboard(tx, id);
    if (!dashboard) throw notFound("Dashboard");
    return { dashboard, widgets: await listWidgets(tx, id) };
  });
}

export function listDashboardsOf(
  deps: AppDeps,
  userId: string,
  page: { limit: number; workspaceId?: string; after?: PageAfter },
) {
  return asUser(deps.db, userId, (tx) => listDashboards(tx, page));
}

export async function changeDashboard(
  deps: AppDeps,
  userId: string,
  id: string,
  patch: z.infer<typeof DashboardPatch>,
  meta: RequestMeta,
): Promise<DashboardRow> {
  return await changingShares(() =>
    asUser(deps.db, userId, async (tx) => {
      if (patch.filters) await keepLockedFilters(tx, id, patch.filters as DashboardFilter[]);
      const row = await updateDashboard(tx, id, {
        name: patch.name,
        description: patch.description,
        filters: patch.filters as DashboardFilter[] | undefined,
      });
      if (!row) {
        if (await findDashboard(tx, id)) {
          throw new ApiError(403, "forbidden", "You can read this dashboard but not change it");
        }
        throw notFound("Dashboard");
      }
      await recordAudit(tx, {
        action: "dashboard.update",
        userId,
        workspaceId: row.workspaceId,
        targetType: "dashboard",
        targetId: id,
        details: { fields: Object.keys(patch) },
      }, meta);
      return row;
    })
  );
}

/**
 * Refuses to drop a filter a live share link locks: the lock would stop applying, and the link
 * would show every row to whoever has it. Revoking the link (or keeping the filter) comes first.
 */
async function keepLockedFilters(tx: Db, dashboardId: string, next: DashboardFilter[]): Promise<void> {
  const ids = new Set(next.map((f) => f.id));
  const current = await findDashboard(tx, dashboardId);
  const before = new Map(((current?.filters ?? []) as DashboardFilter[]).map((f) => [f.id, f]));
  // Every live link (no page limit: a lock on the thousand-and-first must hold too).
  for (const link of await listShareLinks(tx, { dashboardId, limit: 1_000_000 })) {
    const dropped = Object.keys(link.lockedFilters as Record<string, string>).find((k) => !ids.has(k));
    if (dropped) {
      throw new ApiError(
        409,
        "conflict",
        `The filter "${before.get(dropped)?.label ?? dropped}" is locked on the share link "${
          link.label || "Untitled link"
        }": revoke that link first, or keep the filter`,
      );
    }
    const locked = link.lockedFilters as FilterValues;
    // A locked filter keeps its column and type: either change would make it mean something else
    // (a select locked to "20.." would become "20 and over"), so it is refused like a removal.
    for (const f of next.filter((f) => f.id in locked)) {
      const was = before.get(f.id);
      if (was && (was.column !== f.column || was.type !== f.type)) {
        throw new ApiError(
          409,
          "conflict",
          `The filter "${was.label}" is locked on the share link "${
            link.label || "Untitled link"
          }": its column and type cannot change while the link is live; revoke that link first`,
        );
      }
    }
  }
}

export async function removeDashboard(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  await changingShares(() =>
    asUser(deps.db, userId, async (tx) => {
      const found = await findDashboard(tx, id);
      if (!found) throw notFound("Dashboard");
      if (!await deleteDashboard(tx, id)) {
        throw new ApiError(403, "forbidden", "You can read this dashboard but not delete it");
      }
      await recordAudit(tx, {
        action: "dashboard.delete",
        userId,
        workspaceId: found.workspaceId,
        targetType: "dashboard",
        targetId: id,
      }, meta);
    })
  );
}
