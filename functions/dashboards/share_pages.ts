/**
 * Rendered share pages, kept by `shareVersion` (link, dashboard, widgets, dataset syncs, filters):
 * the key changes with anything the page shows, so a kept page is exact, never stale. The link
 * itself is still checked on every request (openShare's lookup, reused for at most a second), so
 * rotation, revocation and expiry bite as before.
 *
 * A kept page is answered by `sharePageCache`, a middleware early in the chain (after request ids,
 * the client address and the request log), when the link was looked up less than a second ago:
 * the page is static bytes, so routing, the session lookup and the page handler are skipped, like
 * a CDN in front of the app. Anything else (a link not looked up lately, an unknown token) goes
 * the usual way, rate limit first. Its headers are the ones
 * the first response for that page left the whole chain with (secure headers, framing, cache
 * lifetime), with the CSP nonce taken out, as the page has no script for one to allow.
 */
import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../../lib/deps.ts";
import type { AppEnv } from "../../lib/http/env.ts";
import { requestMeta } from "../../lib/http/env.ts";
import { acceptsGzip, gzip } from "../../lib/http/gzip.ts";
import { keptBytesResponse } from "../../lib/http/kept_bytes.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { admitShareRequest, countShareView, recentlyOpenedShare, shareVersion } from "./share_view.ts";

interface KeptPage {
  at: number;
  status: number;
  html: Uint8Array<ArrayBuffer>;
  gzipped: Promise<Uint8Array<ArrayBuffer>>;
  /** The first response's final headers, once it has left the chain. */
  headers?: [string, string][];
}

const pages = new Map<string, KeptPage>();
const PAGE_ENTRIES = 200;
const PAGE_MS = 60_000;
/** Set by the page handler on a page it kept, so the middleware knows whose headers to capture. */
const KEPT_MARKER = "x-share-page-kept";
const SHARE_PAGE = /^\/share\/([^/]+)$/;

/** Keeps a freshly rendered page under `key`; returns the headers that mark the response as kept. */
export function keepSharePage(key: string, status: number, html: string): Record<string, string> {
  const gzipped = gzip(html);
  gzipped.catch(() => pages.delete(key));
  pages.set(key, { at: Date.now(), status, html: new TextEncoder().encode(html), gzipped });
  if (pages.size > PAGE_ENTRIES) pages.delete(pages.keys().next().value!);
  return { [KEPT_MARKER]: "1" };
}

/** The kept page under `key` (undefined when none or older than a minute). */
export function keptSharePage(key: string): KeptPage | undefined {
  const kept = pages.get(key);
  return kept && Date.now() - kept.at < PAGE_MS ? kept : undefined;
}

/**
 * The kept page as a response with `headers` (name–value pairs): gzipped once when the client
 * takes gzip (RFC 9110 §12.5.3), else the bytes; neither is copied per response.
 */
export async function keptResponse(kept: KeptPage, headers: [string, string][], acceptEncoding: string | null) {
  if (acceptsGzip(acceptEncoding)) {
    return keptBytesResponse(await kept.gzipped, {
      status: kept.status,
      headers: [...headers, ["content-encoding", "gzip"]],
    });
  }
  return keptBytesResponse(kept.html, { status: kept.status, headers });
}

/**
 * Answers `GET /share/:token` from a kept page (rate limit and view count as the page handler
 * does them), else passes it on and, when the handler kept the page it rendered, records the
 * headers the response leaves with for the next requests.
 */
export function sharePageCache(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function sharePageCacheMiddleware(c, next) {
    const token = c.req.method === "GET" ? SHARE_PAGE.exec(c.req.path)?.[1] : undefined;
    if (!token) return await next();
    const opened = recentlyOpenedShare(deps, token);
    const key = opened && shareVersion(opened, new URL(c.req.url).searchParams);
    const kept = key ? keptSharePage(key) : undefined;
    if (opened && kept?.headers) {
      try {
        await admitShareRequest(deps, requestMeta(c));
      } catch (error) {
        // The page handler answers refusals (its own page, Retry-After).
        if (error instanceof ApiError) return await next();
        throw error;
      }
      countShareView(deps, opened.link.id, deps.now());
      const headers: [string, string][] = [...kept.headers, ["x-request-id", c.get("requestId")]];
      return await keptResponse(kept, headers, c.req.header("accept-encoding") ?? null);
    }
    await next();
    if (c.res.headers.get(KEPT_MARKER) === null) return;
    c.res.headers.delete(KEPT_MARKER);
    // The handler has just opened the link, so its lookup is here now.
    const reopened = recentlyOpenedShare(deps, token);
    const rendered = reopened && keptSharePage(shareVersion(reopened, new URL(c.req.url).searchParams));
    if (!rendered) return;
    const skipped = new Set(["x-request-id", "content-encoding", "content-length", "set-cookie"]);
    rendered.headers = [...c.res.headers].filter(([name]) => !skipped.has(name)).map((
      [name, value],
    ): [string, string] =>
      name === "content-security-policy" ? [name, value.replace(/ ?'nonce-[^']*'/g, "")] : [name, value]
    );
  };
}
