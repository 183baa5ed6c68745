/** /api/executions: one execution with its steps, cancel, and re-run from a step. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import {
  apiRouter,
  callerId,
  errorResponses,
  ErrorSchema,
  jsonContent,
  notFoundResponse,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { requestMeta } from "../../lib/http/env.ts";
import { cancelExecution, getExecution, rerunExecution } from "../../functions/workflows/executions.ts";
import { StepId } from "../../functions/workflows/definition.ts";
import { IdParam } from "./schemas.ts";
import { executionDetailJson, ExecutionDetailSchema } from "./workflow_schemas.ts";

const route = signedInRoute("Workflows");
const notFound = notFoundResponse("No such execution");

const routes = {
  get: createRoute({
    ...route("get", "/{id}", "An execution: status, trigger, timing, each step's attempts, input, output, error"),
    request: { params: IdParam },
    responses: {
      200: { description: "The execution", content: jsonContent(ExecutionDetailSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  cancel: createRoute({
    ...route("post", "/{id}/cancel", "Cancel a queued or running execution"),
    request: { params: IdParam },
    responses: {
      200: { description: "Cancelled", content: jsonContent(z.object({ status: z.literal("cancelled") })) },
      409: { description: "Already finished", content: jsonContent(ErrorSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  rerun: createRoute({
    ...route("post", "/{id}/rerun", "Run again, from a step: the steps before it are reused, not run"),
    request: {
      params: IdParam,
      body: { content: jsonContent(z.object({ from_step: StepId.optional() }).strict()), required: false },
    },
    responses: {
      202: { description: "Queued", content: jsonContent(z.object({ execution_id: z.uuid() })) },
      ...notFound,
      ...errorResponses,
    },
  }),
};

export function executionRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(routes.get, async (c) => {
    const { execution, steps, duplicates } = await getExecution(deps, callerId(c), c.req.valid("param").id);
    return c.json(executionDetailJson(execution, steps, duplicates), 200);
  });
  app.openapi(routes.cancel, async (c) => {
    await cancelExecution(deps, callerId(c), c.req.valid("param").id, requestMeta(c));
    return c.json({ status: "cancelled" as const }, 200);
  });
  app.openapi(routes.rerun, async (c) => {
    const fromStep = c.req.valid("json")?.from_step;
    const id = await rerunExecution(deps, callerId(c), c.req.valid("param").id, fromStep, requestMeta(c));
    return c.json({ execution_id: id }, 202);
  });
  return app;
}
