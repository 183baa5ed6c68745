/**
 * /share/:token: a shared dashboard for anyone with the link. Read-only, complete without
 * JavaScript (the page ships none: charts are inline SVG with <title> tooltips, filters a GET
 * form), locked filters applied on the server. Unknown, revoked and expired links get the same
 * 404; every response is noindex, no-referrer and briefly cacheable (see share_headers.ts).
 */
import { renderToString } from "preact-render-to-string";
import type { FreshContext } from "../../lib/fresh/mod.ts";
import { asset } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";
import { ApiError } from "../../lib/http/errors.ts";
import {
  admitShareRequest,
  openShare,
  readShared,
  shareVersion,
  systemRunner,
} from "../../functions/dashboards/share_view.ts";
import { effectiveValues, filterQuery, type FilterValues } from "../../functions/dashboards/filters.ts";
import type { DashboardFilter } from "../../functions/dashboards/schemas.ts";
import { renderCells } from "../../functions/dashboards/cells.ts";
import { filterOptions } from "../../functions/dashboards/widget_data.ts";
import { shareHeaders } from "../../functions/dashboards/share_headers.ts";
import { keepSharePage, keptResponse, keptSharePage } from "../../functions/dashboards/share_pages.ts";
import { DashboardGrid } from "../../components/dashboard/DashboardGrid.tsx";
import { FilterForm } from "../../components/dashboard/FilterForm.tsx";
import { formatWhen } from "../../components/format.ts";

function page(title: string, body: preact.JSX.Element): string {
  return "<!doctype html>" + renderToString(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{title}</title>
        <link rel="icon" href={asset("/favicon.svg")} type="image/svg+xml" />
        <link rel="stylesheet" href={asset("/styles.css")} />
      </head>
      <body class="share-body">{body}</body>
    </html>,
  );
}

/** "30 Nov 2026, 14:05 UTC": the page says when its data was synced. */
function asOf(at: Date | null): string {
  return at ? formatWhen(at) : "not synced yet";
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Response> {
    const { deps, meta } = ctx.state;
    const token = ctx.params.token;
    try {
      await admitShareRequest(deps, meta);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 429) throw error;
      const html = page(
        "Too many requests",
        <main class="center-page">
          <div class="card narrow">
            <h1>Too many requests</h1>
            <p>{error.message}</p>
          </div>
        </main>,
      );
      return new Response(html, {
        status: 429,
        headers: { "content-type": "text/html; charset=utf-8", "retry-after": String(error.options.retryAfter ?? 60) },
      });
    }
    const opened = await openShare(deps, token);
    const headers = {
      "content-type": "text/html; charset=utf-8",
      vary: "accept-encoding",
      ...shareHeaders(opened.link.allowEmbed),
    };
    // The page is drawn from what its filters read and nothing else, so it is exactly what its key says.
    const filters = opened.dashboard.filters as DashboardFilter[];
    const lockedValues = opened.link.lockedFilters as FilterValues;
    const query = filterQuery(filters, ctx.url.searchParams, lockedValues);
    const params = new URLSearchParams(query);
    const key = shareVersion(opened, params);
    const kept = keptSharePage(key);
    // Kept pages are usually answered before the chain (sharePageCache); this is the first
    // request after one was kept, before its headers were recorded.
    if (kept) return await keptResponse(kept, Object.entries(headers), ctx.req.headers.get("accept-encoding"));
    const shared = await readShared(deps, opened, params);
    const { dashboard, link } = shared;
    const locked = link.lockedFilters as FilterValues;
    const [cells, options] = await Promise.all([
      renderCells(deps, shared.widgets, shared.data, shared.values),
      filterOptions(deps, systemRunner(deps), shared.widgets, shared.filters, locked),
    ]);
    // The form keeps what the viewer typed, even a refused value, so it can be corrected.
    const typed = effectiveValues(shared.filters, params, locked);
    // Downloads carry the values the page applied: a refused one is not passed on.
    const applied = new URLSearchParams(Object.entries(shared.values).map(([id, value]) => [`f.${id}`, value]));
    const linked = filterQuery(shared.filters, applied, locked);
    const downloads = link.allowDownloads
      ? (widgetId: string, format: string) =>
        `/share/${token}/widgets/${widgetId}/download?format=${format}${linked ? "&" + linked.slice(1) : ""}`
      : undefined;
    const html = page(
      `${dashboard.name} · shared dashboard`,
      <main class="share-page">
        <header class="share-header">
          <h1>{dashboard.name}</h1>
          {dashboard.description && <p class="muted">{dashboard.description}</p>}
          <p class="muted small">
            Data as of <time datetime={shared.dataAsOf?.toISOString()}>{asOf(shared.dataAsOf)}</time>
          </p>
        </header>
        <FilterForm
          filters={shared.filters}
          values={typed}
          locked={locked}
          options={options}
          error={shared.filterError}
          action={`/share/${token}`}
        />
        <DashboardGrid cells={cells} downloads={downloads} />
        <footer class="share-footer muted small">A read-only view shared from the workspace.</footer>
      </main>,
    );
    const status = shared.filterError ? 400 : 200;
    return new Response(html, { status, headers: { ...headers, ...keepSharePage(key, status, html) } });
  },
};
