/** /api/workflows: definitions, their webhook secret, runs, executions and replays. Routes stay thin. */
import { originOf } from "../../lib/http/origin.ts";
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import {
  apiRouter,
  callerId,
  decodeCursor,
  errorResponses,
  jsonContent,
  keysetPage,
  notFoundResponse,
  pageOf,
  PageQuery,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { requestMeta } from "../../lib/http/env.ts";
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listWorkflowsOf,
  rotateWebhookSecret,
  updateWorkflow,
  workflowToChange,
} from "../../functions/workflows/workflows.ts";
import { listExecutionsOf, replayFailed, runWorkflow } from "../../functions/workflows/executions.ts";
import { sendTestEvent } from "../../functions/workflows/webhooks.ts";
import { IdParam } from "./schemas.ts";
import {
  CreatedWorkflowSchema,
  CreateWorkflowBody,
  executionJson,
  ExecutionSchema,
  PatchWorkflowBody,
  StatusQuery,
  workflowJson,
  WorkflowSchema,
} from "./workflow_schemas.ts";

const route = signedInRoute("Workflows");
const notFound = notFoundResponse("No such workflow");
const Queued = z.object({ execution_id: z.uuid() });

const routes = {
  create: createRoute({
    ...route("post", "/", "Create a workflow; its webhook secret is shown this once"),
    request: { body: { content: jsonContent(CreateWorkflowBody), required: true } },
    responses: { 201: { description: "Created", content: jsonContent(CreatedWorkflowSchema) }, ...errorResponses },
  }),
  list: createRoute({
    ...route("get", "/", "Workflows the caller can see, newest first"),
    request: { query: PageQuery.extend({ workspace_id: z.uuid().optional() }) },
    responses: {
      200: {
        description: "Workflows",
        content: jsonContent(pageOf(WorkflowSchema)),
      },
      ...errorResponses,
    },
  }),
  get: createRoute({
    ...route("get", "/{id}", "One workflow"),
    request: { params: IdParam },
    responses: {
      200: { description: "The workflow", content: jsonContent(WorkflowSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  patch: createRoute({
    ...route("patch", "/{id}", "Change a workflow's name, description, steps or config"),
    request: { params: IdParam, body: { content: jsonContent(PatchWorkflowBody), required: true } },
    responses: {
      200: { description: "Changed", content: jsonContent(WorkflowSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  delete: createRoute({
    ...route("delete", "/{id}", "Delete a workflow and its history"),
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...notFound, ...errorResponses },
  }),
  rotate: createRoute({
    ...route("post", "/{id}/rotate-secret", "A new webhook secret; the previous one stays valid for a window"),
    request: {
      params: IdParam,
      body: {
        content: jsonContent(
          z.object({ keep_previous_for_s: z.number().int().min(0).max(30 * 86400).default(86400) })
            .strict(),
        ),
        required: false,
      },
    },
    responses: {
      200: { description: "The new secret", content: jsonContent(z.object({ webhook_secret: z.string() })) },
      ...notFound,
      ...errorResponses,
    },
  }),
  run: createRoute({
    ...route("post", "/{id}/run", "Run a workflow now with an input"),
    request: {
      params: IdParam,
      body: { content: jsonContent(z.object({ input: z.unknown().optional() }).strict()), required: false },
    },
    responses: { 202: { description: "Queued", content: jsonContent(Queued) }, ...notFound, ...errorResponses },
  }),
  testEvent: createRoute({
    ...route("post", "/{id}/test-event", "Sign a sample delivery with the current secret and send it to the webhook"),
    request: {
      params: IdParam,
      body: { content: jsonContent(z.object({ payload: z.unknown().optional() }).strict()), required: false },
    },
    responses: {
      202: { description: "Queued", content: jsonContent(Queued) },
      ...notFound,
      ...errorResponses,
    },
  }),
  executions: createRoute({
    ...route("get", "/{id}/executions", "A workflow's executions, newest first, optionally by status"),
    request: { params: IdParam, query: PageQuery.extend({ status: StatusQuery.optional() }) },
    responses: {
      200: {
        description: "Executions",
        content: jsonContent(pageOf(ExecutionSchema)),
      },
      ...notFound,
      ...errorResponses,
    },
  }),
  replay: createRoute({
    ...route("post", "/{id}/replay", "Re-run every failed execution since a time (default: the last 24 hours)"),
    request: {
      params: IdParam,
      body: {
        content: jsonContent(
          z.object({ status: z.literal("failed").default("failed"), since: z.iso.datetime().optional() })
            .strict(),
        ),
        required: false,
      },
    },
    responses: {
      202: { description: "Queued", content: jsonContent(z.object({ count: z.number().int() })) },
      ...notFound,
      ...errorResponses,
    },
  }),
};

/** The origin webhook URLs are given under: APP_URL, or the request's own. */

export function workflowRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(routes.create, async (c) => {
    const { row, secret } = await createWorkflow(deps, callerId(c), c.req.valid("json"), requestMeta(c));
    return c.json({ ...workflowJson(row, originOf(deps, c.req.url)), webhook_secret: secret }, 201);
  });
  app.openapi(routes.list, async (c) => {
    const { limit, cursor, workspace_id } = c.req.valid("query");
    const found = await listWorkflowsOf(deps, callerId(c), {
      workspaceId: workspace_id,
      limit,
      before: decodeCursor(cursor),
    });
    const origin = originOf(deps, c.req.url);
    return c.json(
      keysetPage(found, limit, (r) => workflowJson(r, origin), (r) => ({ at: r.createdAt, id: r.id })),
      200,
    );
  });
  app.openapi(routes.get, async (c) => {
    return c.json(
      workflowJson(await getWorkflow(deps, callerId(c), c.req.valid("param").id), originOf(deps, c.req.url)),
      200,
    );
  });
  app.openapi(routes.patch, async (c) => {
    const row = await updateWorkflow(deps, callerId(c), c.req.valid("param").id, c.req.valid("json"), requestMeta(c));
    return c.json(workflowJson(row, originOf(deps, c.req.url)), 200);
  });
  app.openapi(routes.delete, async (c) => {
    await deleteWorkflow(deps, callerId(c), c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  app.openapi(routes.rotate, async (c) => {
    const body = c.req.valid("json") ?? { keep_previous_for_s: 86400 };
    const secret = await rotateWebhookSecret(
      deps,
      callerId(c),
      c.req.valid("param").id,
      body.keep_previous_for_s,
      requestMeta(c),
    );
    return c.json({ webhook_secret: secret }, 200);
  });
  app.openapi(routes.run, async (c) => {
    const input = c.req.valid("json")?.input;
    const id = await runWorkflow(
      deps,
      callerId(c),
      c.req.valid("param").id,
      { input, trigger: "manual" },
      requestMeta(c),
    );
    return c.json({ execution_id: id }, 202);
  });
  app.openapi(routes.testEvent, async (c) => {
    const workflow = await workflowToChange(deps, callerId(c), c.req.valid("param").id);
    const { executionId } = await sendTestEvent(deps, workflow, c.req.valid("json")?.payload);
    return c.json({ execution_id: executionId }, 202);
  });
  app.openapi(routes.executions, async (c) => {
    const { limit, cursor, status } = c.req.valid("query");
    const found = await listExecutionsOf(deps, callerId(c), c.req.valid("param").id, {
      status,
      limit,
      before: decodeCursor(cursor),
    });
    return c.json(
      keysetPage(found, limit, (r) => executionJson(r, r.duplicates), (r) => ({ at: r.createdAt, id: r.id })),
      200,
    );
  });
  app.openapi(routes.replay, async (c) => {
    const since = c.req.valid("json")?.since;
    const from = since ? new Date(since) : new Date(deps.now().getTime() - 86_400_000);
    const count = await replayFailed(deps, callerId(c), c.req.valid("param").id, from, requestMeta(c));
    return c.json({ count }, 202);
  });
  return app;
}
