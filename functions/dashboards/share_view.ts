/**
 * What an anonymous viewer of `/share/:token` gets: the link looked up by its token's SHA-256
 * hash (unknown, revoked and expired are one and the same 404), the dashboard's widgets with the
 * link's locked filter values applied over whatever the URL says, and their data, read as the
 * system because the viewer has no account (every read is pinned to the link's workspace).
 * Requests are rate limited per client address (`SHARE_REQUESTS_PER_MINUTE`).
 */
import type { AppDeps, RequestMeta } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { hashToken } from "../../lib/auth/secret_tokens.ts";
import { asSystem } from "../../db/rls.ts";
import { takeSlot } from "../../db/queries/rate_limits.ts";
import {
  addShareViews,
  type DashboardRow,
  findDashboard,
  listWidgets,
  openShareLink,
  type ShareLinkRow,
  widgetDatasets,
  type WidgetRow,
} from "../../db/queries/dashboards.ts";
import type { DatasetRow } from "../../db/queries/connectors.ts";
import { checkValues, effectiveValues, filterQuery, type FilterValues, withoutRefused } from "./filters.ts";
import type { DashboardFilter } from "./schemas.ts";
import { dashboardData, type Runner, type WidgetData, widgetData } from "./widget_data.ts";

const MINUTE_MS = 60_000;
/** A token as we make them: 43 base64url characters. Anything else cannot be one. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export const systemRunner: (deps: AppDeps) => Runner = (deps) => (fn) => asSystem(deps.db, fn);

/** One 404 for every token that does not open a live link: nothing tells them apart. */
export function shareNotFound(): ApiError {
  return new ApiError(404, "not_found", "This link does not work: it may have expired or been turned off");
}

/** Counts a request from `ip` and refuses it (429 with Retry-After) over the per-minute limit. */
export async function admitShareRequest(deps: AppDeps, meta: RequestMeta): Promise<void> {
  const limit = deps.config.share.requestsPerMinute;
  if (limit === 0) return;
  const bucket = `share:ip:${meta.ip ?? "unknown"}`;
  const now = deps.now();
  const slot = await asSystem(
    deps.db,
    (tx) => takeSlot(tx, { bucket, limit, windowMs: MINUTE_MS, now, pruneEvery: 16 }),
  );
  if (!slot.admitted) {
    throw new ApiError(429, "rate_limited", `Too many requests from your address: try again in ${slot.retryAfter} s`, {
      retryAfter: slot.retryAfter,
    });
  }
}

/**
 * How long this process reuses what a link opens (the link, its dashboard, widgets and their
 * datasets' sync times) before reading it again. A change made through this process drops it at
 * once (`forgetOpenedShares`); one made through another process shows within this bound, well
 * inside the SHARE_CACHE_SECONDS browsers and shared caches may keep the page anyway.
 */
export const OPENED_SHARE_TTL_MS = 1_000;
/** By token (a hit needs no hashing); tokens are 256 random bits, so apps sharing a process never collide. */
const openedByToken = new Map<string, { at: number; opened: OpenedShare }>();
const OPENED_SHARE_ENTRIES = 1_000;
/** Bumped by every forget, so a lookup that raced a change does not store what it read before it. */
let generation = 0;

/** Drops every cached link lookup: called after any change to a link, dashboard or widget. */
export function forgetOpenedShares(): void {
  generation++;
  openedByToken.clear();
}

/** Runs a change to links, dashboards or widgets, then drops the cached lookups it may have made stale. */
export async function changingShares<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    forgetOpenedShares();
  }
}

/** Views counted in memory and written once a second at most, so a cached page costs no write. */
const VIEW_FLUSH_MS = 1_000;
const pendingViews = new WeakMap<
  AppDeps,
  { views: Map<string, { count: number; lastAt: Date }>; timer?: ReturnType<typeof setTimeout> }
>();

/** Counts a view of a link in memory; written with the others within a second (flushShareViews). */
export function countShareView(deps: AppDeps, linkId: string, at: Date): void {
  let pending = pendingViews.get(deps);
  if (!pending) pendingViews.set(deps, pending = { views: new Map() });
  const seen = pending.views.get(linkId);
  pending.views.set(linkId, { count: (seen?.count ?? 0) + 1, lastAt: at });
  if (pending.timer === undefined) {
    const timer = setTimeout(() => {
      flushShareViews(deps).catch((error) => deps.log.warn("share views not written", { error: String(error) }));
    }, VIEW_FLUSH_MS);
    Deno.unrefTimer(timer);
    pending.timer = timer;
  }
}

/**
 * Writes the views counted since the last write (one UPDATE a link). Listing links calls it first,
 * so counts read back through this process are exact; shutdown calls it so none are dropped.
 */
export async function flushShareViews(deps: AppDeps): Promise<void> {
  const pending = pendingViews.get(deps);
  if (!pending) return;
  clearTimeout(pending.timer);
  pending.timer = undefined;
  const views = [...pending.views];
  pending.views.clear();
  if (!views.length) return;
  await asSystem(deps.db, async (tx) => {
    for (const [id, { count, lastAt }] of views) await addShareViews(tx, id, count, lastAt);
  });
}

function isLive(link: ShareLinkRow, now: Date): boolean {
  return !link.revokedAt && (!link.expiresAt || link.expiresAt.getTime() > now.getTime());
}

/**
 * The link behind `token` as this process last opened it, if that was under OPENED_SHARE_TTL_MS
 * ago and the link is still live; undefined otherwise. No database work, no hashing: for answering
 * kept pages before anything else (share_pages.ts), where a miss goes the usual way.
 */
