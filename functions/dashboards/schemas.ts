/**
 * The shapes dashboards accept, validated once at the edge (routes) and trusted inward: filters,
 * widget display config, widget and share-link bodies. Field names follow the API contract.
 */
import { z } from "zod";
import { StructuredQuery } from "../../connectors/query.ts";

export const FILTER_TYPES = ["select", "date_range", "number_range"] as const;
export const WIDGET_TYPES = ["line", "bar", "area", "pie", "scatter", "table", "metric", "text"] as const;
export type WidgetType = typeof WIDGET_TYPES[number];
export const PERIODS = ["day", "week", "month", "quarter", "year"] as const;

/** A filter id: also a URL parameter name (`f.<id>`), so letters, digits, `_` and `-` only. */
const filterId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "letters, digits, _ or - (at most 40)");
/** A filter value as the URL carries it: one value, or a range `from..to` (either side may be empty). */
export const FilterValue = z.string().max(200).refine((v) => !v.includes("\0"), "must not contain NUL");

export const DashboardFilter = z.object({
  id: filterId,
  label: z.string().min(1).max(100),
  column: z.string().min(1).max(200),
  type: z.enum(FILTER_TYPES),
  default: FilterValue.optional(),
}).strict();
export type DashboardFilter = z.infer<typeof DashboardFilter>;

export const DashboardFilters = z.array(DashboardFilter).max(12).refine(
  (fs) => new Set(fs.map((f) => f.id)).size === fs.length,
  "two filters have the same id",
);

const text = (max: number) => z.string().max(max).refine((v) => !v.includes("\0"), "must not contain NUL");

export const DashboardInput = z.object({
  name: text(200).pipe(z.string().trim().min(1, "a dashboard needs a name")),
  description: text(2000).nullable().optional(),
  workspace_id: z.uuid().optional(),
}).strict();

export const DashboardPatch = z.object({
  name: text(200).pipe(z.string().trim().min(1, "a dashboard needs a name")).optional(),
  description: text(2000).nullable().optional(),
  filters: DashboardFilters.optional(),
}).strict();

/** How a widget is drawn; column names or aliases of its query's result. */
export const WidgetConfig = z.object({
  x: z.string().max(200).optional(),
  y: z.string().max(200).optional(),
  series: z.string().max(200).optional(),
  stacked: z.boolean().optional(),
  /** Number format: `integer`, `decimal` (2 places), `percent` or `currency:<ISO 4217 code>`. */
  format: z.string().regex(/^(integer|decimal|percent|currency:[A-Z]{3})$/).optional(),
  colors: z.array(z.string().regex(/^#[0-9a-fA-F]{6}$/)).max(20).optional(),
  /** text widgets: markdown, sanitized when shown. */
  markdown: text(20_000).optional(),
  /** metric widgets: the date column and the period the change is measured over. */
  date_column: z.string().max(200).optional(),
  period: z.enum(PERIODS).optional(),
}).strict();
export type WidgetConfig = z.infer<typeof WidgetConfig>;

const grid = {
  position_x: z.number().int().min(0).max(11),
  position_y: z.number().int().min(0).max(10_000),
  width: z.number().int().min(1).max(12),
  height: z.number().int().min(1).max(24),
};

export const WidgetInput = z.object({
  type: z.enum(WIDGET_TYPES),
  title: text(200).nullable().optional(),
  connector_id: z.uuid().optional(),
  dataset: z.string().min(1).max(200).optional(),
  data_query: StructuredQuery.optional(),
  config: WidgetConfig.optional(),
  position_x: grid.position_x.default(0),
  position_y: grid.position_y.default(0),
  width: grid.width.default(6),
  height: grid.height.default(4),
}).strict();
export type WidgetInput = z.infer<typeof WidgetInput>;

export const PinInput = z.object({
  artifact_id: z.uuid(),
  type: z.enum(WIDGET_TYPES).optional(),
  title: text(200).nullable().optional(),
  position_x: grid.position_x.optional(),
  position_y: grid.position_y.optional(),
  width: grid.width.optional(),
  height: grid.height.optional(),
}).strict();
export type PinInput = z.infer<typeof PinInput>;

export const WidgetPatch = WidgetInput.partial().omit({ type: true }).extend({ type: z.enum(WIDGET_TYPES).optional() })
  .strict();
export type WidgetPatch = z.infer<typeof WidgetPatch>;

const futureOrNull = z.iso.datetime({ offset: true }).nullable();
const lockedFilters = z.record(filterId, FilterValue).refine((r) => Object.keys(r).length <= 12, "at most 12");

export const ShareInput = z.object({
  label: text(200).optional(),
  expires_at: futureOrNull.optional(),
  locked_filters: lockedFilters.optional(),
  allow_downloads: z.boolean().optional(),
  allow_embed: z.boolean().optional(),
}).strict();
export type ShareInput = z.infer<typeof ShareInput>;

export const SharePatch = ShareInput.omit({ locked_filters: true }).strict();
export type SharePatch = z.infer<typeof SharePatch>;
