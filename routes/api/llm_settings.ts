/** /api/settings/llm: a workspace's own model endpoint, model and API key (stored encrypted, never returned). */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { requestMeta } from "../../lib/http/env.ts";
import {
  apiRouter,
  callerId,
  errorResponses,
  ErrorSchema,
  jsonContent,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { clearLlmSettings, getLlmSettings, putLlmSettings } from "../../functions/llm_settings.ts";

const SettingsSchema = z.object({
  workspace_id: z.uuid(),
  base_url: z.string().nullable(),
  model: z.string().nullable(),
  has_api_key: z.boolean(),
  effective: z.object({
    base_url: z.string().nullable().openapi({
      description: "The workspace's own endpoint; null when chats use the server's (its address is not shown)",
    }),
    model: z.string(),
    source: z.enum(["workspace", "environment"]),
  }).nullable().openapi({ description: "The model chats use; null when none is configured" }),
}).openapi("LlmSettings");

const PutBody = z.object({
  workspace_id: z.uuid().optional(),
  base_url: z.url({ protocol: /^https?$/, error: "An http(s) URL, such as http://localhost:11434/v1" }).max(500)
    .nullable().optional(),
  model: z.string().trim().min(1).max(200).nullable().optional(),
  api_key: z.string().min(1).max(500).nullable().optional().openapi({ description: "null removes it" }),
}).strict()
  .refine((b) => Object.keys(b).some((k) => k !== "workspace_id"), { error: "Send base_url, model or api_key" })
  .openapi("PutLlmSettingsRequest");
const WorkspaceQuery = z.object({ workspace_id: z.uuid().optional() }).strict();

const route = signedInRoute("Settings");

const routes = {
  get: createRoute({
    ...route("get", "/", "The workspace's model settings and the model in effect"),
    request: { query: WorkspaceQuery },
    responses: { 200: { description: "Settings", content: jsonContent(SettingsSchema) }, ...errorResponses },
  }),
  put: createRoute({
    ...route("put", "/", "Set the workspace's model (owners only)"),
    request: { body: { content: jsonContent(PutBody), required: true } },
    responses: {
      200: { description: "Saved", content: jsonContent(SettingsSchema) },
      403: { description: "Not the owner", content: jsonContent(ErrorSchema) },
      422: { description: "A base URL the server may not call", content: jsonContent(ErrorSchema) },
      ...errorResponses,
    },
  }),
  delete: createRoute({
    ...route("delete", "/", "Go back to the environment's model (owners only)"),
    request: { query: WorkspaceQuery },
    responses: { 204: { description: "Cleared" }, ...errorResponses },
  }),
};

export function llmSettingsRoutes(deps: AppDeps) {
  const app = apiRouter();
  const userId = callerId;
  app.openapi(
    routes.get,
    async (c) => c.json(await getLlmSettings(deps, userId(c), c.req.valid("query").workspace_id), 200),
  );
  app.openapi(routes.put, async (c) => {
    return c.json(await putLlmSettings(deps, userId(c), c.req.valid("json"), requestMeta(c)), 200);
  });
  app.openapi(routes.delete, async (c) => {
    await clearLlmSettings(deps, userId(c), c.req.valid("query").workspace_id);
    return c.body(null, 204);
  });
  return app;
}