export function recentlyOpenedShare(deps: AppDeps, token: string): OpenedShare | undefined {
  const cached = openedByToken.get(token);
  if (!cached || performance.now() - cached.at >= OPENED_SHARE_TTL_MS) return undefined;
  return isLive(cached.opened.link, deps.now()) ? cached.opened : undefined;
}

/** The live link behind `token`, its dashboard and widgets; the 404 otherwise. Counts the view. */
export async function openShare(
  deps: AppDeps,
  token: string,
  options: { countView?: boolean } = {},
): Promise<OpenedShare> {
  if (!TOKEN_SHAPE.test(token)) throw shareNotFound();
  const now = deps.now();
  const cached = openedByToken.get(token);
  let opened: OpenedShare;
  if (cached && performance.now() - cached.at < OPENED_SHARE_TTL_MS && isLive(cached.opened.link, now)) {
    opened = cached.opened;
  } else {
    const started = { at: performance.now(), generation };
    const hash = await hashToken(token);
    opened = await asSystem(deps.db, async (tx) => {
      const link = await openShareLink(tx, hash, now);
      if (!link) throw shareNotFound();
      const dashboard = await findDashboard(tx, link.dashboardId);
      if (!dashboard || dashboard.workspaceId !== link.workspaceId) throw shareNotFound();
      return {
        link,
        dashboard,
        widgets: await listWidgets(tx, dashboard.id),
        datasets: await widgetDatasets(tx, dashboard.id),
      };
    });
    if (started.generation === generation) {
      openedByToken.set(token, { at: started.at, opened });
      if (openedByToken.size > OPENED_SHARE_ENTRIES) openedByToken.delete(openedByToken.keys().next().value!);
    }
  }
  if (options.countView ?? true) countShareView(deps, opened.link.id, now);
  return opened;
}

/** A shared dashboard with its data under the viewer's filters (locked ones win). */
export interface SharedDashboard {
  link: ShareLinkRow;
  dashboard: DashboardRow;
  filters: DashboardFilter[];
  values: FilterValues;
  /** The filter values the viewer asked for that were refused, with the sentence saying why. */
  filterError?: string;
  widgets: WidgetRow[];
  data: WidgetData[];
  dataAsOf: Date | null;
}

/** What `openShare` found: the live link, its dashboard, widgets and their datasets. */
export interface OpenedShare {
  link: ShareLinkRow;
  dashboard: DashboardRow;
  widgets: WidgetRow[];
  datasets: Map<string, DatasetRow>;
}

/**
 * A key that changes whenever anything a shared page shows could: the link's settings, the
 * dashboard, any widget, any dataset's sync, and the filter values asked for. A page rendered
 * under the same key is the same page, so it can be served again without reading or drawing.
 */
export function shareVersion(opened: OpenedShare, params: URLSearchParams): string {
  let base = versions.get(opened);
  if (base === undefined) {
    const times = [
      opened.link.updatedAt,
      opened.dashboard.updatedAt,
      ...opened.widgets.map((w) => w.updatedAt),
      ...[...opened.datasets.values()].map((d) => d.syncedAt),
    ].map((d) => d?.getTime() ?? 0);
    versions.set(opened, base = `${opened.link.id}:${opened.widgets.length}:${times.join(",")}`);
  }
  const locked = opened.link.lockedFilters as FilterValues;
  return `${base}:${filterQuery(opened.dashboard.filters as DashboardFilter[], params, locked)}`;
}

/** An opened link's version without the query string, once per lookup (a cached one serves many views). */
const versions = new WeakMap<OpenedShare, string>();

/** Opens the link and reads every widget's data; a bad filter value is reported and left out. */
export async function sharedDashboard(deps: AppDeps, token: string, params: URLSearchParams): Promise<SharedDashboard> {
  return await readShared(deps, await openShare(deps, token), params);
}

/** Every widget's data of an opened link under the viewer's filters (locked ones win). */
export async function readShared(
  deps: AppDeps,
  opened: OpenedShare,
  params: URLSearchParams,
): Promise<SharedDashboard> {
  const { link, dashboard, widgets, datasets } = opened;
  const filters = dashboard.filters as DashboardFilter[];
  const locked = link.lockedFilters as FilterValues;
  const { values, refusal: filterError } = withoutRefused(filters, effectiveValues(filters, params, locked), locked);
  const data = await dashboardData(deps, systemRunner(deps), widgets, filters, values, datasets, Object.keys(locked));
  const times = data.map((d) => d.syncedAt?.getTime()).filter((t): t is number => t !== undefined);
  return {
    link,
    dashboard,
    filters,
    values,
    filterError,
    widgets,
    data,
    dataAsOf: times.length ? new Date(Math.max(...times)) : null,
  };
}

/** One widget of a shared dashboard and its data, for downloads; 403 when the link forbids them. */
export async function sharedWidget(deps: AppDeps, token: string, widgetId: string, params: URLSearchParams) {
  const { link, dashboard, widgets, datasets } = await openShare(deps, token, { countView: false });
  const widget = widgets.find((w) => w.id === widgetId);
  if (!widget) throw new ApiError(404, "not_found", "This dashboard has no such widget");
  if (!link.allowDownloads) throw new ApiError(403, "forbidden", "This link does not allow downloads");
  const filters = dashboard.filters as DashboardFilter[];
  const values = effectiveValues(filters, params, link.lockedFilters as FilterValues);
  checkValues(filters, values);
  const lockedIds = Object.keys(link.lockedFilters as FilterValues);
  const data = await widgetData(
    deps,
    systemRunner(deps),
    widget,
    filters,
    values,
    datasets.get(widget.id) ?? null,
    lockedIds,
  );
  return { widget, data, values };
}
