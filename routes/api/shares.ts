/**
 * /api/shares: a workspace's share links (list, change, rotate, revoke), and /api/share/:token,
 * the anonymous JSON view of a shared dashboard (no connector ids, datasets, queries or secrets).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { requestMeta } from "../../lib/http/env.ts";
import {
  apiRouter,
  callerId,
  errorResponses,
  ErrorSchema,
  jsonContent,
  notFoundResponse,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { SharePatch } from "../../functions/dashboards/schemas.ts";
import {
  changeShareLink,
  listShareLinksOf,
  revokeShareLink,
  rotateShareLink,
} from "../../functions/dashboards/shares.ts";
import { admitShareRequest, sharedDashboard } from "../../functions/dashboards/share_view.ts";
import { samplingNote, WIDGET_MARK_LIMIT } from "../../functions/dashboards/render.ts";
import { sampleRows } from "../../lib/charts/chart_spec.ts";
import { shareJson, ShareSchema } from "./dashboard_json.ts";
import { originOf } from "../../lib/http/origin.ts";
import { IdParam } from "./schemas.ts";
import { shareHeaders } from "../../functions/dashboards/share_headers.ts";

const route = signedInRoute("Dashboards");
const notFound = notFoundResponse("No such live link");

const routes = {
  list: createRoute({
    ...route("get", "/", "Live share links of the workspace, or of one dashboard, with their URLs"),
    request: {
      query: z.object({
        dashboard_id: z.uuid().optional(),
        workspace_id: z.uuid().optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
    },
    responses: {
      200: {
        description: "Links",
        content: jsonContent(z.object({ items: z.array(ShareSchema), next_cursor: z.null() })),
      },
      ...errorResponses,
    },
  }),
  patch: createRoute({
    ...route("patch", "/{id}", "Change a link's label, expiry or switches"),
    request: { params: IdParam, body: { content: jsonContent(SharePatch), required: true } },
    responses: { 200: { description: "Link", content: jsonContent(ShareSchema) }, ...notFound, ...errorResponses },
  }),
  rotate: createRoute({
    ...route("post", "/{id}/rotate", "A new URL for the link; the old one stops working at once"),
    request: { params: IdParam },
    responses: { 200: { description: "Link", content: jsonContent(ShareSchema) }, ...notFound, ...errorResponses },
  }),
  revoke: createRoute({
    ...route("delete", "/{id}", "Revoke a link at once"),
    request: { params: IdParam },
    responses: { 204: { description: "Revoked" }, ...notFound, ...errorResponses },
  }),
};

const publicRoute = createRoute({
  method: "get",
  path: "/{token}",
  summary: "A shared dashboard as JSON (takes the same ?f.<id>= filters as the page)",
  tags: ["Dashboards"],
  // The shape of a token (43 base64url characters, some room either way); anything else is malformed.
  request: { params: z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, "not a share token") }) },
  responses: {
    200: { description: "The dashboard and its widgets' data", content: jsonContent(z.unknown()) },
    404: { description: "Unknown, revoked or expired link", content: jsonContent(ErrorSchema) },
    429: { description: "Too many requests from this address", content: jsonContent(ErrorSchema) },
  },
});

export function shareRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(routes.list, async (c) => {
    const { dashboard_id, workspace_id, limit } = c.req.valid("query");
    const views = await listShareLinksOf(
      deps,
      callerId(c),
      { dashboardId: dashboard_id, workspaceId: workspace_id, limit },
      originOf(deps, c.req.url),
    );
    c.header("cache-control", "no-store");
    return c.json({ items: views.map(shareJson), next_cursor: null }, 200);
  });
  app.openapi(routes.patch, async (c) => {
    const id = c.req.valid("param").id;
    const view = await changeShareLink(
      deps,
      callerId(c),
      id,
      c.req.valid("json"),
      requestMeta(c),
      originOf(deps, c.req.url),
    );
    return c.json(shareJson(view), 200);
  });
  app.openapi(routes.rotate, async (c) => {
    const view = await rotateShareLink(
      deps,
      callerId(c),
      c.req.valid("param").id,
      requestMeta(c),
      originOf(deps, c.req.url),
    );
    return c.json(shareJson(view), 200);
  });
  app.openapi(routes.revoke, async (c) => {
    await revokeShareLink(deps, callerId(c), c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  return app;
}

/** The anonymous JSON view: what the page shows, as data. */
export function publicShareRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(publicRoute, async (c) => {
    await admitShareRequest(deps, requestMeta(c));
    const shared = await sharedDashboard(deps, c.req.valid("param").token, new URL(c.req.url).searchParams);
    for (const [name, value] of Object.entries(shareHeaders(shared.link.allowEmbed))) c.header(name, value);
    return c.json({
      dashboard: { name: shared.dashboard.name, description: shared.dashboard.description, filters: shared.filters },
      widgets: shared.widgets.map((w, i) => {
        const d = shared.data[i];
        const result = d.result && { ...d.result, rows: sampleRows(d.result.rows, WIDGET_MARK_LIMIT).rows };
        return {
          id: w.id,
          type: w.type,
          title: w.title,
          config: w.config,
          position_x: w.positionX,
          position_y: w.positionY,
          width: w.width,
          height: w.height,
          data: result ? { columns: result.columns, rows: result.rows } : null,
          ...(d.metric ? { metric: d.metric } : {}),
          ...(d.error ? { error: d.error } : {}),
          ...(d.result && samplingNote(w, d.result) ? { note: samplingNote(w, d.result) } : {}),
        };
      }),
      data_as_of: shared.dataAsOf?.toISOString() ?? null,
      ...(shared.filterError ? { filter_error: shared.filterError } : {}),
    }, 200);
  });
  return app;
}
