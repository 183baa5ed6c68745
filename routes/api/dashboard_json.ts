/** Dashboards, widgets and share links as the API shows them (snake_case, ISO times). */
import { z } from "@hono/zod-openapi";
import type { DashboardRow, WidgetRow } from "../../db/queries/dashboards.ts";
import type { ShareLinkView } from "../../functions/dashboards/shares.ts";

export const WidgetSchema = z.object({
  id: z.uuid(),
  dashboard_id: z.uuid(),
  type: z.string(),
  title: z.string().nullable(),
  connector_id: z.uuid().nullable(),
  dataset: z.string().nullable(),
  data_query: z.unknown(),
  config: z.record(z.string(), z.unknown()),
  artifact_id: z.uuid().nullable(),
  position_x: z.number().int(),
  position_y: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
}).openapi("Widget");

export const DashboardSchema = z.object({
  id: z.uuid(),
  workspace_id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  filters: z.array(z.unknown()),
  config: z.record(z.string(), z.unknown()),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  widgets: z.array(WidgetSchema).optional(),
  widget_counts: z.record(z.string(), z.number()).optional(),
}).openapi("Dashboard");

export const ShareSchema = z.object({
  id: z.uuid(),
  dashboard_id: z.uuid(),
  label: z.string(),
  url: z.string().nullable(),
  expires_at: z.iso.datetime().nullable(),
  locked_filters: z.record(z.string(), z.string()),
  allow_downloads: z.boolean(),
  allow_embed: z.boolean(),
  view_count: z.number().int(),
  last_viewed_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
}).openapi("ShareLink");

const iso = (d: Date | null) => d ? d.toISOString() : null;

export function widgetJson(w: WidgetRow) {
  return {
    id: w.id,
    dashboard_id: w.dashboardId,
    type: w.type,
    title: w.title,
    connector_id: w.connectorId,
    dataset: w.dataset,
    data_query: w.dataQuery,
    config: w.config,
    artifact_id: w.artifactId,
    position_x: w.positionX,
    position_y: w.positionY,
    width: w.width,
    height: w.height,
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
  };
}

export function dashboardJson(
  d: DashboardRow & { widgetCounts?: Record<string, number> },
  widgets?: WidgetRow[],
) {
  return {
    id: d.id,
    workspace_id: d.workspaceId,
    name: d.name,
    description: d.description,
    filters: d.filters,
    config: d.config,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    ...(widgets ? { widgets: widgets.map(widgetJson) } : {}),
    ...(d.widgetCounts ? { widget_counts: d.widgetCounts } : {}),
  };
}

export function shareJson({ row, url }: ShareLinkView) {
  return {
    id: row.id,
    dashboard_id: row.dashboardId,
    label: row.label,
    url,
    expires_at: iso(row.expiresAt),
    locked_filters: row.lockedFilters,
    allow_downloads: row.allowDownloads,
    allow_embed: row.allowEmbed,
    view_count: Number(row.viewCount),
    last_viewed_at: iso(row.lastViewedAt),
    created_at: row.createdAt.toISOString(),
  };
}
