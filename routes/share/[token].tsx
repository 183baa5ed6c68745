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
import { effectiveValues, type FilterValues } from "../../functions/dashboards/filters.ts";
import { renderCells } from "../../functions/dashboards/cells.ts";
import { filterOptions } from "../../functions/dashboards/widget_data.ts";
import { shareHeaders } from "../../functions/dashboards/share_headers.ts";
import { acceptsGzip, gzip } from "../../lib/http/gzip.ts";
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

/**
 * Rendered pages by `shareVersion` (link, dashboard, widgets, dataset syncs, filters): the key
 * changes with anything the page shows, so a hit is exact, never stale. The link itself is still
 * looked up on every request, so rotation, revocation and expiry bite at once.
 */
const pages = new Map<
  string,
  { at: number; html: Uint8Array<ArrayBuffer>; gzipped: Promise<Uint8Array<ArrayBuffer>>; status: number }
>();
const PAGE_CACHE_ENTRIES = 200;
const PAGE_CACHE_MS = 60_000;

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
    const key = shareVersion(opened, ctx.url.search);
    const now = deps.now().getTime();
    const hit = pages.get(key);
    if (hit && now - hit.at < PAGE_CACHE_MS) {
      // Compressed once when cached, not by the server on every request.
      if (acceptsGzip(ctx.req.headers.get("accept-encoding"))) {
        return new Response(await hit.gzipped, {
          status: hit.status,
          headers: { ...headers, "content-encoding": "gzip" },
        });
      }
      return new Response(hit.html, { status: hit.status, headers });
    }
    const shared = await readShared(deps, opened, ctx.url.searchParams);
    const { dashboard, link } = shared;
    const locked = link.lockedFilters as FilterValues;
    const [cells, options] = await Promise.all([
      renderCells(deps, shared.widgets, shared.data, shared.values),
      filterOptions(deps, systemRunner(deps), shared.widgets, shared.filters, locked),
    ]);
    // The form keeps what the viewer typed, even a refused value, so it can be corrected.
    const typed = effectiveValues(shared.filters, ctx.url.searchParams, locked);
    const query = ctx.url.search;
    const downloads = link.allowDownloads
      ? (widgetId: string, format: string) =>
        `/share/${token}/widgets/${widgetId}/download?format=${format}${query ? "&" + query.slice(1) : ""}`
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
    const gzipped = gzip(html);
    gzipped.catch(() => pages.delete(key));
    pages.set(key, { at: now, html: new TextEncoder().encode(html), gzipped, status });
    if (pages.size > PAGE_CACHE_ENTRIES) pages.delete(pages.keys().next().value!);
    return new Response(html, { status, headers });
  },
};
