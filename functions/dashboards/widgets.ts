/**
 * Widgets on a dashboard: add, change, remove, and pin from a chat artifact. A pinned widget keeps
 * the artifact's query (connector, dataset, structured query), not its snapshot, so it shows fresh
 * data after every sync. A widget's query is checked against its dataset when saved, so a typo
 * is a 400 now rather than a broken cell later.
 */
import type { AppDeps, RequestMeta } from "../../lib/deps.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import { asUser } from "../../db/rls.ts";
import { changingShares } from "./share_view.ts";
import { warmInBackground } from "./warm.ts";
import type { Db } from "../../db/client.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { findDataset } from "../../db/queries/connectors.ts";
import { findArtifact } from "../../db/queries/artifacts.ts";
import {
  deleteWidget,
  findDashboard,
  findWidget,
  insertWidget,
  listWidgets,
  updateWidget,
  type WidgetRow,
} from "../../db/queries/dashboards.ts";
import { compileQuery, type StructuredQuery } from "../../connectors/query.ts";
import type { Column } from "../../connectors/types.ts";
import type { QueryArtifactData } from "../artifacts.ts";
import type { PinInput, WidgetConfig, WidgetInput, WidgetPatch, WidgetType } from "./schemas.ts";

/** Checks a widget's query compiles on its dataset (a 400 naming the problem otherwise). */
async function checkQuery(tx: Db, workspaceId: string, w: {
  type: WidgetType;
  connectorId?: string | null;
  dataset?: string | null;
  dataQuery?: unknown;
}) {
  if (w.type === "text") return;
  if (!w.connectorId || !w.dataset || !w.dataQuery) {
    throw new ApiError(400, "invalid_request", `A ${w.type} widget needs connector_id, dataset and data_query`);
  }
  const dataset = await findDataset(tx, w.connectorId, w.dataset);
  if (!dataset || dataset.workspaceId !== workspaceId) {
    throw new ApiError(
      400,
      "invalid_request",
      `No dataset "${w.dataset}" on that connector in this dashboard's workspace: sync the connector first`,
    );
  }
  compileQuery("t", dataset.columns as Column[], w.dataQuery as StructuredQuery);
}

function gridFits(w: { positionX: number; width: number }) {
  if (w.positionX + w.width > 12) {
    throw new ApiError(400, "invalid_request", "A widget must fit the 12-column grid: position_x + width ≤ 12");
  }
}

/** Passes a saved widget on, computing its dashboard ahead in the background (see warm.ts). */
async function warmed(deps: AppDeps, saving: Promise<WidgetRow>): Promise<WidgetRow> {
  const row = await saving;
  warmInBackground(deps, row.dashboardId);
  return row;
}

/** The next free row under a dashboard's widgets. */
function bottom(widgets: WidgetRow[]): number {
  return widgets.reduce((y, w) => Math.max(y, w.positionY + w.height), 0);
}

async function dashboardFor(tx: Db, id: string) {
  const dashboard = await findDashboard(tx, id);
  if (!dashboard) throw notFound("Dashboard");
  return dashboard;
}

export async function addWidget(
  deps: AppDeps,
  userId: string,
  dashboardId: string,
  input: WidgetInput,
  meta: RequestMeta,
): Promise<WidgetRow> {
  return await warmed(
    deps,
    changingShares(() =>
      asUser(deps.db, userId, async (tx) => {
        const dashboard = await dashboardFor(tx, dashboardId);
        const values = {
          type: input.type,
          title: input.title ?? null,
          connectorId: input.connector_id ?? null,
          dataset: input.dataset ?? null,
          dataQuery: input.data_query ?? null,
          config: (input.config ?? {}) as Record<string, unknown>,
          positionX: input.position_x,
          // No higher than under the lowest widget: the grid packs widgets upward, so a y below
          // that (the editor asks for 1000, "at the bottom") would be stored where it is not shown,
          // and widgets placed above it later would swap with it on the next load.
          positionY: Math.min(input.position_y, bottom(await listWidgets(tx, dashboardId))),
          width: input.width,
          height: input.height,
        };
        gridFits(values);
        await checkQuery(tx, dashboard.workspaceId, values);
        const row = await insertWidget(tx, { ...values, workspaceId: dashboard.workspaceId, dashboardId });
        await recordAudit(tx, {
          action: "widget.create",
          userId,
          workspaceId: row.workspaceId,
          targetType: "widget",
          targetId: row.id,
          details: { dashboard_id: dashboardId, type: row.type },
        }, meta);
        return row;
      })
    ),
  );
}

