/**
 * Widget charts as drawn (table chart_drawings, migration 0014), so a process that never drew a
 * chart (after a restart, another isolate) reads it instead of running Vega again. Run as the
 * owning role: callers have already read the widget and its data through their own checks.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rows } from "../rows.ts";

/** What a drawing belongs to: its widget and workspace, and the versions it was drawn from. */
export interface DrawingOwner {
  widgetId: string;
  workspaceId: string;
  widgetVersion: number;
  dataVersion: number;
}

/**
 * Drawings kept per widget. Filters come from anyone with a share link, so each new value is a new
 * drawing: past this many, a widget's further drawings stay in memory only.
 */
export const MAX_DRAWINGS_PER_WIDGET = 64;

/** The stored SVGs under `keys` (one round trip for a whole page), by key; missing keys are absent. */
export async function readDrawings(db: Db, keys: string[]): Promise<Map<string, string>> {
  if (!keys.length) return new Map();
  const found = await rows<{ key: string; svg: string }>(
    db,
    sql`select key, svg from chart_drawings where key = any(${`{${keys.join(",")}}`}::text[])`,
  );
  return new Map(found.map((r) => [r.key, r.svg]));
}

/**
 * Stores a drawing, drops the widget's drawings of older widget or data versions, and stores
 * nothing once the widget holds `maxPerWidget` of them.
 */
export async function writeDrawing(
  db: Db,
  key: string,
  owner: DrawingOwner,
  svg: string,
  maxPerWidget = MAX_DRAWINGS_PER_WIDGET,
): Promise<void> {
  await db.execute(sql`with stale as (
      delete from chart_drawings where widget_id = ${owner.widgetId}::uuid
        and (widget_version < ${owner.widgetVersion}::bigint or data_version < ${owner.dataVersion}::bigint)
    )
    insert into chart_drawings (key, widget_id, workspace_id, widget_version, data_version, svg)
    select ${key}, ${owner.widgetId}::uuid, ${owner.workspaceId}::uuid, ${owner.widgetVersion}::bigint,
      ${owner.dataVersion}::bigint, ${svg}
    where (select count(*) from chart_drawings where widget_id = ${owner.widgetId}::uuid
      and widget_version >= ${owner.widgetVersion}::bigint and data_version >= ${owner.dataVersion}::bigint)
      < ${maxPerWidget}
    on conflict (key) do nothing`);
}
