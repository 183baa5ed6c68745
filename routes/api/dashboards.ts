/** /api/dashboards: dashboards, their widgets (added or pinned from chat), share links and live events. */
import { originOf } from "../../lib/http/origin.ts";
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { requestMeta } from "../../lib/http/env.ts";
import {
  apiRouter,
  callerId,
  decodeCursor,
  errorResponses,
  ErrorSchema,
  jsonContent,
  keysetPage,
  notFoundResponse,
  pageOf,
  PageQuery,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import {
  DashboardInput,
  DashboardPatch,
  PinInput,
  ShareInput,
  WidgetInput,
} from "../../functions/dashboards/schemas.ts";
import {
  changeDashboard,
  createDashboard,
  getDashboard,
  listDashboardsOf,
  removeDashboard,
} from "../../functions/dashboards/dashboards.ts";
import { addWidget, pinArtifact } from "../../functions/dashboards/widgets.ts";
import { createShareLink } from "../../functions/dashboards/shares.ts";
import { previewWidget } from "../../functions/dashboards/preview.ts";
import { changedWidgets, dataVersions, EVENTS_STREAM_MS, nextDataCheck } from "../../functions/dashboards/events.ts";
import { streamSSE } from "hono/streaming";
import { dashboardJson, DashboardSchema, shareJson, ShareSchema, widgetJson, WidgetSchema } from "./dashboard_json.ts";
import { IdParam } from "./schemas.ts";

const route = signedInRoute("Dashboards");
const notFound = notFoundResponse("No such dashboard");
const forbidden = { 403: { description: "Read-only here", content: jsonContent(ErrorSchema) } };
const body = <T>(schema: T) => ({ body: { content: jsonContent(schema), required: true } });

const routes = {
  create: createRoute({
    ...route("post", "/", "Create a dashboard"),
    request: body(DashboardInput),
    responses: {
      201: { description: "Created", content: jsonContent(DashboardSchema) },
      ...forbidden,
      ...errorResponses,
    },
  }),
  list: createRoute({
    ...route("get", "/", "Dashboards, newest first, with how many widgets of each type"),
    request: { query: PageQuery.extend({ workspace_id: z.uuid().optional() }) },
    responses: {
      200: {
        description: "Dashboards",
        content: jsonContent(pageOf(DashboardSchema)),
      },
      ...errorResponses,
    },
  }),
  get: createRoute({
    ...route("get", "/{id}", "A dashboard with its widgets"),
    request: { params: IdParam },
    responses: {
      200: { description: "Dashboard", content: jsonContent(DashboardSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  patch: createRoute({
    ...route("patch", "/{id}", "Rename, describe, or set the filters"),
    request: { params: IdParam, ...body(DashboardPatch) },
    responses: {
      200: { description: "Dashboard", content: jsonContent(DashboardSchema) },
      ...notFound,
      ...forbidden,
      ...errorResponses,
    },
  }),
  delete: createRoute({
    ...route("delete", "/{id}", "Delete a dashboard, its widgets and share links"),
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...notFound, ...forbidden, ...errorResponses },
  }),
  addWidget: createRoute({
    ...route("post", "/{id}/widgets", "Add a widget, or pin a chat artifact ({artifact_id}) as a live widget"),
    request: { params: IdParam, ...body(z.union([PinInput, WidgetInput])) },
    responses: {
      201: { description: "Widget", content: jsonContent(WidgetSchema) },
      ...notFound,
      ...forbidden,
      ...errorResponses,
    },
  }),
  share: createRoute({
    ...route("post", "/{id}/shares", "Create a public share link"),
    request: { params: IdParam, ...body(ShareInput) },
    responses: {
      201: { description: "Link", content: jsonContent(ShareSchema) },
      ...notFound,
      ...forbidden,
      ...errorResponses,
    },
  }),
  preview: createRoute({
    ...route("post", "/{id}/preview", "Draw a widget that is not saved yet (the editor's live preview)"),
    request: { params: IdParam, ...body(WidgetInput) },
    responses: { 200: { description: "Preview", content: jsonContent(z.unknown()) }, ...notFound, ...errorResponses },
  }),
  events: createRoute({
    ...route("get", "/{id}/events", "Server-sent events: widget-data when a sync changes widgets' data"),
    request: { params: IdParam },
    responses: {
      200: { description: "Event stream", content: { "text/event-stream": { schema: z.string() } } },
      ...notFound,
    },
  }),
};

/** The public origin share URLs are made on. */

export function dashboardRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(routes.create, async (c) => {
    const row = await createDashboard(deps, callerId(c), c.req.valid("json"), requestMeta(c));
    return c.json(dashboardJson(row, []), 201);
  });
  app.openapi(routes.list, async (c) => {
    const { limit, cursor, workspace_id } = c.req.valid("query");
    const found = await listDashboardsOf(deps, callerId(c), {
      limit: limit + 1,
      workspaceId: workspace_id,
      after: decodeCursor(cursor),
    });
    return c.json(keysetPage(found, limit, (d) => dashboardJson(d), (d) => ({ at: d.createdAt, id: d.id })), 200);
  });
  app.openapi(routes.get, async (c) => {
    const { dashboard, widgets } = await getDashboard(deps, callerId(c), c.req.valid("param").id);
    return c.json(dashboardJson(dashboard, widgets), 200);
  });
  app.openapi(routes.patch, async (c) => {
    const row = await changeDashboard(deps, callerId(c), c.req.valid("param").id, c.req.valid("json"), requestMeta(c));
    return c.json(dashboardJson(row), 200);
  });
  app.openapi(routes.delete, async (c) => {
    await removeDashboard(deps, callerId(c), c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  app.openapi(routes.addWidget, async (c) => {
    const input = c.req.valid("json");
    const id = c.req.valid("param").id;
    const row = "artifact_id" in input
      ? await pinArtifact(deps, callerId(c), id, input, requestMeta(c))
      : await addWidget(deps, callerId(c), id, input, requestMeta(c));
    return c.json(widgetJson(row), 201);
  });
  app.openapi(routes.share, async (c) => {
    const view = await createShareLink(
      deps,
      callerId(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      requestMeta(c),
      originOf(deps, c.req.url),
    );
    return c.json(shareJson(view), 201);
  });
  app.openapi(routes.preview, async (c) => {
    return c.json(await previewWidget(deps, callerId(c), c.req.valid("param").id, c.req.valid("json")), 200);
  });
  app.openapi(routes.events, async (c) => {
    const [user, id] = [callerId(c), c.req.valid("param").id];
    let versions = await dataVersions(deps, user, id);
    c.header("cache-control", "no-store");
    return streamSSE(c, async (stream) => {
      const left = new AbortController();
      stream.onAbort(() => left.abort());
      // The stream ends after a while and the browser's EventSource opens a new one (1 s later),
      // which checks the caller's session or token again: a revoked one stops hearing at most then.
      await stream.writeSSE({ event: "ready", data: "{}", retry: 1000 });
      const until = Date.now() + EVENTS_STREAM_MS;
      while (!stream.aborted && Date.now() < until) {
        await nextDataCheck(deps, left.signal);
        if (stream.aborted) break;
        const next = await dataVersions(deps, user, id).catch(() => versions);
        const changed = changedWidgets(versions, next);
        versions = next;
        if (changed.length) {
          await stream.writeSSE({ event: "widget-data", data: JSON.stringify({ widget_ids: changed }) });
        }
      }
    }) as never; // an event stream: no JSON schema for the typed helper to check
  });
  return app;
}
