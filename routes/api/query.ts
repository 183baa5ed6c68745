/** POST /api/query: a structured query over a synced dataset. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { apiRouter, errorResponses, ErrorSchema, jsonContent, signedInRoute } from "../../lib/http/api_router.ts";
import { StructuredQuery } from "../../connectors/query.ts";
import { queryDataset } from "../../functions/query_dataset.ts";

const QueryBody = z.object({
  connector_id: z.uuid({ error: "Not a valid id" }),
  dataset: z.string().min(1).max(200),
  query: StructuredQuery,
}).strict().openapi("QueryRequest");

const queryRoute = createRoute({
  ...signedInRoute("Connectors")(
    "post",
    "/",
    "Query a dataset: dimensions, measures, filters, order and limit, compiled to parameterized SQL",
  ),
  request: { body: { content: jsonContent(QueryBody), required: true } },
  responses: {
    200: {
      description: "Rows",
      content: jsonContent(z.object({
        columns: z.array(z.object({ name: z.string(), type: z.string() })),
        rows: z.array(z.array(z.unknown())),
        cached_at: z.iso.datetime().optional(),
      })),
    },
    404: { description: "No such connector or dataset", content: jsonContent(ErrorSchema) },
    422: { description: "The query ran too long", content: jsonContent(ErrorSchema) },
    ...errorResponses,
  },
});

export function queryRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(queryRoute, async (c) => {
    const body = c.req.valid("json");
    const result = await queryDataset(deps, c.get("user").user.id, {
      connectorId: body.connector_id,
      dataset: body.dataset,
      query: body.query,
    });
    return c.json(result, 200);
  });
  return app;
}