/** The widget type an artifact becomes when none is asked for. */
function typeOf(data: QueryArtifactData, artifactType: string): WidgetType {
  if (artifactType !== "chart" || !data.chart) return "table";
  return data.chart.mark === "point" ? "scatter" : data.chart.mark;
}

/**
 * Pins a chart or table artifact (its newest version) as a live widget, placed under the others
 * unless a position is given.
 */
export async function pinArtifact(
  deps: AppDeps,
  userId: string,
  dashboardId: string,
  input: PinInput,
  meta: RequestMeta,
): Promise<WidgetRow> {
  return await warmed(
    deps,
    changingShares(() =>
      asUser(deps.db, userId, async (tx) => {
        const dashboard = await dashboardFor(tx, dashboardId);
        const artifact = await findArtifact(tx, input.artifact_id);
        if (!artifact || artifact.workspaceId !== dashboard.workspaceId) throw notFound("Artifact");
        if (artifact.type === "document") {
          throw new ApiError(400, "invalid_request", "A document has no query to pin: pin a chart or a table");
        }
        const data = artifact.data as QueryArtifactData;
        if (!data.source) {
          throw new ApiError(
            400,
            "invalid_request",
            "This artifact keeps no query to pin (a workflow step made it): pin a chart or table made from a dataset",
          );
        }
        const chart = data.chart;
        const type = input.type ?? typeOf(data, artifact.type);
        const config: WidgetConfig = chart
          ? { x: chart.x, y: chart.y, ...(chart.color ? { series: chart.color } : {}) }
          : {};
        const width = input.width ?? 6;
        const values = {
          type,
          title: input.title ?? artifact.name,
          artifactId: artifact.artifactId,
          connectorId: data.source.connector_id,
          dataset: data.source.dataset,
          dataQuery: data.source.query,
          config: config as Record<string, unknown>,
          positionX: input.position_x ?? 0,
          positionY: input.position_y ?? bottom(await listWidgets(tx, dashboardId)),
          width,
          height: input.height ?? 4,
        };
        gridFits(values);
        await checkQuery(tx, dashboard.workspaceId, values);
        const row = await insertWidget(tx, { ...values, workspaceId: dashboard.workspaceId, dashboardId });
        await recordAudit(tx, {
          action: "widget.pin",
          userId,
          workspaceId: row.workspaceId,
          targetType: "widget",
          targetId: row.id,
          details: { dashboard_id: dashboardId, artifact_id: artifact.artifactId },
        }, meta);
        return row;
      })
    ),
  );
}

export async function changeWidget(
  deps: AppDeps,
  userId: string,
  id: string,
  patch: WidgetPatch,
  meta: RequestMeta,
): Promise<WidgetRow> {
  return await warmed(
    deps,
    changingShares(() =>
      asUser(deps.db, userId, async (tx) => {
        const current = await findWidget(tx, id);
        if (!current) throw notFound("Widget");
        const next = {
          type: patch.type ?? current.type as WidgetType,
          title: patch.title === undefined ? current.title : patch.title,
          connectorId: patch.connector_id ?? current.connectorId,
          dataset: patch.dataset ?? current.dataset,
          dataQuery: patch.data_query ?? current.dataQuery,
          config: (patch.config ?? current.config) as Record<string, unknown>,
          positionX: patch.position_x ?? current.positionX,
          positionY: patch.position_y ?? current.positionY,
          width: patch.width ?? current.width,
          height: patch.height ?? current.height,
        };
        gridFits(next);
        const queryChanged = ["type", "connector_id", "dataset", "data_query"].some((k) => k in patch);
        if (queryChanged) await checkQuery(tx, current.workspaceId, next);
        const row = await updateWidget(tx, id, next);
        if (!row) throw new ApiError(403, "forbidden", "You can read this dashboard but not change it");
        await recordAudit(tx, {
          action: "widget.update",
          userId,
          workspaceId: row.workspaceId,
          targetType: "widget",
          targetId: id,
          details: { fields: Object.keys(patch) },
        }, meta);
        return row;
      })
    ),
  );
}

export async function removeWidget(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  await changingShares(() =>
    asUser(deps.db, userId, async (tx) => {
      if (!await findWidget(tx, id)) throw notFound("Widget");
      const row = await deleteWidget(tx, id);
      if (!row) throw new ApiError(403, "forbidden", "You can read this dashboard but not change it");
      await recordAudit(tx, {
        action: "widget.delete",
        userId,
        workspaceId: row.workspaceId,
        targetType: "widget",
        targetId: id,
        details: { dashboard_id: row.dashboardId },
      }, meta);
    })
  );
}
