/** /api/widgets/:id: change, remove, and read a widget's data, chart and downloads (`?f.<id>=` filters). */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { requestMeta } from "../../lib/http/env.ts";
import { ApiError } from "../../lib/http/errors.ts";
import {
  apiRouter,
  callerId,
  errorResponses,
  ErrorSchema,
  jsonContent,
  notFoundResponse,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { WidgetPatch } from "../../functions/dashboards/schemas.ts";
import { changeWidget, removeWidget } from "../../functions/dashboards/widgets.ts";
import { dataKey, widgetView } from "../../functions/dashboards/view.ts";
import { DOWNLOAD_FORMATS, widgetDownload, widgetSvg } from "../../functions/dashboards/render.ts";
import { widgetJson, WidgetSchema } from "./dashboard_json.ts";
import { widgetResult } from "./widget_result.ts";
import { IdParam } from "./schemas.ts";

const route = signedInRoute("Dashboards");
const notFound = notFoundResponse("No such widget");
const failed = { 422: { description: "The widget's query failed", content: jsonContent(ErrorSchema) } };
/** Filter values ride along as `f.<id>` (or `f.<id>.from|to`) parameters, which a fixed schema cannot list. */
const FILTER_PARAM = /^(f\.[A-Za-z0-9_-]{1,40}(\.from|\.to)?|theme|format)$/;
const FilterQuery = z.object({}).catchall(z.string().max(200)).refine(
  (q) => Object.keys(q).every((k) => FILTER_PARAM.test(k)),
  "takes only f.<filter id> (or f.<filter id>.from and .to), theme and format",
);

const routes = {
  patch: createRoute({
    ...route("patch", "/{id}", "Change a widget: query, display, position or size"),
    request: { params: IdParam, body: { content: jsonContent(WidgetPatch), required: true } },
    responses: { 200: { description: "Widget", content: jsonContent(WidgetSchema) }, ...notFound, ...errorResponses },
  }),
  delete: createRoute({
    ...route("delete", "/{id}", "Remove a widget"),
    request: { params: IdParam },
    responses: { 204: { description: "Removed" }, ...notFound, ...errorResponses },
  }),
  data: createRoute({
    ...route("get", "/{id}/data", "The widget's data under the dashboard's filters (?f.<filter_id>=)"),
    request: { params: IdParam, query: FilterQuery },
    responses: {
      200: {
        description: "Rows",
        content: jsonContent(z.object({ columns: z.array(z.unknown()), rows: z.array(z.array(z.unknown())) })),
      },
      ...notFound,
      ...failed,
      ...errorResponses,
    },
  }),
  svg: createRoute({
    ...route("get", "/{id}/chart.svg", "The widget's chart as SVG"),
    request: { params: IdParam, query: FilterQuery },
    responses: {
      200: { description: "SVG", content: { "image/svg+xml": { schema: z.string() } } },
      ...notFound,
      ...failed,
      ...errorResponses,
    },
  }),
  download: createRoute({
    ...route("get", "/{id}/download", "Download: csv (formula-safe), svg or png"),
    request: {
      params: IdParam,
      query: z.object({ format: z.enum(DOWNLOAD_FORMATS).default("csv") }).catchall(z.string().max(200)).refine(
        (q) => Object.keys(q).every((k) => FILTER_PARAM.test(k)),
        "takes only format and f.<filter id> (or f.<filter id>.from and .to)",
      ),
    },
    responses: {
      200: { description: "The file", content: { "application/octet-stream": { schema: z.string() } } },
      ...notFound,
      ...failed,
      ...errorResponses,
    },
  }),
};

export function widgetRoutes(deps: AppDeps) {
  const app = apiRouter();
  const view = (c: Parameters<typeof callerId>[0] & { req: { url: string } }, id: string) =>
    widgetView(deps, callerId(c), id, new URL(c.req.url).searchParams);
  app.openapi(routes.patch, async (c) => {
    const row = await changeWidget(deps, callerId(c), c.req.valid("param").id, c.req.valid("json"), requestMeta(c));
    return c.json(widgetJson(row), 200);
  });
  app.openapi(routes.delete, async (c) => {
    await removeWidget(deps, callerId(c), c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  app.openapi(routes.data, async (c) => {
    const { data } = await view(c, c.req.valid("param").id);
    c.header("cache-control", "private, no-cache");
    return c.json(widgetResult(data), 200);
  });
  app.openapi(routes.svg, async (c) => {
    const { widget, data, values } = await view(c, c.req.valid("param").id);
    const theme = new URL(c.req.url).searchParams.get("theme") === "dark" ? "dark" : "light";
    const svg = widgetSvg(widget, widgetResult(data), theme, dataKey(data, values));
    if (!svg) throw new ApiError(400, "invalid_request", `A ${widget.type} widget has no chart`);
    return c.body(await svg, 200, {
      "content-type": "image/svg+xml; charset=utf-8",
      "cache-control": "private, no-cache",
    }) as never;
  });
  app.openapi(routes.download, async (c) => {
    const { widget, data, values } = await view(c, c.req.valid("param").id);
    const file = await widgetDownload(widget, widgetResult(data), c.req.valid("query").format, dataKey(data, values));
    if (!file) throw new ApiError(400, "invalid_request", `A ${widget.type} widget has no chart: download it as CSV`);
    return c.body(file.body as string, 200, {
      "content-type": file.type,
      "content-disposition": `attachment; filename="${file.fileName}"`,
    }) as never;
  });
  return app;
}
