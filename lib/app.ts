/**
 * Assembles the app from its dependencies: middleware in order, the REST API under /api,
 * webhook-style routes at the root, and the file-system pages. Nothing here does the work.
 *
 *   request id → client address → log → kept share pages → secure headers (CSP nonce) → body limit
 *   → caller (lazy) → CSRF
 *   → /health, /api/* (Hono + zod-openapi), pages (routes/, islands/) → 404 / error handler
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppDeps, RequestMeta } from "./deps.ts";
import { type AppEnv, requestMeta } from "./http/env.ts";
import { requestLog } from "./http/middleware/request_log.ts";
import { csrf } from "./http/middleware/csrf.ts";
import { shareFraming } from "./http/middleware/share_framing.ts";
import { clientAddress } from "./http/middleware/client_address.ts";
import { sharePageCache } from "../functions/dashboards/share_pages.ts";
import { noStore } from "./http/middleware/no_store.ts";
import { bodyDeadline } from "./http/middleware/body_deadline.ts";
import { ApiError } from "./http/errors.ts";
import { errorResponse, toApiError } from "./http/error_handler.ts";
import { type Principal, resolvePrincipal } from "./auth/principal.ts";
import { supabaseVerifier } from "./auth/supabase.ts";
import { createFresh } from "./fresh/mod.ts";
import { createApi } from "../routes/api/mod.ts";
import { healthRoutes } from "../routes/api/health.ts";
import { hookRoutes } from "../routes/api/hooks.ts";
import freshConfig from "../fresh.config.ts";

/** Per-request state that pages see as `ctx.state`. */
export interface PageState extends Record<string, unknown> {
  deps: AppDeps;
  principal: () => Promise<Principal | null>;
  /** Request facts for audit rows and rate limits. */
  meta: RequestMeta;
  /** Set by routes/_middleware.ts for signed-in visitors. */
  user?: Principal["user"];
}

/** The biggest request body accepted anywhere. */
const UPLOAD_PATH = /^\/api\/connectors\/[^/]+\/upload$/;
const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the app; `prebuilt` serves islands from `deno task build` output. */
export async function createApp(deps: AppDeps, options: { prebuilt?: boolean } = {}) {
  const app = new Hono<AppEnv>();
  const supabase = supabaseVerifier(deps.config.supabase, deps.fetch);
  const fresh = await createFresh<PageState>(freshConfig, {
    state: (c) => ({
      deps,
      principal: c.get("principal"),
      meta: requestMeta(c),
    }),
    nonce: (c) => c.get("secureHeadersNonce") ?? "",
    prebuilt: options.prebuilt,
  });

  app.use(requestId());
  app.use(clientAddress(deps.config.trustedProxies));
  app.use(requestLog(deps.log));
  // Kept share pages are static bytes: answered here, with the headers their first response had.
  app.use(sharePageCache(deps));
  app.use(shareFraming);
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", NONCE],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: deps.config.production ? "max-age=63072000; includeSubDomains" : false,
    referrerPolicy: "strict-origin-when-cross-origin",
    crossOriginEmbedderPolicy: false,
  }));
  // Bodies are capped in size and in time (a client dripping one holds nothing open for long);
  // file uploads stream to storage with their own, larger size cap (UPLOAD_MAX_MB).
  app.use(bodyDeadline({
    maxBytes: MAX_BODY_BYTES,
    timeoutMs: deps.config.requestBodyTimeoutMs,
    streamed: (path) => UPLOAD_PATH.test(path),
  }));
  app.use(async function principalMiddleware(c, next) {
    let resolved: Promise<Principal | null> | undefined;
    c.set("principal", () => resolved ??= resolvePrincipal(deps, c, supabase));
    await next();
  });
  // Webhooks come from other servers (and browsers' fetches elsewhere): their signature authorizes them.
  const checkOrigin = csrf({ appUrl: deps.config.appUrl });
  app.use((c, next) => c.req.path.startsWith("/hooks/") ? next() : checkOrigin(c, next));
  app.use("/api/*", noStore());

  app.route("/", healthRoutes(deps));
  app.route("/", hookRoutes(deps));
  app.route("/api", createApi(deps));
  app.route("/", fresh.app);

  app.notFound((c) => {
    if (isApi(c.req.path)) {
      return errorResponse(c, new ApiError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`));
    }
    return fresh.renderNotFound(c);
  });
  app.onError((error, c) => {
    const apiError = toApiError(error, deps.log, c.get("requestId"));
    // Pages get the _404 and _500 pages; everything else gets the JSON error shape.
    if (!isApi(c.req.path) && apiError.status === 404) return fresh.renderNotFound(c);
    return isApi(c.req.path) || apiError.status < 500 ? errorResponse(c, apiError) : fresh.renderError(c, apiError);
  });
  return { app, ready: fresh.ready };
}

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path.startsWith("/hooks/");
}
